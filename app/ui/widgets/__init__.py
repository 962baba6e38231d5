"""Widgets shared by the live panes and the incident panel: fitting a table to its width,
text sparklines, and the keyed table that keeps rows current without losing the cursor."""
