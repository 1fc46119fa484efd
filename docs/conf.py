"""Sphinx configuration of trovemock's documentation (Markdown pages read by MyST)."""

project = "trovemock"
author = "the trovemock authors"
extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
myst_heading_anchors = 4  # `[Limits](performance.md#limits)` links resolve
html_theme = "alabaster"
