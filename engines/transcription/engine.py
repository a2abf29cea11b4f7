"""Speech to text with PocketSphinx and the en-US acoustic model, dictionary and language model
shipped in the pocketsphinx wheel (no model is fetched). Stream mode.

The task downloads the media from `cacheURI` (streamed), decodes its first audio stream to 16 kHz
mono PCM with the bundled ffmpeg, splits it into utterances with PocketSphinx's voice-activity
`Endpointer` (speech longer than `MAX_UTTERANCE_SECONDS` is cut), and decodes each utterance
whole (`full_utt`: the cepstral mean is taken over the utterance, which recognises much better
than live normalisation) in a worker process (`decoding.py`). Each utterance is posted on the
result webhook as it is decoded: a VTN `transcript` with one series item per word, times in
milliseconds from the start of the media, `confidence` the word's posterior probability.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, ClassVar

from pocketsphinx import Endpointer

from engines.toolkit import (
    BadInputError,
    EngineFailure,
    FailureReason,
    ProcessRequest,
    TaskEngine,
    TaskReporter,
)
from engines.toolkit.media import download, pcm_blocks
from engines.transcription.decoding import decode_words, decoder_pool

CONTRACTS = ["transcript"]
MAX_UTTERANCE_SECONDS = 15  # longer speech is cut: each result comes within this much audio
PCM_BYTES_PER_SECOND = 16_000 * 2
WORKERS = 2  # decoding processes: the manifest's maxConcurrency
WAIT_SECONDS = 1.0


class TranscriptionEngine(TaskEngine):
    """English speech to text (PocketSphinx, shipped en-US model); stream mode."""

    name: ClassVar[str] = "transcription"

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def load(self) -> None:
        self._pool = decoder_pool(WORKERS)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def check(self, request: ProcessRequest) -> None:
        if not request.cache_uri:
            raise BadInputError("a stream task needs cacheURI (the media to transcribe)")

    def run(self, request: ProcessRequest, task: TaskReporter) -> None:
        assert request.cache_uri is not None and self._pool is not None
        with tempfile.TemporaryDirectory(prefix="transcription-") as scratch:
            media = download(request.cache_uri, Path(scratch) / "media", task)
            for start_ms, end_ms, speech in utterances(media, task):
                words = self._decode(speech, start_ms, task)
                task.progress(info=f"transcribed up to {end_ms} ms")
                if words:
                    task.result({"validationContracts": CONTRACTS, "series": words}, start_ms, end_ms)

    def _decode(self, speech: bytes, start_ms: int, task: TaskReporter) -> list[dict[str, Any]]:
        assert self._pool is not None
        try:
            future = self._pool.submit(decode_words, speech, start_ms)
            while True:  # bounded: progress() raises past the task's maxTTL
                try:
                    return future.result(timeout=WAIT_SECONDS)
                except TimeoutError:
                    task.progress(info=f"decoding speech from {start_ms} ms")
        except BrokenProcessPool as exc:
            raise EngineFailure(FailureReason.SYSTEM_ERROR, f"a decoding process died: {exc}") from exc


def utterances(media: Path, task: TaskReporter) -> Iterator[tuple[int, int, bytes]]:
    """`(start ms, end ms, 16 kHz PCM)` of each stretch of speech in the media's audio."""
    endpointer = Endpointer()
    frame_bytes = endpointer.frame_bytes
    speech, start_ms = b"", 0
    for block in pcm_blocks(media, task, frame_bytes):
        in_speech = endpointer.in_speech
        if len(block) < frame_bytes:  # the end of the audio
            if in_speech:
                yield _last_utterance(endpointer, block, speech, start_ms)
            return
        voiced = endpointer.process(block)
        if voiced is None:
            continue
        if not in_speech:
            speech, start_ms = b"", round(endpointer.speech_start * 1000)
        speech += voiced
        if not endpointer.in_speech:
            yield start_ms, round(endpointer.speech_end * 1000), speech
        elif len(speech) >= MAX_UTTERANCE_SECONDS * PCM_BYTES_PER_SECOND:
            end_ms = start_ms + len(speech) * 1000 // PCM_BYTES_PER_SECOND
            yield start_ms, end_ms, speech
            speech, start_ms = b"", end_ms
    if endpointer.in_speech:  # the audio ended on a whole frame
        yield _last_utterance(endpointer, b"", speech, start_ms)


def _last_utterance(
    endpointer: Endpointer, rest: bytes, speech: bytes, start_ms: int
) -> tuple[int, int, bytes]:
    """The utterance the audio's end cuts off. PocketSphinx's `end_stream` fails on an empty
    buffer (an IndexError, e.g. when a steady tone ends on a whole frame): then the utterance is
    what was voiced so far, ending where its audio ends."""
    if rest:
        speech += endpointer.end_stream(rest) or b""
        return start_ms, round(endpointer.speech_end * 1000), speech
    return start_ms, start_ms + len(speech) * 1000 // PCM_BYTES_PER_SECOND, speech
