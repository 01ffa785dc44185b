"""The ledger as Excel files: one child's file, an area's roll-up workbook, who may have which."""
