"""The sample engines (engines/) on their test media: start-up and work, side by side.

Each engine is started as the local runtime starts it (`medialens.runtime.engine_processes`: a
subprocess on 127.0.0.1, Ready polled) and timed on real media: chunk engines over `--calls`
calls one at a time (faces on scikit-image's astronaut, text on a 1280 x 720 frame with a
caption), stream and batch engines over one task from `/process` to the `complete` heartbeat
(transcription on 7 s of espeak-ng speech, keywords on a paragraph, shots and signals on a 4 s
video with cuts, black and silence). The resident memory of each engine (with its worker
processes) is read once it is ready.

    .venv/bin/python bench/sample_engines.py [--calls 20]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' media makers

from engines.catalog import SAMPLE_ENGINES
from tests.unit.engines_samples.media import astronaut_jpeg, cuts_mp4, speech_mp4
from tests.unit.engines_samples.running import ToolkitSide, running_engine

ROW = "{:<14} {:<7} {:>8} {:>8} {:<34} {:>8} {:>14}"
PARAGRAPH = (
    b"The city council approved the new public library on Monday. Residents love the beautiful "
    b"library and its wonderful reading garden. The library opens next spring with free courses."
)


def _caption_frame() -> bytes:
    """A 1280 x 720 frame with a white caption strip near the bottom."""
    frame = np.full((720, 1280, 3), 60, dtype=np.uint8)
    frame[560:660, 40:760] = 255
    cv2.putText(frame, "BREAKING NEWS", (70, 635), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (0, 0, 0), 4)
    return bytes(cv2.imencode(".jpg", frame)[1])


def _rss_mib(pid: int) -> float:
    """Resident memory of the engine and its worker processes once ready (Linux /proc)."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue  # the process ended meanwhile
        if int(fields.get("Pid", 0)) == pid or int(fields.get("PPid", 0)) == pid:
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20, help="calls per chunk engine")
    calls = parser.parse_args().calls
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the webhooks' request lines
    with tempfile.TemporaryDirectory() as scratch, ToolkitSide() as toolkit:
        directory = Path(scratch)
        chunks = {"faces": astronaut_jpeg(), "text": _caption_frame()}
        toolkit.media.update(
            {"speech.mp4": speech_mp4(directory), "cuts.mp4": cuts_mp4(directory), "text.txt": PARAGRAPH}
        )
        media = {
            "transcription": "speech.mp4",
            "keywords": "text.txt",
            "shots": "cuts.mp4",
            "signals": "cuts.mp4",
        }
        print(ROW.format("engine", "mode", "ready s", "RSS MiB", "work", "seconds", "rate"))
        for entry in SAMPLE_ENGINES:
            started = time.monotonic()
            with running_engine(entry.name) as running:
                ready = time.monotonic() - started
                assert running.pid is not None
                memory = _rss_mib(running.pid)
                if entry.name in chunks:
                    fields = {"chunkMimeType": "image/jpeg", "startOffsetMS": "0", "endOffsetMS": "500"}
                    begun = time.monotonic()
                    for _ in range(calls):
                        assert running.post(fields, chunks[entry.name]).status_code == 200
                    seconds = time.monotonic() - begun
                    work, rate = f"{calls} frames, one at a time", f"{calls / seconds:.1f} frames/s"
                else:
                    begun = time.monotonic()
                    assert running.post(toolkit.task_fields(entry.name, media[entry.name])).status_code == 200
                    record = toolkit.wait(entry.name, timeout=120)
                    seconds = time.monotonic() - begun
                    work = f"1 task: {record.final['status']}, {len(record.results)} results"
                    rate = f"{record.final['bytesRead'] / 1024 / seconds:.0f} KiB/s"
            print(
                ROW.format(
                    entry.name, entry.mode, f"{ready:.2f}", f"{memory:.0f}", work, f"{seconds:.2f}", rate
                )
            )


if __name__ == "__main__":
    main()
