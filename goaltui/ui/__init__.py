"""The Textual dashboard: app, screens and widgets."""
