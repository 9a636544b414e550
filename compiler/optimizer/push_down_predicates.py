"""push_down_predicates: move filters as close to the scan as their columns allow.

    Filter (x > 1)                          Project [(k + 1) AS x]
      Project [(k + 1) AS x]        ->        Filter ((k + 1) > 1)
        Scan src                                 Scan src

Filters pass through projections (by substitution), through windows (when they do not read
window_start/window_end), through grouped aggregates (the parts of a HAVING that only read
group keys), and merge with the filters they meet. Rows then leave the fused loop as early as
possible, before computing anything only kept rows need.
"""

from __future__ import annotations

from dataclasses import replace

from ..expr import Expr, columns_used, conjoin, conjuncts, remap_columns, substitute
from ..plan import Aggregate, Filter, Node, Project, Scan, Window


def push_down_predicates(plan: Node) -> Node:
    if isinstance(plan, Scan):
        return plan
    if isinstance(plan, Filter):
        return _push(push_down_predicates(plan.input), conjuncts(plan.predicate))
    return replace(plan, input=push_down_predicates(plan.input))


def _filter(node: Node, preds: list[Expr]) -> Node:
    p = conjoin(preds)
    return node if p is None else Filter(node.fields, node, p)


def _push(node: Node, preds: list[Expr]) -> Node:
    """`node` with `preds` applied on top, pushed as deep as they go."""
    if not preds:
        return node
    if isinstance(node, Filter):
        return _push(node.input, conjuncts(node.predicate) + preds)
    if isinstance(node, Project):
        inner = [substitute(p, node.exprs) for p in preds]
        return replace(node, input=_push(node.input, inner))
    if isinstance(node, Window):
        n = len(node.input.fields)
        below = [p for p in preds if max(columns_used(p), default=-1) < n]
        above = [p for p in preds if p not in below]
        return _filter(replace(node, input=_push(node.input, below)), above)
    if isinstance(node, Aggregate):
        # A predicate over group keys only can filter rows instead of groups. Not for a
        # global aggregate: it has a row even when no input row passes.
        keys = set(range(len(node.keys)))
        below = [p for p in preds if node.keys and columns_used(p) <= keys]
        above = [p for p in preds if p not in below]
        inner = [remap_columns(p, list(node.keys)) for p in below]
        return _filter(replace(node, input=_push(node.input, inner)), above)
    return _filter(node, preds)
