"""Lambda entry point of the search consumer: `api.search.handler.lambda_handler`.

Kinesis event source with `ReportBatchItemFailures`. The indexer applies the whole batch first
(its PUTs in one bulk request); the batch processor then reports each record it sent back. A record
that hits throttling or an outage is reported with every later record of the batch, so Lambda
retries from it and order holds. Records that can never be indexed are logged and skipped.
"""

from __future__ import annotations

import functools
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import (
    KinesisStreamEvent,
    KinesisStreamRecord,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from api.search.client import OpenSearchClient
from api.search.config import SearchConfig
from api.search.index import SearchIndex
from api.search.indexer import Indexer
from api.search.sqlite_index import SqliteSearchIndex

logger = Logger(service="search-consumer")


@functools.cache
def get_indexer() -> Indexer:
    config = SearchConfig.from_env()
    session = boto3.Session()
    index: SearchIndex
    if config.sqlite_path is not None:
        index = SqliteSearchIndex(config.sqlite_path)
    else:
        assert config.endpoint is not None and config.region is not None  # from_env checks them
        index = OpenSearchClient(config.endpoint, config.region, session=session)
    return Indexer(session.client("s3"), index, config.index_prefix)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = list(KinesisStreamEvent(event).records)
    outcomes = get_indexer().apply_batch([record.kinesis.data_as_bytes() for record in records])
    # One shard per batch, so sequence numbers name the records.
    sent_back = {
        record.kinesis.sequence_number: error for record, error in zip(records, outcomes, strict=True)
    }

    def record_handler(record: KinesisStreamRecord) -> None:
        error = sent_back[record.kinesis.sequence_number]
        if error is not None:
            raise error

    # Report every failure, even when all failed: raising would make Lambda split the batch
    # (BisectBatchOnFunctionError) and retry halves for what is usually one throttled call.
    processor = BatchProcessor(event_type=EventType.KinesisDataStreams, raise_on_entire_batch_failure=False)
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
