"""bucket_time_keys: group by the day (hour, minute, second) a DATE_FORMAT key names, not by
its text.

    Project [$0 AS day, $1 AS n]                     Project [DATE_FORMAT[yyyy-MM-dd]($2) AS day, $1 AS n]
      Aggregate keys=[$0] aggs=[COUNT(*)]      ->      Aggregate keys=[$0] aggs=[COUNT(*), MIN(t#1)]
        Project [DATE_FORMAT[yyyy-MM-dd](t) AS $0]       Project [TIME_BUCKET[86400000](t) AS $0, t]

GROUP BY DATE_FORMAT(t, 'yyyy-MM-dd') is how Flink SQL groups by day (Nexmark q15-q17). Per
row, the text costs a calendar conversion, formatting, and a string key to hash and compare.
When the pattern names the time exactly to some unit (year, month and day, then optionally
hour, minute and second in that order, each field at most once, and only the year of
variable width, so that one text is one time), two rows have the same text exactly when their
times fall in the same unit: the groups are those of floor(t / unit), an integer. The text is
made once per group on emission, from MIN(t), whose text is every row's of the group. A DATE
is its own key. The text's NULL is t's NULL, and the key's, so the NULL group is the same too.
Only an argument that can not fail is moved: it is evaluated twice per row (key and MIN).
"""

from __future__ import annotations

from dataclasses import replace

from ..expr import Expr, Op, col
from ..plan import AggCall, AggFunc, Aggregate, EmitMode, Field, Node, Project, Scan
from ..types import BIGINT, Kind

# a unit's length in microseconds, by the finest field a pattern names
_UNIT_US = {"d": 86_400_000_000, "H": 3_600_000_000, "m": 60_000_000, "s": 1_000_000}
_CHAIN = "yMdHms"   # the fields in order: a pattern names a prefix of at least y, M, d


def bucket_time_keys(plan: Node) -> Node:
    if isinstance(plan, Scan):
        return plan
    plan = replace(plan, input=bucket_time_keys(plan.input))
    if isinstance(plan, Aggregate) and isinstance(plan.input, Project):
        return _bucketed(plan)
    return plan


def pattern_unit(program: bytes) -> str | None:
    """The finest field ('d', 'H', 'm' or 's') of a DATE_FORMAT program (pairs of op and
    width, literal text after op 1) whose text names a time exactly to that unit, else
    None."""
    fields: dict[str, int] = {}
    i = 0
    while i + 1 < len(program):
        op, width = program[i], program[i + 1]
        i += 2
        if op == 1:
            i += width
            continue
        c = chr(op)
        if c not in _CHAIN or c in fields:
            return None   # a fraction of a second, or a field twice
        fields[c] = width
    named = "".join(c for c in _CHAIN if c in fields)
    if len(named) < 3 or _CHAIN[: len(named)] != named:
        return None
    if fields["y"] == 2:   # 'yy': the year's last two digits
        return None
    # a field of width 1 prints 1 or 2 digits: only the year may vary in width, so each
    # other field's place in the text is fixed from one end or the other
    if any(w < 2 for c, w in fields.items() if c != "y"):
        return None
    return named[-1]


def _bucketed(agg: Aggregate) -> Node:
    pre = agg.input
    n_keys, n_aggs = len(agg.keys), len(agg.aggs)
    used = {a.arg for a in agg.aggs} | {a.filter for a in agg.aggs}
    exprs, fields = list(pre.exprs), list(pre.fields)
    key_fields = list(agg.fields[:n_keys])
    mins: list[AggCall] = []
    texts: dict[int, Expr] = {}   # key position -> its text, over the new aggregate's output
    for pos, k in enumerate(agg.keys):
        e = exprs[k]
        if e.op is not Op.DATE_FORMAT or agg.keys.count(k) > 1 or k in used:
            continue
        x = e.args[0]
        unit = pattern_unit(e.value[1])
        if unit is None or x.can_fail():
            continue
        if x.type.kind is Kind.DATE:
            key, shown = x, col(pos, x.type, x.nullable)
        else:
            key = Expr(Op.TIME_BUCKET, BIGINT, (x,), value=_UNIT_US[unit] // x.type.time_unit_us,
                       nullable=x.nullable)
            exprs.append(x)
            fields.append(Field(f"$t{k}", x.type, x.nullable))
            mins.append(AggCall(AggFunc.MIN, len(exprs) - 1, arg_type=x.type))
            shown = col(n_keys + n_aggs + len(mins) - 1, x.type, x.nullable)
        exprs[k] = key
        fields[k] = replace(fields[k], type=key.type)
        key_fields[pos] = replace(key_fields[pos], type=key.type)
        texts[pos] = e.with_args((shown,))
    if not texts:
        return agg
    out_fields = (*key_fields, *agg.fields[n_keys : n_keys + n_aggs],
                  *(Field(f"$min{i}", m.type, True) for i, m in enumerate(mins)),
                  *agg.fields[n_keys + n_aggs :])   # (a changelog's _op)
    inner = Aggregate(out_fields, Project(tuple(fields), pre.input, tuple(exprs)), agg.keys,
                      agg.aggs + tuple(mins), agg.emit, agg.extra)
    # the aggregate's columns again: the texts for the keys, and not the MINs
    restore = [texts[p] if p in texts else col(p, f.type, f.nullable)
               for p, f in enumerate(agg.fields[: n_keys + n_aggs])]
    if agg.emit is EmitMode.CHANGES:
        restore.append(col(len(out_fields) - 1, agg.fields[-1].type, False, "_op"))
    return Project(agg.fields, inner, tuple(restore))
