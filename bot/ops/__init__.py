"""Operating the bot: health checks, Prometheus metrics, and the small server that shows them."""
