"""An example chunk engine: the mean brightness of each video frame, as VTN.

A Veritone-style engine is an HTTP service with two webhooks, whose URLs it reads from the
environment the Engine Toolkit (or `medialens engine test`, or the local platform) sets:

    GET  $VERITONE_WEBHOOK_READY     503 while loading, then 200
    POST $VERITONE_WEBHOOK_PROCESS   a multipart form: the `chunk` file and its fields
                                     (`chunkMimeType`, `startOffsetMS`, `endOffsetMS`, ...)

This one takes PNG frames (its manifest.json says `image/png`) and answers one series item per
frame: a `brightness` tag (dark, medium or bright) and the mean luma (0 = black, 1 = white) under
`vendor`, the VTN place for an engine's own data. Any other chunk is ignored (204). Only the
standard library and werkzeug are used: the PNG is decoded with zlib.

    VERITONE_WEBHOOK_READY=http://127.0.0.1:8080/ready \\
    VERITONE_WEBHOOK_PROCESS=http://127.0.0.1:8080/process python engine.py
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from typing import Any
from urllib.parse import urlsplit

from werkzeug.serving import run_simple
from werkzeug.wrappers import Request, Response

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # PNG colour type -> samples per pixel (8-bit only)


def mean_brightness(png: bytes) -> float:
    """Mean Rec. 601 luma of an 8-bit grey, grey+alpha, RGB or RGBA PNG, from 0 to 1."""
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    position, data, header = len(PNG_SIGNATURE), b"", None
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        body = png[position + 8 : position + 8 + length]
        position += 12 + length  # length, type, body, CRC
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            data += body
    if header is None:
        raise ValueError("PNG without a header")
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in CHANNELS or interlace:
        raise ValueError("only 8-bit, non-interlaced grey or RGB(A) PNGs are read")
    channels = CHANNELS[colour]
    rows = _unfilter(zlib.decompress(data), width * channels, height, channels)
    total = 0.0
    for row in rows:
        if channels >= 3:
            total += 0.299 * sum(row[0::channels]) + 0.587 * sum(row[1::channels])
            total += 0.114 * sum(row[2::channels])
        else:
            total += sum(row[0::channels])
    return total / (width * height * 255)


def _unfilter(raw: bytes, stride: int, height: int, bpp: int) -> list[bytearray]:
    """Undo PNG's per-row filters (None, Sub, Up, Average, Paeth)."""
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, row = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = row[i - bpp] if i >= bpp else 0
            up = previous[i]
            if kind == 1:
                row[i] = (row[i] + left) & 0xFF
            elif kind == 2:
                row[i] = (row[i] + up) & 0xFF
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                corner = previous[i - bpp] if i >= bpp else 0
                row[i] = (row[i] + _paeth(left, up, corner)) & 0xFF
        rows.append(row)
        previous = row
    return rows


def _paeth(left: int, up: int, corner: int) -> int:
    """PNG's Paeth predictor: whichever neighbour is nearest to left + up - corner."""
    guess = left + up - corner
    far_left, far_up, far_corner = abs(guess - left), abs(guess - up), abs(guess - corner)
    if far_left <= far_up and far_left <= far_corner:
        return left
    return up if far_up <= far_corner else corner


def label(brightness: float) -> str:
    return "dark" if brightness < 0.25 else "bright" if brightness > 0.75 else "medium"


def answer(request: Request) -> Response:
    chunk = request.files.get("chunk")
    if chunk is None or request.form.get("chunkMimeType") != "image/png":
        return Response(status=204)  # not a PNG frame: ignored, as the toolkit's docs say
    try:
        brightness = mean_brightness(chunk.read())
    except ValueError as exc:
        return Response(f"cannot read the frame: {exc}", status=400)
    start, end = int(request.form["startOffsetMS"]), int(request.form["endOffsetMS"])
    vtn: dict[str, Any] = {
        "series": [
            {
                "startTimeMs": start,
                "stopTimeMs": end,
                "tags": [{"key": "brightness", "value": label(brightness)}],
                "vendor": {"meanBrightness": round(brightness, 4)},
            }
        ]
    }
    return Response(json.dumps(vtn), content_type="application/json")


def main() -> None:
    ready = urlsplit(os.environ.get("VERITONE_WEBHOOK_READY", "http://127.0.0.1:8080/ready"))
    process = urlsplit(os.environ.get("VERITONE_WEBHOOK_PROCESS", "http://127.0.0.1:8080/process"))

    @Request.application  # type: ignore[arg-type]
    def application(request: Request) -> Response:
        if request.path == ready.path:
            return Response("OK")  # nothing to load: ready at once
        if request.path == process.path and request.method == "POST":
            return answer(request)
        return Response("not found", status=404)

    run_simple(process.hostname or "127.0.0.1", process.port or 8080, application, threaded=True)


if __name__ == "__main__":
    main()
