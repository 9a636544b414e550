"""prune_columns: drop the projected columns and aggregates nothing above uses.

    Project [k#0]                        Project [k#0]
      Project [k#1, (v * 2) AS w]  ->      Project [k#1]
        Scan src                             Scan src

The plan's root keeps all its fields (they are the stream's schema). Group keys are never
dropped: they define the groups. Scans always read their whole relation (the fused loop loads
only the columns an expression touches).
"""

from __future__ import annotations

from dataclasses import replace

from ..expr import columns_used, remap_columns
from ..plan import Aggregate, EmitMode, Filter, Node, Project, Scan, Window


def prune_columns(plan: Node) -> Node:
    return _prune(plan, set(range(len(plan.fields))))[0]


def _prune(node: Node, needed: set[int]) -> tuple[Node, list[int]]:
    """(pruned node, mapping from old output positions to new ones; -1 when dropped)."""
    if isinstance(node, Scan):
        return node, list(range(len(node.fields)))
    if isinstance(node, Filter):
        child, m = _prune(node.input, needed | columns_used(node.predicate))
        new = Filter(child.fields, child, remap_columns(node.predicate, m))
        return new, m
    if isinstance(node, Project):
        keep = sorted(needed)
        used = set().union(*(columns_used(node.exprs[i]) for i in keep)) if keep else set()
        child, m = _prune(node.input, used)
        exprs = tuple(remap_columns(node.exprs[i], m) for i in keep)
        mapping = [-1] * len(node.exprs)
        for new_i, old_i in enumerate(keep):
            mapping[old_i] = new_i
        return Project(tuple(node.fields[i] for i in keep), child, exprs), mapping
    if isinstance(node, Window):
        n = len(node.input.fields)
        child, m = _prune(node.input, {i for i in needed if i < n} | {node.time})
        w = len(child.fields)
        new = replace(node, input=child, time=m[node.time],
                      fields=(*child.fields, *node.fields[n:]))
        return new, [*m, w, w + 1]
    if isinstance(node, Aggregate):
        nk = len(node.keys)
        keep = [i for i, _ in enumerate(node.aggs) if nk + i in needed]
        aggs = [node.aggs[i] for i in keep]
        used = set(node.keys)
        for a in aggs:
            used |= {x for x in (a.arg, a.filter) if x is not None}
        child, m = _prune(node.input, used)
        aggs = [replace(a, arg=None if a.arg is None else m[a.arg],
                        filter=None if a.filter is None else m[a.filter]) for a in aggs]
        mapping = list(range(nk)) + [-1] * len(node.aggs)
        for new_i, old_i in enumerate(keep):
            mapping[nk + old_i] = nk + new_i
        fields = list(node.fields[:nk]) + [node.fields[nk + i] for i in keep]
        if node.emit is EmitMode.CHANGES:
            mapping.append(len(fields))
            fields.append(node.fields[-1])
        new = replace(node, input=child, keys=tuple(m[k] for k in node.keys), aggs=tuple(aggs),
                      fields=tuple(fields))
        return new, mapping
    raise AssertionError(f"prune_columns does not know {node.kind}")
