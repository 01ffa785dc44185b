"""Tables, sessions, area-scoped queries and migrations."""
