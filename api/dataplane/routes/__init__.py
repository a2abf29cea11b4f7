"""One router per resource of the dataplane API."""

from api.dataplane.routes import assets, media, metadata

ROUTERS = (assets.router, media.router, metadata.router)

__all__ = ["ROUTERS"]
