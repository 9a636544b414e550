"""laminarc: streaming SQL compiled to native code, embedded in Python.

    import laminarc
    db = laminarc.open()
    db.execute("CREATE SOURCE ...; CREATE STREAM ... AS SELECT ...")
    sub = db.subscribe("stream")
    db.insert("source", arrow_batch)

Names load on first use, so `laminarc --version` and the compiler's command-line paths do not
pay for the embedded database's imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .compiler.errors import SqlError
    from .database import Database
    from .runtime.errors import ExecutionError, LaminarError, SchemaError, StateError
    from .runtime.subscription import Subscription

__version__ = "0.1.0"

_LAZY = {
    "Database": ".database",
    "SqlError": ".compiler.errors",
    "ExecutionError": ".runtime.errors",
    "LaminarError": ".runtime.errors",
    "SchemaError": ".runtime.errors",
    "StateError": ".runtime.errors",
    "Subscription": ".runtime.subscription",
}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'laminarc' has no attribute {name!r}")


def set_memory_limit(limit_bytes: int | None) -> None:
    """Cap the native memory of every database in this process (tables, windows, output
    batches); beyond it an operation fails with ExecutionError instead of exhausting the
    machine. The default is 80% of the memory the process may use; None removes the cap."""
    from .runtime.native import lib

    lib.lc_set_memory_limit(int(limit_bytes or 0))


def memory_limit() -> int | None:
    """The cap set_memory_limit sets, in bytes (None: no cap)."""
    from .runtime.native import lib

    return lib.lc_memory_limit() or None


def open(workers: int | None = None) -> Database:
    """A new embedded database, in memory. `workers`: threads running compiled pipelines, one
    pinned per CPU (default: the CPUs this process may use); results do not depend on it."""
    from .database import Database

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
    "memory_limit",
    "open",
    "set_memory_limit",
]
