"""Loaded by Datasette from `--plugins-dir`: the hooks live in `medialens.inspect.plugin`."""

from medialens.inspect.plugin import (  # noqa: F401 - Datasette collects the hooks by name
    asset_page,
    extra_body_script,
    filters_from_request,
    register_routes,
    render_cell,
    startup,
)
