"""Reading the media of a task: `cacheURI` downloads, images, and ffmpeg (the one imageio-ffmpeg bundles).

Failures are `EngineFailure`s with the toolkit's reasons: a `cacheURI` answering 404 is
`url_not_found`, 401/403 `url_not_allowed`, a refused connection `url_connection_refused`, a
timeout `url_timeout`; media ffmpeg cannot decode is `invalid_data`.
"""

from __future__ import annotations

import io
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import cv2
import imageio_ffmpeg
import numpy as np
import requests

from engines.toolkit.form import BadInputError, ProcessRequest
from engines.toolkit.task import EngineFailure, FailureReason, TaskReporter

DOWNLOAD_BLOCK_BYTES = 256 * 1024
CONNECT_TIMEOUT_SECONDS = 10.0
READ_TIMEOUT_SECONDS = 60.0
PCM_RATE = 16_000  # PocketSphinx's en-US model: 16 kHz, 16-bit, mono


def download(url: str, destination: Path, task: TaskReporter) -> Path:
    """Streams `url` to `destination`, counting `bytesRead`; raises `EngineFailure`."""
    try:
        with requests.get(
            url, stream=True, timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS)
        ) as answer:
            if answer.status_code != 200:
                raise EngineFailure(
                    _url_reason(answer.status_code), f"cacheURI answered {answer.status_code}"
                )
            with destination.open("wb") as sink:
                received = 0
                for block in answer.iter_content(DOWNLOAD_BLOCK_BYTES):
                    sink.write(block)
                    received += len(block)
                    task.progress(bytes_read=len(block), info=f"downloaded {received} bytes")
    except requests.ConnectionError as exc:
        raise EngineFailure(FailureReason.URL_CONNECTION_REFUSED, f"cacheURI unreachable: {exc}") from exc
    except requests.Timeout as exc:
        raise EngineFailure(FailureReason.URL_TIMEOUT, f"cacheURI timed out: {exc}") from exc
    except requests.RequestException as exc:
        raise EngineFailure(FailureReason.URL_ERROR, f"cacheURI failed: {exc}") from exc
    except OSError as exc:
        raise EngineFailure(FailureReason.FILE_WRITE_ERROR, f"cannot store the media: {exc}") from exc
    return destination


def _url_reason(status: int) -> FailureReason:
    if status == 404:
        return FailureReason.URL_NOT_FOUND
    if status in (401, 403):
        return FailureReason.URL_NOT_ALLOWED
    if status == 429:
        return FailureReason.RATE_LIMITED
    return FailureReason.URL_ERROR


def decode_image(request: ProcessRequest, supported: tuple[str, ...]) -> np.ndarray[Any, Any]:
    """The chunk as a BGR image. A `chunkMimeType` outside `supported`, no chunk, or bytes OpenCV
    cannot read is a `BadInputError` (the caller's mistake: a 400)."""
    if request.chunk_mime_type and request.chunk_mime_type not in supported:
        raise BadInputError(
            f"chunkMimeType {request.chunk_mime_type} is not supported ({', '.join(supported)})"
        )
    if not request.chunk:
        raise BadInputError("no chunk file in the form (field 'chunk')")
    image = cv2.imdecode(np.frombuffer(request.chunk, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise BadInputError(f"the chunk ({len(request.chunk)} bytes) is not a readable image")
    return image


def ffmpeg_command(*arguments: str) -> list[str]:
    return [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", *arguments]


@contextmanager
def ffmpeg_process(
    arguments: list[str], *, stdout: bool, task: TaskReporter
) -> Iterator[subprocess.Popen[bytes]]:
    """ffmpeg running with `arguments`; killed when the block is left early, and at the task's
    maxTTL (a watchdog: a stalled ffmpeg must not keep the task running)."""
    process = subprocess.Popen(
        ffmpeg_command(*arguments),
        stdout=subprocess.PIPE if stdout else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    watchdog = threading.Timer(max(0.0, task.deadline - time.monotonic()), process.kill)
    watchdog.daemon = True
    watchdog.start()
    try:
        yield process
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def ffmpeg_failure(task: TaskReporter, doing: str, log: str) -> EngineFailure:
    """The failure of an ffmpeg run that exited non-zero: past maxTTL (the watchdog killed it)
    that is raised at once by `progress`; otherwise the media is `invalid_data`."""
    task.progress()
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    return EngineFailure(
        FailureReason.INVALID_DATA, f"ffmpeg cannot {doing}: {lines[-1] if lines else 'no message'}"
    )


def pcm_blocks(media: Path, task: TaskReporter, block_bytes: int) -> Iterator[bytes]:
    """The media's first audio stream as 16 kHz mono signed 16-bit PCM, in blocks of `block_bytes`
    (the last one may be shorter). Raises `EngineFailure` (`invalid_data`) when ffmpeg cannot."""
    arguments = ["-loglevel", "error", "-i", str(media), "-vn", "-ac", "1", "-ar", str(PCM_RATE)]
    with ffmpeg_process([*arguments, "-f", "s16le", "-"], stdout=True, task=task) as process:
        assert process.stdout is not None and process.stderr is not None
        while block := process.stdout.read(block_bytes):
            yield block
        errors = process.stderr.read().decode(errors="replace")
        if process.wait(timeout=30) != 0:
            raise ffmpeg_failure(task, "decode the audio", errors)


def ffmpeg_log_lines(process: subprocess.Popen[bytes]) -> Iterator[str]:
    """ffmpeg's log (stderr) line by line; progress lines end with a carriage return."""
    stream = process.stderr
    assert isinstance(stream, io.BufferedReader)
    pending = b""
    while block := stream.read1(4096):  # what ffmpeg wrote so far, without waiting for more
        pending += block
        *lines, pending = re.split(rb"[\r\n]", pending)
        for line in lines:
            if line:
                yield line.decode(errors="replace")
    if pending:
        yield pending.decode(errors="replace")
