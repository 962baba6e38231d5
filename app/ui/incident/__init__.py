"""The incident panel's widgets: header, roles, timeline, checklist, countdowns."""
