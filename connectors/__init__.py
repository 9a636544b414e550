"""Connectors: sources and sinks between laminarc and the outside world.

A source's `poll()` returns a `pyarrow.RecordBatch` or None; its position (what a checkpoint
keeps) comes from `snapshot()` and goes back through `restore()`. `files` reads Arrow IPC,
Parquet, CSV and JSON-lines files through the runtime's io_uring file layer.
"""
