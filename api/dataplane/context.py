"""Wiring: AWS clients, stores and services for one configuration, built lazily and reused.

boto3 picks up region, credentials and `AWS_ENDPOINT_URL` (the local runtime) from the
environment; no endpoint is written here.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import boto3
from botocore.config import Config

from api.common.signing_keys import key_from_secret
from api.dataplane.config import DataplaneConfig
from api.dataplane.cursor import CursorCodec
from api.dataplane.events import EventPublisher
from api.dataplane.service import AssetService, MetadataReader, MetadataWriter
from api.dataplane.service.asset_guard import ActiveExecutionGuard
from api.dataplane.store import AssetTable, ObjectStore, PageSessions


class Services:
    """Everything a request needs, for one configuration. Clients are made on first use."""

    def __init__(self, config: DataplaneConfig, session: boto3.session.Session | None = None) -> None:
        self.config = config
        self._session = session or boto3.session.Session()

    def _client(self, service: str, **kwargs: Any) -> Any:
        return self._session.client(service, **kwargs)

    @cached_property
    def objects(self) -> ObjectStore:
        # SigV4 for presigned URLs: required by every region opened since 2014.
        return ObjectStore(self._client("s3", config=Config(signature_version="s3v4")), self.config.bucket)

    @cached_property
    def table(self) -> AssetTable:
        return AssetTable(self._client("dynamodb"), self.config.table)

    @cached_property
    def events(self) -> EventPublisher:
        return EventPublisher(self._client("kinesis"), self.config.stream)

    @cached_property
    def cursors(self) -> CursorCodec:
        # Read once per configuration (per warm Lambda container), not per request.
        if self.config.signing_key is not None:
            return CursorCodec(self.config.signing_key.encode("utf-8"))
        assert self.config.signing_secret_arn is not None  # DataplaneConfig requires one of the two
        return CursorCodec(key_from_secret(self._client("secretsmanager"), self.config.signing_secret_arn))

    @cached_property
    def assets(self) -> AssetService:
        return AssetService(self.objects, self.table, self.cursors)

    @cached_property
    def reader(self) -> MetadataReader:
        return MetadataReader(self.objects, self.table, self.cursors)

    @cached_property
    def writer(self) -> MetadataWriter:
        sessions = PageSessions(self._client("dynamodb"), self.config.table)
        guard = None
        if self.config.execution_table is not None:
            guard = ActiveExecutionGuard(self._client("dynamodb"), self.config.execution_table)
        return MetadataWriter(self.objects, self.table, sessions, self.events, guard=guard)


class ServicesProvider:
    """Hands out the `Services` for the current environment, rebuilding them if it changed."""

    def __init__(self, session: boto3.session.Session | None = None) -> None:
        self._session = session
        self._services: Services | None = None

    def current(self) -> Services:
        config = DataplaneConfig.from_env()
        if self._services is None or self._services.config != config:
            self._services = Services(config, self._session)
        return self._services
