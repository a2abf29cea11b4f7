"""The Mediainfo operator: technical metadata of the input video, read with libmediainfo."""
