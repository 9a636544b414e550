"""Exceptions a user of the runtime can meet. The compiler's SqlError derives from the same base,
so `except laminarc.LaminarError` catches every error laminarc raises on purpose."""

from __future__ import annotations


class LaminarError(Exception):
    """Base of every error laminarc raises on purpose."""


class SchemaError(LaminarError, ValueError):
    """Inserted data does not match the source's schema; nothing of the insert was applied."""

    def __init__(self, message: str, column: str | None = None):
        super().__init__(message)
        self.column = column


class ExecutionError(LaminarError, RuntimeError):
    """The native runtime failed (out of memory, a limit, an internal error)."""


class StateError(LaminarError, RuntimeError):
    """An operation that the object's state does not allow (closed database, ended input)."""
