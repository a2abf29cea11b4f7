"""Text in images and video frames with RapidOCR (PP-OCR detection, direction and recognition ONNX
models shipped inside the rapidocr wheel, run by onnxruntime; no model is fetched).

Each line RapidOCR reads is a series item spanning the chunk whose `object` is
`{"type": "text", "text", "confidence", "boundingPoly"}`: the VTN v1 `text` contract, declared in
`validationContracts`. The polygon is the detector's quadrilateral (clockwise from top-left) in
relative coordinates. A chunk without text answers an empty `series`.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, ClassVar

import cv2
import numpy as np

from engines.toolkit import ChunkEngine, ProcessRequest
from engines.toolkit.media import decode_image
from engines.toolkit.vtn import confidence, polygon

SUPPORTED_TYPES = ("image/jpeg", "image/png")
CONTRACTS = ["text"]
# RapidOCR's default scales the shorter side up to 736 pixels: a 1280 x 720 frame is detected at
# 1309 x 736 and a caption strip is magnified many times. Scaling the longer side down to 960 at
# most reads the same text in a fraction of the time (docs/engines.md, "Sample engines").
DETECTION = {"Det.limit_type": "max", "Det.limit_side_len": 960}


class TextEngine(ChunkEngine):
    """Text in images and video frames (RapidOCR, PP-OCR models); chunk mode."""

    name: ClassVar[str] = "text"

    def __init__(self) -> None:
        self._ocr: Any = None
        self._lock = threading.Lock()  # one ONNX pipeline; calls are serialised

    def load(self) -> None:
        from rapidocr import RapidOCR  # imported here: it loads onnxruntime, which takes a while

        ocr = RapidOCR(params=DETECTION)
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)  # it warns of every empty result
        warm = np.full((48, 160, 3), 255, dtype=np.uint8)
        cv2.putText(warm, "ready", (5, 38), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 3)
        ocr(warm)  # the first run initialises detection and recognition
        self._ocr = ocr

    def process(self, request: ProcessRequest) -> dict[str, Any]:
        """`{"validationContracts": ["text"], "series": [{..., object: {type: "text", text, ...}}]}`."""
        minimum = request.payload_number("minConfidence", 0.5, low=0.0, high=1.0)
        image = decode_image(request, SUPPORTED_TYPES)
        height, width = image.shape[:2]
        assert self._ocr is not None, "process() before load()"
        with self._lock:
            found = self._ocr(image)
        series = []
        lines = zip(found.boxes, found.txts, found.scores, strict=True) if found.txts else []
        for quadrilateral, text, score in lines:
            if not text.strip() or score < minimum:
                continue
            read = {
                "type": "text",
                "text": text,
                "confidence": confidence(score),
                "boundingPoly": polygon([(x, y) for x, y in quadrilateral], width, height),
            }
            series.append(
                {"startTimeMs": request.start_offset_ms, "stopTimeMs": request.end_offset_ms, "object": read}
            )
        return {"sourceEngineName": "medialens-text", "validationContracts": CONTRACTS, "series": series}
