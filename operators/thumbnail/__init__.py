"""The Thumbnail operator: one JPEG frame of the input video, made with the bundled ffmpeg."""
