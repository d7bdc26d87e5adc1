"""raci-gen: RACI matrices as YAML in git, checked and built into Markdown, Excel and PDF."""

__version__ = "0.1.0"
