"""Face detection with OpenCV's frontal-face Haar cascade (`haarcascade_frontalface_default.xml`,
shipped in opencv-python-headless under `cv2.data.haarcascades`; no model is fetched).

Each face is a series item spanning the chunk (`startOffsetMS` to `endOffsetMS`) whose `object` is
`{"type": "face", "confidence", "boundingPoly"}` with a relative four-point box (seed 000's faces
example). VTN v1 has no face contract (its `object` contract requires `type: "object"`), so the
document declares none and is checked against AION alone; v2's face object contract (a face must
have a `boundingPoly`) holds too.

Confidence: the cascade gives no probability. A detection is kept when at least `MIN_NEIGHBOURS`
overlapping windows agree; confidence is `n / (n + MIN_NEIGHBOURS)` for `n` agreeing windows, so a
face just at the threshold scores 0.5 and a clear one (25 windows) about 0.83.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

import cv2

from engines.toolkit import ChunkEngine, ProcessRequest
from engines.toolkit.media import decode_image
from engines.toolkit.vtn import box, confidence

CASCADE = "haarcascade_frontalface_default.xml"
SCALE_FACTOR = 1.1
MIN_NEIGHBOURS = 5
MIN_FACE_RATIO = 1 / 20  # faces smaller than 1/20 of the image's shorter side are not looked for
SUPPORTED_TYPES = ("image/jpeg", "image/png")


class FaceEngine(ChunkEngine):
    """Faces in images and video frames (OpenCV Haar cascade); chunk mode."""

    name: ClassVar[str] = "faces"

    def __init__(self) -> None:
        self._cascade: cv2.CascadeClassifier | None = None
        self._lock = threading.Lock()  # a CascadeClassifier is not safe to share between threads

    def load(self) -> None:
        directory: str = cv2.data.haarcascades  # type: ignore[attr-defined]  # not in OpenCV's stubs
        cascade = cv2.CascadeClassifier(directory + CASCADE)
        if cascade.empty():
            raise RuntimeError(f"OpenCV could not load {CASCADE} from {directory}")
        self._cascade = cascade

    def process(self, request: ProcessRequest) -> dict[str, Any]:
        """`{"series": [{startTimeMs, stopTimeMs, object: {type: "face", confidence, boundingPoly}}]}`."""
        minimum = request.payload_number("minConfidence", 0.0, low=0.0, high=1.0)
        image = decode_image(request, SUPPORTED_TYPES)
        height, width = image.shape[:2]
        gray = cv2.equalizeHist(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
        smallest = max(24, int(min(width, height) * MIN_FACE_RATIO))
        assert self._cascade is not None, "process() before load()"
        with self._lock:
            boxes, neighbours = self._cascade.detectMultiScale2(
                gray, scaleFactor=SCALE_FACTOR, minNeighbors=MIN_NEIGHBOURS, minSize=(smallest, smallest)
            )
        found = [
            (confidence(agreeing / (agreeing + MIN_NEIGHBOURS)), (left, top, face_width, face_height))
            for (left, top, face_width, face_height), agreeing in zip(boxes, neighbours, strict=True)
        ]
        series = [
            {
                "startTimeMs": request.start_offset_ms,
                "stopTimeMs": request.end_offset_ms,
                "object": {"type": "face", "confidence": score, "boundingPoly": box(*pixels, width, height)},
            }
            for score, pixels in sorted(found, key=lambda face: -face[0])
            if score >= minimum
        ]
        return {"sourceEngineName": "medialens-faces", "series": series}
