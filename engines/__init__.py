"""Sample Veritone-style cognitive engines: each a small HTTP service of its own (`python -m
engines.<name>`), with a `manifest.json`, answering in VTN-standard JSON. See `engines.catalog`
for the list and docs/engines.md, "Sample engines", for what each finds."""
