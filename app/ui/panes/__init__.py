"""One module per live pane. Each exposes a LivePane subclass named in app.ui.live.PANES."""
