"""Durable local state: a confirmed write survives a crash of the platform process.

- `journal`   append-only segments of framed, checksummed records, fsynced by group commit
- `requests`  which AWS requests change kept state, and what each touches
- `front`     the WSGI front before moto that journals each confirmed write before answering
- `changes`   a record's content: the touched resources' states after the write
- `replay`    the newest journaled states put back after a restart
- `durable_state`  the start-up recovery and the compaction that tie these to the snapshot
"""
