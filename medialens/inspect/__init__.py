"""The local platform's inspection pages: Discover over findings and an asset page (Datasette)."""

# The platform's pid, handed to the Datasette process, which exits once that process is gone.
PARENT_PID_ENV = "MEDIALENS_INSPECT_PARENT_PID"
