"""Pieces both HTTP APIs (dataplane and workflow) share: error types and signed cursors."""
