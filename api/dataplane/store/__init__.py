"""Storage access for the dataplane: S3 objects and the DynamoDB table, behind small classes."""

from api.dataplane.store.objects import ObjectStore
from api.dataplane.store.page_sessions import PageSession, PageSessions
from api.dataplane.store.table import AssetRecord, AssetTable, Pointer

__all__ = ["AssetRecord", "AssetTable", "ObjectStore", "PageSession", "PageSessions", "Pointer"]
