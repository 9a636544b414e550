"""SqlError: every mistake in user SQL, with the line and column it was found at."""

from __future__ import annotations

from sqlglot import exp

from ..runtime.errors import LaminarError


class SqlError(LaminarError, ValueError):
    """A statement can not be compiled. `line` and `column` are 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0, column: int = 0, sql: str | None = None):
        self.message = message
        self.line = line
        self.column = column
        self.sql = sql
        where = f"line {line}, column {column}: " if line else ""
        super().__init__(where + message)

    def context(self) -> str:
        """The offending line of SQL with a caret under the column, when both are known."""
        if not self.sql or not self.line:
            return ""
        lines = self.sql.splitlines()
        if self.line > len(lines):
            return ""
        text = lines[self.line - 1]
        return f"{text}\n{' ' * max(self.column - 1, 0)}^"


def position(node: exp.Expr | None) -> tuple[int, int]:
    """(line, column) where `node` starts in the SQL text, from the first token position sqlglot
    recorded in it or its descendants; (0, 0) when none was recorded.

    sqlglot records the *end* column of identifiers and literals; the start is derived from the
    token's length so carets point at the first character."""
    if node is None:
        return 0, 0
    best: tuple[int, int, int] | None = None
    for n in node.walk():
        meta = n.meta if hasattr(n, "meta") else None
        if meta and "line" in meta:
            start = meta.get("start", 0)
            if best is None or start < best[2]:
                width = meta.get("end", start) - start
                best = (meta["line"], max(meta["col"] - width, 1), start)
    return (best[0], best[1]) if best else (0, 0)


def error_at(node: exp.Expr | None, message: str) -> SqlError:
    """An SqlError at `node`, or, where the parser recorded no position in it (a type without
    parameters, a placeholder), at the nearest enclosing node that has one."""
    line, col = position(node)
    while not line and node is not None and node.parent is not None:
        node = node.parent
        line, col = position(node)
    return SqlError(message, line, col)
