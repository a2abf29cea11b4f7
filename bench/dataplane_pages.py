"""Cost of storing N pages of operator metadata through the dataplane, next to raw S3 puts.

Both run in one process on the same in-memory moto backend, interleaved, so the ratios hold on a
noisy shared machine. Storing through the dataplane writes one S3 object per page plus a pointer
update and a Kinesis record, so its cost should grow linearly with N: the `x N=100` column of the
N=1000 row should be close to 10 for both.

    .venv/bin/python bench/dataplane_pages.py [--pages 100 1000] [--repeat 3] [--page-kib 4]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import boto3
from medialens_helper import DataPlane, InProcessTransport
from moto import mock_aws

from api.dataplane.handler import lambda_handler
from api.dataplane.storage_schema import table_definition

BUCKET, TABLE, STREAM = "bench-dataplane", "bench-dataplane", "bench-results"


def _page(index: int, kib: int) -> dict[str, object]:
    label = "x" * 64
    count = max(1, kib * 1024 // 100)
    return {"Labels": [{"Name": f"{label}-{index}-{i}", "Confidence": 99.5} for i in range(count)]}


def _provision() -> None:
    region = "us-east-1"
    boto3.client("s3", region_name=region).create_bucket(Bucket=BUCKET)
    boto3.client("dynamodb", region_name=region).create_table(TableName=TABLE, **table_definition())
    boto3.client("kinesis", region_name=region).create_stream(StreamName=STREAM, ShardCount=1)


def _store_through_dataplane(pages: int, kib: int) -> float:
    dataplane = DataPlane(InProcessTransport(lambda_handler))
    s3 = boto3.client("s3", region_name="us-east-1")
    key = f"upload/bench-{time.monotonic_ns()}.bin"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"media")
    asset_id = dataplane.create_asset(BUCKET, key)["AssetId"]
    started = time.perf_counter()
    for index in range(1, pages + 1):
        dataplane.store_asset_metadata(
            asset_id, "BenchLabels", "bench-workflow", _page(index, kib), paginate=True, end=index == pages
        )
    return time.perf_counter() - started


def _raw_s3_puts(pages: int, kib: int) -> float:
    s3 = boto3.client("s3", region_name="us-east-1")
    prefix = f"raw/{time.monotonic_ns()}"
    started = time.perf_counter()
    for index in range(1, pages + 1):
        body = json.dumps(_page(index, kib)).encode()
        s3.put_object(Bucket=BUCKET, Key=f"{prefix}/page-{index:06d}.json", Body=body)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--pages", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--page-kib", type=int, default=4)
    args = parser.parse_args()

    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "DATAPLANE_BUCKET": BUCKET,
            "DATAPLANE_TABLE": TABLE,
            "DATAPLANE_STREAM": STREAM,
            "CURSOR_SIGNING_KEY": "bench-signing-key",
            "POWERTOOLS_SERVICE_NAME": "bench",
        }
    )
    results: dict[int, tuple[float, float]] = {}
    with mock_aws():
        _provision()
        for pages in args.pages:
            dataplane_times: list[float] = []
            raw_times: list[float] = []
            for _ in range(args.repeat):  # interleaved, so both see the same machine load
                dataplane_times.append(_store_through_dataplane(pages, args.page_kib))
                raw_times.append(_raw_s3_puts(pages, args.page_kib))
            results[pages] = (statistics.median(dataplane_times), statistics.median(raw_times))

    base = args.pages[0]
    print(f"page size ~{args.page_kib} KiB, median of {args.repeat} runs, in-process moto backend")
    header = f"{'N pages':>8} {'dataplane s':>12} {'ms/page':>8} {'raw S3 s':>9} {'ms/put':>7}"
    print(header + f" {'dataplane/raw':>13} {f'x N={base} dp':>12} {f'x N={base} raw':>13}")
    for pages, (dataplane_s, raw_s) in results.items():
        growth_dp = dataplane_s / results[base][0]
        growth_raw = raw_s / results[base][1]
        print(
            f"{pages:>8} {dataplane_s:>12.3f} {dataplane_s / pages * 1000:>8.2f} {raw_s:>9.3f}"
            f" {raw_s / pages * 1000:>7.2f} {dataplane_s / raw_s:>13.2f}"
            f" {growth_dp:>12.2f} {growth_raw:>13.2f}"
        )
    print(f"linear cost means the growth columns are close to N/{base}")


if __name__ == "__main__":
    main()
