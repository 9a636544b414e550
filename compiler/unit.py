"""A pipeline file as a whole: every statement parsed, bound, optimized and lowered to LLVM IR
in order, without running anything. `laminarc check`, `explain` and `compile` work on this;
the embedded database applies statements one at a time instead (laminarc/database.py).

DROP statements take effect within the file (a later statement may reuse the name)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlglot.errors import ParseError, TokenError

from ..runtime.program import SourceSpec
from . import optimizer
from .bind import CreateSource, CreateStream, bind_statement
from .catalog import Catalog, Stream
from .compile import CompiledStream, compile_stream, source_spec
from .dialect import parse, to_sql
from .errors import SqlError
from .plan import Node

TOO_DEEP = "the statement is nested too deeply to compile (simplify its expressions)"


def parse_sql(sql: str) -> list:
    """Statements of `sql`, or SqlError at the offending token."""
    try:
        return parse(sql)
    except ParseError as e:
        err = e.errors[0] if e.errors else {}
        line, col = err.get("line", 0), err.get("col", 0)
        highlight = err.get("highlight") or ""
        start_col = max(col - len(highlight) + 1, 1) if highlight else col
        desc = err.get("description") or str(e)
        near = f" near '{highlight}'" if highlight and highlight not in desc else ""
        raise SqlError(f"syntax error: {desc}{near}", line, start_col, sql) from None
    except TokenError as e:
        offset, what = _token_problem(e, sql)
        line = sql.count("\n", 0, offset) + 1
        raise SqlError(f"syntax error: {what}", line, offset - (sql.rfind("\n", 0, offset) + 1)
                       + 1, sql) from None
    except RecursionError:
        raise SqlError(TOO_DEEP, sql=sql) from None


def _token_problem(e: TokenError, sql: str) -> tuple[int, str]:
    """(offset in sql, description) of a tokenizer failure. sqlglot names an unterminated
    quote's start offset in the error it wraps; otherwise its scan stopped 50 characters
    after the context it quotes begins (or before it ends), or at the end of the text."""
    cause = re.fullmatch(r"Missing (.+) from \d+:(\d+)", str(e.__cause__ or ""))
    if cause:
        return min(int(cause[2]), len(sql)), f"unterminated quote: no closing {cause[1]}"
    if e.start:
        offset = e.start + 50
    elif e.end is not None and e.end < len(sql) - 1:
        offset = e.end - 50
    else:
        offset = len(sql)
    offset = min(max(offset, 0), len(sql))
    if offset >= len(sql):
        return len(sql), "unexpected end of the text (an unclosed comment or quote?)"
    return offset, f"can not read the text near '{sql[offset:offset + 20]}'"


@dataclass
class UnitStream:
    name: str
    sql: str                 # the statement, as our dialect prints it
    logical: Node            # as bound
    optimized: Node
    compiled: CompiledStream
    materialized: bool


@dataclass
class Unit:
    sql: str
    catalog: Catalog = field(default_factory=Catalog)
    sources: list[SourceSpec] = field(default_factory=list)
    streams: list[UnitStream] = field(default_factory=list)

    def drop(self, name: str) -> None:
        self.catalog.sources.pop(name, None)
        self.catalog.streams.pop(name, None)
        self.sources = [s for s in self.sources if s.name != name]
        self.streams = [s for s in self.streams if s.name != name]


def compile_unit(sql: str, *, triple: str = "", data_layout: str = "") -> Unit:
    """Every statement of a pipeline file, compiled to LLVM IR (no machine code); SqlError,
    carrying the file's text, at the first mistake."""
    unit = Unit(sql)
    for stmt in parse_sql(sql):
        apply_statement(unit, stmt, sql, triple, data_layout)
    return unit


def apply_statement(unit: Unit, stmt, sql: str, triple: str = "", data_layout: str = ""
                    ) -> SourceSpec | UnitStream | list[str] | None:
    """Bind and compile one parsed statement into `unit`; what it did: a new source's spec, a
    new stream, the names a DROP removed (dependents first), or None (IF NOT EXISTS)."""
    try:
        return _apply(unit, bind_statement(stmt, unit.catalog, sql), to_sql(stmt), triple,
                      data_layout)
    except SqlError as e:
        e.sql = e.sql or sql
        raise
    except RecursionError:
        raise SqlError(TOO_DEEP, sql=sql) from None


def _apply(unit: Unit, bound, text: str, triple: str, data_layout: str):
    cat = unit.catalog
    if isinstance(bound, CreateSource):
        if cat.taken(bound.source.name):
            return None   # IF NOT EXISTS
        spec = source_spec(bound.source)
        cat.sources[bound.source.name] = bound.source
        unit.sources.append(spec)
        return spec
    if isinstance(bound, CreateStream):
        if cat.taken(bound.name):
            return None
        q = bound.query
        plan = optimizer.optimize(q.plan)
        compiled = compile_stream(bound.name, plan, cat, changelog=q.changelog,
                                  materialized=bound.materialized, inputs=sorted(q.inputs),
                                  triple=triple, data_layout=data_layout)
        cat.streams[bound.name] = Stream(bound.name, plan, plan.fields, q.changelog,
                                         bound.materialized, text, tuple(sorted(q.inputs)))
        stream = UnitStream(bound.name, text, q.plan, plan, compiled, bound.materialized)
        unit.streams.append(stream)
        return stream
    dropped: list[str] = []
    for name in bound.names:
        _drop(unit, name, bound.cascade, dropped)
    return dropped


def _drop(unit: Unit, name: str, cascade: bool, dropped: list[str]) -> None:
    if not unit.catalog.taken(name):
        return
    deps = unit.catalog.dependents(name)
    if deps and not cascade:
        raise SqlError(f"can not drop '{name}': {', '.join(deps)} read it (DROP ... CASCADE "
                       "drops them too)")
    for d in deps:
        _drop(unit, d, cascade, dropped)
    unit.drop(name)
    dropped.append(name)
