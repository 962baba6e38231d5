"""Live data sources. Nothing here imports textual or app.ui."""
