"""Modal screens of the incident panel: pickers, dialogs, help."""
