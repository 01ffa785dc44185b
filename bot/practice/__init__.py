"""Practice mode: a private area with made-up children where nothing reaches anyone real."""
