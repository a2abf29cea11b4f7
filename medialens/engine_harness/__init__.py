"""The engine developer's harness: `medialens engine test` and `medialens engine console`.

What the Engine Toolkit's Test Console did for one chunk, done for a whole run and for all three
engine modes, with the platform's own code: the `/process` form (`operators.engine.run.build_form`),
Ready polling and the retry policy (`operators.engine.client`), chunking with the bundled ffmpeg
(`operators.engine.chunking`), VTN validation and merging (`operators.engine.vtn`) and the
webhooks' body rules (`api.engines.webhooks`). Modules:

    errors          HarnessError: a mistake on the command line (one line, non-zero exit)
    manifest_check  reading and checking manifest.json
    settings        the run's settings as the platform's Engine block
    engine_process  starting the engine command as the toolkit does, stopping it
    media           the media to send: a given file, or a generated one
    task_server     127.0.0.1 server: media as cacheURI, heartbeat and result webhooks
    chunk_run       a chunk engine's run (later_run: chunks answered on their webhook)
    task_run        a stream or batch engine's task
    verdicts        every answer validated, the answers merged
    report          the table per chunk / task, report.json and the merged VTN document
    harness         one whole `engine test` run
    console_app     the web console (console_page: its HTML)
    cli             the typer sub-app `engine`
"""
