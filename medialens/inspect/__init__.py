"""The local platform's inspection pages: Discover over findings and an asset page (Datasette)."""
