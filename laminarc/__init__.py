"""laminarc: streaming SQL compiled to native code, embedded in Python.

    import laminarc
    db = laminarc.open()
    db.execute("CREATE SOURCE ...; CREATE STREAM ... AS SELECT ...")
    sub = db.subscribe("stream")
    db.insert("source", arrow_batch)
"""

from __future__ import annotations

from .compiler.errors import SqlError
from .database import Database
from .runtime.errors import ExecutionError, LaminarError, SchemaError, StateError
from .runtime.subscription import Subscription

__version__ = "0.1.0"


def set_memory_limit(limit_bytes: int | None) -> None:
    """Cap the native memory of every database in this process (tables, windows, output
    batches); beyond it an operation fails with ExecutionError instead of exhausting the
    machine. None removes the cap."""
    from .runtime.native import lib

    lib.lc_set_memory_limit(int(limit_bytes or 0))


def open(workers: int | None = None) -> Database:
    """A new embedded database, in memory. `workers`: threads running compiled pipelines, one
    pinned per CPU (default: the CPUs this process may use); results do not depend on it."""
    return Database(workers)


__all__ = [
    "Database",
    "ExecutionError",
    "LaminarError",
    "SchemaError",
    "SqlError",
    "StateError",
    "Subscription",
    "__version__",
    "open",
    "set_memory_limit",
]
