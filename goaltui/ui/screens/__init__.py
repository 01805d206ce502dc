"""Screens of the dashboard, each with its .tcss beside it."""
