"""Veritone-style HTTP engines (Engine Toolkit semantics) run as generated Medialens operators."""
