"""goaltui: a keyboard-driven terminal dashboard for KPIs and OKRs."""

__version__ = "0.1.0"
