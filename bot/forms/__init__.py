"""Forms as data, one engine that walks any form, and the field types it knows."""
