"""Name resolution: which input column an identifier means."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from ..dialect import sql_text
from ..errors import error_at
from ..plan import Field


def normalize(ident: exp.Identifier | str | None) -> str:
    """Unquoted identifiers are case-insensitive (lower-cased); quoted ones are exact."""
    if ident is None:
        return ""
    if isinstance(ident, str):
        return ident.lower()
    if not isinstance(ident, exp.Identifier):   # e.g. a placeholder (`:a`) where a name goes
        raise error_at(ident, f"expected a name, found '{sql_text(ident)}'")
    return ident.this if ident.quoted else ident.this.lower()


@dataclass(frozen=True)
class ScopeColumn:
    table: str           # alias or relation name qualifying the column ("" for none)
    field: Field
    index: int           # position in the input row
    hidden: bool = False  # not expanded by `*` nor resolvable by name (e.g. `_op`)


class Scope:
    def __init__(self, columns: list[ScopeColumn]):
        self.columns = columns

    @staticmethod
    def of(fields: tuple[Field, ...], table: str, hidden: tuple[str, ...] = ()) -> Scope:
        return Scope(
            [ScopeColumn(table, f, i, f.name in hidden) for i, f in enumerate(fields)]
        )

    def resolve(self, column: exp.Column) -> ScopeColumn:
        name = normalize(column.this if isinstance(column.this, exp.Identifier) else None)
        if not name:
            raise error_at(column, f"invalid column reference {sql_text(column)}")
        table = normalize(column.args.get("table"))
        found = [
            c for c in self.columns
            if not c.hidden and c.field.name == name and (not table or c.table == table)
        ]
        if not found and not column.this.quoted:
            # Columns declared with quoted mixed-case names may be referenced unquoted.
            found = [
                c for c in self.columns
                if not c.hidden and c.field.name.lower() == name and (not table or c.table == table)
            ]
        if not found:
            if table and not any(c.table == table for c in self.columns):
                raise error_at(column, f"unknown table or alias '{table}'")
            known = ", ".join(sorted({c.field.name for c in self.columns if not c.hidden}))
            raise error_at(column, f"unknown column '{name}' (available: {known})")
        if len(found) > 1:
            raise error_at(column, f"column reference '{name}' is ambiguous")
        return found[0]

    def star(self, table: str | None = None) -> list[ScopeColumn]:
        return [c for c in self.columns if not c.hidden and (not table or c.table == table)]

    def has_table(self, table: str) -> bool:
        return any(c.table == table for c in self.columns)
