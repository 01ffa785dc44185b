"""The daily sweep: director digests and overdue alerts."""
