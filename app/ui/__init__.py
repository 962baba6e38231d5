"""Textual UI. Renders; does not fetch or decide."""
