"""PocketSphinx decoding in worker processes.

A decoder holds the interpreter lock while it decodes (about a third of the speech's length on a
loaded machine, more under load), which would stop the task's heartbeat thread for that long. So
the engine decodes in a small pool of worker processes, each with its own `Decoder` loaded once;
the task's thread waits for a worker without holding the lock, and heartbeats keep their second.
"""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from pocketsphinx import Decoder

from engines.toolkit.vtn import confidence

FRAME_MS = 10  # PocketSphinx's feature frames: 100 per second
_FILLER = re.compile(r"^(<s>|</s>|<sil>|\[.*\]|\+\+.*\+\+)$")
_ALTERNATE = re.compile(r"\(\d+\)$")  # "to(3)": the third pronunciation of "to"
_decoder: Decoder | None = None  # one per worker process


def _start_worker() -> None:
    global _decoder
    _decoder = Decoder(loglevel="ERROR")


def decode_words(speech: bytes, start_ms: int) -> list[dict[str, Any]]:
    """One transcript series item per word of the utterance `speech` (16 kHz mono PCM) that starts
    at `start_ms`: `{startTimeMs, stopTimeMs, words: [{word, confidence}]}`; fillers left out."""
    assert _decoder is not None, "decode_words runs in a worker started by decoder_pool()"
    return list(_words(_decoder, speech, start_ms))


def decoder_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes (spawned: the engine's threads are not copied) with the model loaded."""
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker)
    pool.submit(decode_words, b"\0" * 3200, 0).result(timeout=120)  # fails here if the model cannot load
    return pool


def _words(decoder: Decoder, speech: bytes, start_ms: int) -> Iterator[dict[str, Any]]:
    decoder.start_utt()
    decoder.process_raw(speech, full_utt=True)
    decoder.end_utt()
    for segment in decoder.seg():
        if _FILLER.match(segment.word):
            continue
        yield {
            "startTimeMs": start_ms + segment.start_frame * FRAME_MS,
            "stopTimeMs": start_ms + (segment.end_frame + 1) * FRAME_MS,
            "words": [{"word": _ALTERNATE.sub("", segment.word), "confidence": confidence(segment.prob)}],
        }
