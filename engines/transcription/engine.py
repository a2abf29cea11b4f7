"""Speech to text with PocketSphinx and the en-US acoustic model, dictionary and language model
shipped in the pocketsphinx wheel (no model is fetched). Stream mode.

The task downloads the media from `cacheURI` (streamed), decodes its first audio stream to 16 kHz
mono PCM with the bundled ffmpeg, splits it into utterances with PocketSphinx's voice-activity
`Endpointer` (speech longer than `MAX_UTTERANCE_SECONDS` is cut), and decodes each utterance
whole (`full_utt`: the cepstral mean is taken over the utterance, which recognises much better
than live normalisation). Each utterance is posted on the result webhook as it is decoded: a VTN
`transcript` with one series item per word, times in milliseconds from the start of the media,
`confidence` the word's posterior probability.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from pocketsphinx import Decoder, Endpointer

from engines.toolkit import BadInputError, ProcessRequest, TaskEngine, TaskReporter
from engines.toolkit.media import download, pcm_blocks
from engines.toolkit.vtn import confidence

CONTRACTS = ["transcript"]
FRAME_MS = 10  # PocketSphinx's feature frames: 100 per second
# Decoding holds the interpreter while it runs (about a third of the speech's length here), so
# heartbeats wait for it: longer speech is cut into utterances of at most this many seconds.
MAX_UTTERANCE_SECONDS = 15
PCM_BYTES_PER_SECOND = 16_000 * 2
_FILLER = re.compile(r"^(<s>|</s>|<sil>|\[.*\]|\+\+.*\+\+)$")
_ALTERNATE = re.compile(r"\(\d+\)$")  # "to(3)": the third pronunciation of "to"


class TranscriptionEngine(TaskEngine):
    """English speech to text (PocketSphinx, shipped en-US model); stream mode."""

    name: ClassVar[str] = "transcription"

    def load(self) -> None:
        Decoder(loglevel="ERROR")  # reads the model once: a broken install fails /ready, not a task

    def check(self, request: ProcessRequest) -> None:
        if not request.cache_uri:
            raise BadInputError("a stream task needs cacheURI (the media to transcribe)")

    def run(self, request: ProcessRequest, task: TaskReporter) -> None:
        assert request.cache_uri is not None
        decoder = Decoder(loglevel="ERROR")  # one per task: a decoder is not shared between threads
        with tempfile.TemporaryDirectory(prefix="transcription-") as scratch:
            media = download(request.cache_uri, Path(scratch) / "media", task)
            for start_ms, end_ms, speech in utterances(media, task):
                words = list(_decode(decoder, speech, start_ms))
                task.progress(info=f"transcribed up to {end_ms} ms")
                if words:
                    task.result({"validationContracts": CONTRACTS, "series": words}, start_ms, end_ms)


def utterances(media: Path, task: TaskReporter) -> Iterator[tuple[int, int, bytes]]:
    """`(start ms, end ms, 16 kHz PCM)` of each stretch of speech in the media's audio."""
    endpointer = Endpointer()
    frame_bytes = endpointer.frame_bytes
    speech, start_ms = b"", 0
    for block in pcm_blocks(media, task, frame_bytes):
        in_speech = endpointer.in_speech
        if len(block) < frame_bytes:  # the end of the audio
            if in_speech:
                speech += endpointer.end_stream(block) or b""
                yield start_ms, round(endpointer.speech_end * 1000), speech
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
        speech += endpointer.end_stream(b"") or b""
        yield start_ms, round(endpointer.speech_end * 1000), speech


def _decode(decoder: Decoder, speech: bytes, start_ms: int) -> Iterator[dict[str, Any]]:
    decoder.start_utt()
    decoder.process_raw(speech, full_utt=True)
    decoder.end_utt()
    for segment in decoder.seg():
        if _FILLER.match(segment.word):
            continue
        word = _ALTERNATE.sub("", segment.word)
        yield {
            "startTimeMs": start_ms + segment.start_frame * FRAME_MS,
            "stopTimeMs": start_ms + (segment.end_frame + 1) * FRAME_MS,
            "words": [{"word": word, "confidence": confidence(segment.prob)}],
        }
