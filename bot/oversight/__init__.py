"""Oversight above the village: statistics of an area, their chart, and the monthly roll-up."""
