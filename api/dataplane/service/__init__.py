"""Dataplane logic, one module per concern; route handlers only translate to and from HTTP."""

from api.dataplane.service.assets import AssetService
from api.dataplane.service.reader import MetadataReader, ResultPage
from api.dataplane.service.writer import MetadataWriter, PageWrite, WriteOutcome

__all__ = ["AssetService", "MetadataReader", "MetadataWriter", "PageWrite", "ResultPage", "WriteOutcome"]
