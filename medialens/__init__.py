"""Medialens: the local runtime and the `medialens` command line."""

__version__ = "0.1.0"
