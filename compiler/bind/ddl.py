"""CREATE SOURCE / STREAM / MATERIALIZED VIEW and DROP, bound against the catalog."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from ..catalog import Catalog, Source
from ..dialect import sql_text
from ..errors import error_at
from ..plan import Field
from ..types import BIGINT, Kind
from .literals import bind_interval, bind_type
from .query import BoundQuery, QueryBinder
from .scope import normalize


@dataclass
class CreateSource:
    source: Source
    if_not_exists: bool


@dataclass
class CreateStream:
    name: str
    query: BoundQuery
    materialized: bool
    if_not_exists: bool
    sql: str


@dataclass
class Drop:
    kind: str          # "SOURCE" | "STREAM" | "MATERIALIZED VIEW"
    names: list[str]
    if_exists: bool
    cascade: bool


Statement = CreateSource | CreateStream | Drop


def bind_statement(stmt: exp.Expr, catalog: Catalog, sql: str) -> Statement:
    if isinstance(stmt, exp.Create):
        kind = (stmt.args.get("kind") or "").upper()
        if kind == "SOURCE":
            return bind_create_source(stmt, catalog, sql)
        if kind == "STREAM" or (kind == "VIEW" and _materialized(stmt)):
            return bind_create_stream(stmt, catalog, sql, materialized=kind == "VIEW")
        if kind == "VIEW":
            raise error_at(stmt.this, "plain views are not supported; use CREATE STREAM or "
                           "CREATE MATERIALIZED VIEW")
        raise error_at(stmt.this, f"CREATE {kind} is not supported (CREATE SOURCE, STREAM and "
                       "MATERIALIZED VIEW are)")
    if isinstance(stmt, exp.Drop):
        return bind_drop(stmt, catalog)
    if isinstance(stmt, exp.Query):
        raise error_at(stmt, "a bare query has no destination: wrap it in CREATE STREAM name AS "
                       "..., or run it with db.query() over materialized views")
    raise error_at(stmt, f"{stmt.key.upper()} statements are not supported")


def _materialized(stmt: exp.Create) -> bool:
    props = stmt.args.get("properties")
    return bool(props) and any(
        isinstance(p, exp.MaterializedProperty) for p in props.expressions
    )


def _name(stmt: exp.Create) -> tuple[str, exp.Expr]:
    target = stmt.this
    table = target.this if isinstance(target, exp.Schema) else target
    if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
        raise error_at(target, "expected a name")
    if table.args.get("db"):
        raise error_at(table, "qualified names are not supported")
    return normalize(table.this), table


def bind_create_source(stmt: exp.Create, catalog: Catalog, sql: str) -> CreateSource:
    name, where = _name(stmt)
    if stmt.args.get("replace"):
        raise error_at(where, "CREATE OR REPLACE is not supported; DROP first")
    if stmt.args.get("expression") is not None:
        raise error_at(stmt.args["expression"], "a source is declared with columns, not AS query")
    exists = bool(stmt.args.get("exists"))
    if catalog.taken(name) and not exists:
        raise error_at(where, f"relation '{name}' already exists")
    schema = stmt.this
    if not isinstance(schema, exp.Schema) or not schema.expressions:
        raise error_at(where, f"source '{name}' needs a column list")
    fields: list[Field] = []
    watermark = None
    for item in schema.expressions:
        if isinstance(item, exp.WatermarkColumnConstraint):
            if watermark is not None:
                raise error_at(item, "a source has at most one WATERMARK")
            watermark = item
            continue
        if not isinstance(item, exp.ColumnDef):
            raise error_at(item, f"unsupported item in a source definition: {sql_text(item)}")
        col_name = normalize(item.this)
        if col_name == "_op":
            raise error_at(item.this, "the column name _op is reserved for changelogs")
        if any(f.name == col_name for f in fields):
            raise error_at(item.this, f"duplicate column '{col_name}'")
        if item.args.get("kind") is None:
            raise error_at(item.this, f"column '{col_name}' needs a type")
        t = bind_type(item.args["kind"], what=f"column '{col_name}'")
        nullable = True
        for c in item.args.get("constraints") or []:
            if isinstance(c.kind, exp.NotNullColumnConstraint):
                nullable = bool(c.kind.args.get("allow_null"))
            else:
                raise error_at(c, f"column constraint {sql_text(c)} is not supported")
        fields.append(Field(col_name, t, nullable))
    time_column = None
    delay = 0
    if watermark is not None:
        time_column, delay = _bind_watermark(watermark, fields)
        tf = fields[time_column]
        fields[time_column] = Field(tf.name, tf.type, False, time_offset=0)
    options = {}
    props = stmt.args.get("properties")
    for p in props.expressions if props else []:
        if isinstance(p, exp.Property):
            options[p.name.lower()] = p.args["value"].name
    source = Source(name, tuple(fields), time_column, delay, options, sql)
    return CreateSource(source, exists)


def _bind_watermark(node: exp.WatermarkColumnConstraint, fields: list[Field]) -> tuple[int, int]:
    col = node.this
    col_name = normalize(col.this) if isinstance(col, exp.Column) else ""
    index = next((i for i, f in enumerate(fields) if f.name == col_name), None)
    if index is None:
        raise error_at(col, f"WATERMARK FOR names an unknown column '{col_name}'")
    t = fields[index].type
    if t.kind is not Kind.TIMESTAMP and t != BIGINT:
        raise error_at(col, f"the event-time column '{col_name}' must be TIMESTAMP or BIGINT "
                       f"(epoch milliseconds), not {t}")
    expr = node.expression
    delay_node = None
    if isinstance(expr, exp.Sub):
        delay_node = expr.expression
        expr = expr.this
    if not (isinstance(expr, exp.Column) and normalize(expr.this) == col_name):
        raise error_at(node.expression, f"the watermark must be {col_name} or "
                       f"{col_name} - INTERVAL '<delay>' <unit>")
    if delay_node is None:
        return index, 0
    if isinstance(delay_node, exp.Interval):
        months, micros = bind_interval(delay_node)
        if months:
            raise error_at(delay_node, "a watermark delay in months or years is not supported")
        unit = t.time_unit_us
        delay = -(-micros // unit)   # round up: a coarser watermark is never too early
    elif isinstance(delay_node, exp.Literal) and not delay_node.is_string and t == BIGINT and \
            delay_node.this.isdigit():
        delay = int(delay_node.this)
    else:
        raise error_at(delay_node, "the watermark delay must be an INTERVAL literal")
    if delay < 0:
        raise error_at(delay_node, "the watermark delay must not be negative")
    return index, delay


def bind_create_stream(stmt: exp.Create, catalog: Catalog, sql: str,
                       materialized: bool) -> CreateStream:
    name, where = _name(stmt)
    if stmt.args.get("replace"):
        raise error_at(where, "CREATE OR REPLACE is not supported; DROP first")
    exists = bool(stmt.args.get("exists"))
    if catalog.taken(name) and not exists:
        raise error_at(where, f"relation '{name}' already exists")
    query = stmt.args.get("expression")
    if query is None:
        raise error_at(where, f"CREATE {'MATERIALIZED VIEW' if materialized else 'STREAM'} "
                       f"{name} needs AS <query>")
    bound = QueryBinder(catalog).bind(query)
    return CreateStream(name, bound, materialized, exists, sql)


_DROP_KINDS = {"SOURCE": "SOURCE", "STREAM": "STREAM", "VIEW": "MATERIALIZED VIEW"}


def bind_drop(stmt: exp.Drop, catalog: Catalog) -> Drop:
    raw = (stmt.args.get("kind") or "").upper()
    if raw not in _DROP_KINDS or (raw == "VIEW" and not stmt.args.get("materialized")):
        raise error_at(stmt, f"DROP {raw} is not supported (SOURCE, STREAM, MATERIALIZED VIEW)")
    kind = _DROP_KINDS[raw]
    names = []
    for t in stmt.args.get("tables") or []:
        name = normalize(t.this if isinstance(t.this, exp.Identifier) else None)
        rel = catalog.lookup(name)
        if rel is None:
            if stmt.args.get("exists"):
                continue
            raise error_at(t, f"unknown relation '{name}'")
        actual = "SOURCE" if name in catalog.sources else (
            "MATERIALIZED VIEW" if rel.materialized else "STREAM")
        if actual != kind:
            raise error_at(t, f"'{name}' is a {actual.lower()}, not a {kind.lower()}")
        names.append(name)
    return Drop(kind, names, bool(stmt.args.get("exists")), bool(stmt.args.get("cascade")))
