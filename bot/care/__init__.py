"""The care rules: child files, visits, escalations and the visit cadence."""
