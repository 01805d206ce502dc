"""The arithmetic of DESIGN.md as pure polars functions: frames in, frames out.

No Textual, no printing, no I/O. See `goaltui.metrics.engine` for the public functions and the
exact columns they return; the report, the quality checks and the dashboard all read these frames.
"""
