from engines.toolkit import serve
from engines.transcription.engine import TranscriptionEngine

serve(TranscriptionEngine())
