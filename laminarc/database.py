"""The embedded database: SQL in through the compiler, data through the engine."""

from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import replace

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot.errors import ParseError, TokenError

from .compiler import optimizer
from .compiler.backend import Jit
from .compiler.bind import CreateSource, CreateStream, Drop, QueryBinder, bind_statement
from .compiler.catalog import Catalog, Stream
from .compiler.codegen.runtime_api import SIGNATURES
from .compiler.compile import columns, compile_stream, source_spec
from .compiler.dialect import parse, to_sql
from .compiler.errors import SqlError
from .compiler.plan import explain as explain_plan
from .runtime.engine import Engine
from .runtime.errors import StateError
from .runtime.native import runtime_symbols
from .runtime.program import SourceSpec
from .runtime.subscription import Subscription

_EPOCH = dt.datetime(1970, 1, 1)


def parse_sql(sql: str):
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
        raise SqlError(f"syntax error: {e}", sql=sql) from None
    except RecursionError:
        raise SqlError(_TOO_DEEP, sql=sql) from None


_TOO_DEEP = "the statement is nested too deeply to compile (simplify its expressions)"


class Database:
    """An embedded streaming database. Not a server: everything runs in this process.

    >>> db = laminarc.open()
    >>> db.execute("CREATE SOURCE s (ts TIMESTAMP(3), v INT, WATERMARK FOR ts AS ts)")
    """

    def __init__(self, workers: int | None = None) -> None:
        if workers is None:
            workers = len(os.sched_getaffinity(0))
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.catalog = Catalog()
        self.engine = Engine(workers=workers)
        self._jit: Jit | None = None
        self._lock = threading.RLock()
        self._query_counter = 0

    @property
    def jit(self) -> Jit:
        if self._jit is None:
            self._jit = Jit.get(runtime_symbols(SIGNATURES))
        return self._jit

    # -- SQL -----------------------------------------------------------------------------------
    def execute(self, sql: str) -> None:
        """Run one or more statements (CREATE SOURCE / STREAM / MATERIALIZED VIEW, DROP).
        Statements run in order; an error stops at the failing statement, after the earlier
        ones took effect."""
        with self._lock:
            self._check_open()
            for stmt in parse_sql(sql):
                try:
                    self._execute(bind_statement(stmt, self.catalog, sql), to_sql(stmt))
                except SqlError as e:
                    e.sql = e.sql or sql
                    raise
                except RecursionError:
                    raise SqlError(_TOO_DEEP, sql=sql) from None

    def _execute(self, bound, text: str) -> None:
        if isinstance(bound, CreateSource):
            src = bound.source
            if self.catalog.taken(src.name):
                return   # IF NOT EXISTS
            self.engine.add_source(source_spec(src))
            self.catalog.sources[src.name] = src
        elif isinstance(bound, CreateStream):
            if self.catalog.taken(bound.name):
                return
            plan = optimizer.optimize(bound.query.plan)
            compiled = compile_stream(
                bound.name, plan, self.catalog, changelog=bound.query.changelog,
                materialized=bound.materialized, inputs=sorted(bound.query.inputs),
                triple=self.jit.backend.triple, data_layout=self.jit.backend.data_layout)
            addresses = self.jit.load(compiled.ir, compiled.spec.symbols())
            self.engine.add_stream(compiled.spec, addresses)
            self.catalog.streams[bound.name] = Stream(
                bound.name, plan, plan.fields, bound.query.changelog, bound.materialized, text,
                tuple(sorted(bound.query.inputs)))
        elif isinstance(bound, Drop):
            for name in bound.names:
                self._drop(name, bound.cascade)

    def _drop(self, name: str, cascade: bool) -> None:
        if not self.catalog.taken(name):
            return
        deps = self.catalog.dependents(name)
        if deps and not cascade:
            raise SqlError(f"can not drop '{name}': {', '.join(deps)} read it (DROP ... CASCADE "
                           "drops them too)")
        for d in deps:
            self._drop(d, cascade)
        self.engine.drop(name)
        self.catalog.sources.pop(name, None)
        self.catalog.streams.pop(name, None)

    # -- data ------------------------------------------------------------------------------------
    def insert(self, source: str, data: object) -> int:
        """Append rows to a source; returns how many. Raises SchemaError (and applies nothing)
        when the data does not fit the source's schema."""
        self._check_open()
        return self.engine.insert(source.lower() if source not in self.engine.sources else source,
                                  data)

    def watermark(self, source: str, ts: dt.datetime | dt.date | int) -> None:
        """Declare that `source` will have no more rows before `ts` (datetime, or epoch
        milliseconds): windows ending at or before it close."""
        self._check_open()
        name = source.lower() if source not in self.engine.sources else source
        src = self.engine._source(name)
        spec = src.spec
        if spec.time_column is None:
            raise StateError(f"source '{name}' has no event time (declare WATERMARK FOR)")
        self.engine.watermark(name, _to_units(ts, spec.time_unit))

    def end_input(self, source: str) -> None:
        """No more data for `source`: its watermark goes to infinity and every window closes."""
        self._check_open()
        self.engine.end_input(source.lower() if source not in self.engine.sources else source)

    def subscribe(self, stream: str) -> Subscription:
        """Rows the stream emits from now on."""
        self._check_open()
        return self.engine.subscribe(stream.lower() if stream not in self.engine.streams
                                     else stream)

    # -- one-shot queries ---------------------------------------------------------------------
    def query(self, sql: str) -> pa.Table:
        """Run a SELECT over materialized views now, returning its result."""
        with self._lock:
            self._check_open()
            stmts = parse_sql(sql)
            if len(stmts) != 1:
                raise SqlError("query() takes exactly one SELECT statement")
            try:
                bound = QueryBinder(self.catalog, one_shot=True).bind(stmts[0])
            except SqlError as e:
                e.sql = sql
                raise
            plan = optimizer.optimize(bound.plan)
            compiled = compile_stream("_query", plan, self.catalog, changelog=False,
                                      materialized=False, inputs=sorted(bound.inputs),
                                      triple=self.jit.backend.triple,
                                      data_layout=self.jit.backend.data_layout)
            addresses = self.jit.load(compiled.ir, compiled.spec.symbols())
            # The query runs as a stream over bounded sources holding the views' snapshots.
            engine = Engine()
            for name in sorted(bound.inputs):
                fields = tuple(replace(f, time_offset=None)
                               for f in self.catalog.streams[name].fields if f.name != "_op")
                engine.add_source(SourceSpec(name, columns(fields)))
            engine.add_stream(compiled.spec, addresses)
            sub = engine.subscribe("_query")
            for name in sorted(bound.inputs):
                engine.insert(name, self.engine.snapshot(name))
                engine.end_input(name)
            result = sub.to_arrow()
            engine.close()
        if bound.order:
            keys = [(result.column_names[i], "descending" if desc else "ascending",
                     "at_start" if nulls_first else "at_end")
                    for i, desc, nulls_first in bound.order]
            result = result.take(pc.sort_indices(result, sort_keys=keys))
        if bound.offset or bound.limit is not None:
            end = None if bound.limit is None else bound.offset + bound.limit
            result = result.slice(bound.offset, None if end is None else end - bound.offset)
        return result

    # -- introspection ------------------------------------------------------------------------
    def explain(self, sql: str, llvm: bool = False) -> str:
        """The plans of a CREATE STREAM / MATERIALIZED VIEW or a query: logical (as bound and
        optimized), physical pipelines, and with llvm=True the generated LLVM IR."""
        with self._lock:
            stmts = parse_sql(sql)
            if len(stmts) != 1:
                raise SqlError("explain() takes exactly one statement")
            stmt = stmts[0]
            try:
                if stmt.key == "create":
                    bound = bind_statement(stmt, _shadow(self.catalog, stmt), sql)
                    if not isinstance(bound, CreateStream):
                        raise SqlError("explain() shows streams, views and queries")
                    name, q = bound.name, bound.query
                else:
                    name, q = "query", QueryBinder(self.catalog).bind(stmt)
            except SqlError as e:
                e.sql = sql
                raise
            opt = optimizer.optimize(q.plan)
            compiled = compile_stream(name, opt, self.catalog, changelog=q.changelog,
                                      materialized=False, inputs=sorted(q.inputs))
        parts = ["== Logical plan ==", explain_plan(q.plan), "", "== Optimized plan ==",
                 explain_plan(opt), "", "== Physical plan =="]
        parts += [p.describe() for p in compiled.pipelines]
        if llvm:
            parts += ["", "== LLVM IR ==", compiled.ir]
        return "\n".join(parts)

    def metrics(self) -> dict:
        """Counters: rows in and out, late rows per source and stream, expression errors,
        watermarks, state sizes, and compile-cache figures."""
        m = self.engine.metrics()
        if self._jit is not None:
            s = self._jit.backend.stats
            m["compile"] = {"cache_hits_memory": s.hits_memory, "cache_hits_disk": s.hits_disk,
                            "llvm_compiles": s.misses, "llvm_seconds": round(s.llvm_seconds, 4)}
        return m

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _check_open(self) -> None:
        if self.engine.closed:
            raise StateError("the database is closed")


def _shadow(catalog: Catalog, stmt) -> Catalog:
    """The catalog without the statement's own name, so EXPLAIN works on existing streams."""
    name = stmt.this.name if hasattr(stmt.this, "name") else ""
    return Catalog(dict(catalog.sources), {k: v for k, v in catalog.streams.items() if k != name})


def _to_units(ts: dt.datetime | dt.date | int, unit: str) -> int:
    if isinstance(ts, bool):
        raise TypeError("a watermark is a datetime or epoch milliseconds")
    if isinstance(ts, int):
        return ts if unit == "ms" else ts * 1000
    if isinstance(ts, dt.datetime):
        if ts.tzinfo is not None:
            ts = ts.astimezone(dt.UTC).replace(tzinfo=None)
        delta = ts - _EPOCH
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return micros // 1000 if unit == "ms" else micros
    if isinstance(ts, dt.date):
        return _to_units(dt.datetime(ts.year, ts.month, ts.day), unit)
    if hasattr(ts, "to_pydatetime"):
        return _to_units(ts.to_pydatetime(), unit)
    raise TypeError(f"a watermark is a datetime or epoch milliseconds, not {type(ts).__name__}")


__all__ = ["Database"]
