"""The embedded database: SQL in through the compiler, data through the engine."""

from __future__ import annotations

import threading
from dataclasses import replace

import pyarrow as pa
import pyarrow.compute as pc

from .compiler import optimizer
from .compiler.backend import Jit
from .compiler.bind import CreateStream, QueryBinder, bind_statement
from .compiler.catalog import Catalog
from .compiler.codegen.runtime_api import SIGNATURES
from .compiler.compile import columns, compile_stream
from .compiler.errors import SqlError
from .compiler.plan import explain as explain_plan
from .compiler.unit import Unit, UnitStream, apply_statement, parse_sql
from .runtime.dataplane import DataPlane
from .runtime.engine import Engine
from .runtime.native import runtime_symbols
from .runtime.program import SourceSpec


class Database(DataPlane):
    """An embedded streaming database. Not a server: everything runs in this process. The
    verbs on data (insert, watermark, end_input, subscribe, view, close) are DataPlane's; this
    adds SQL.

    >>> db = laminarc.open()
    >>> db.execute("CREATE SOURCE s (ts TIMESTAMP(3), v INT, WATERMARK FOR ts AS ts)")
    """

    def __init__(self, workers: int | None = None) -> None:
        super().__init__(workers)
        self.unit = Unit("")       # the catalog and what each statement compiled to
        self._jit: Jit | None = None
        self._lock = threading.RLock()

    @property
    def catalog(self) -> Catalog:
        return self.unit.catalog

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
            backend = self.jit.backend
            for stmt in parse_sql(sql):
                did = apply_statement(self.unit, stmt, sql, backend.triple, backend.data_layout)
                if isinstance(did, SourceSpec | UnitStream):
                    try:
                        self._start(did)
                    except BaseException:
                        self.unit.drop(did.name)   # the catalog only holds what runs
                        raise
                elif did:
                    for name in did:
                        self.engine.drop(name)

    def _start(self, did: SourceSpec | UnitStream) -> None:
        if isinstance(did, SourceSpec):
            self.engine.add_source(did)
            return
        compiled = did.compiled
        addresses = self.jit.load(compiled.ir, compiled.spec.symbols())
        self.engine.add_stream(compiled.spec, addresses)

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
            result = result.take(pc.sort_indices(*_sort_keys(result, bound.order)))
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
        watermarks, state sizes, per-worker times, and compile-cache figures."""
        m = self.engine.metrics()
        if self._jit is not None:
            s = self._jit.backend.stats
            m["compile"] = {"cache_hits_memory": s.hits_memory, "cache_hits_disk": s.hits_disk,
                            "llvm_compiles": s.misses, "llvm_seconds": round(s.llvm_seconds, 4)}
        return m


def _shadow(catalog: Catalog, stmt) -> Catalog:
    """The catalog without the statement's own name, so EXPLAIN works on existing streams."""
    name = stmt.this.name if hasattr(stmt.this, "name") else ""
    return Catalog(dict(catalog.sources), {k: v for k, v in catalog.streams.items() if k != name})


__all__ = ["Database"]


def _sort_keys(result: pa.Table, order: list[tuple[int, bool, bool]]
               ) -> tuple[pa.Table, list[tuple[str, str, str]]]:
    """`result` with the columns ORDER BY needs, and the keys for pyarrow's sort_indices.
    NaN sorts above every number, as in DuckDB; pyarrow places it beside the NULLs whatever
    the direction, so a float key is preceded by whether it is NaN, in its direction."""
    table, keys = result, []
    for j, (i, desc, nulls_first) in enumerate(order):
        direction = "descending" if desc else "ascending"
        nulls = "at_start" if nulls_first else "at_end"
        column = result.column(i)
        if pa.types.is_floating(column.type):
            name = f"$nan{j}"
            table = table.append_column(name, pc.is_nan(column))
            keys.append((name, direction, nulls))
        keys.append((result.column_names[i], direction, nulls))
    return table, keys
