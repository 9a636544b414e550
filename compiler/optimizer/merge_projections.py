"""merge_projections: compose adjacent projections and drop inner identity projections.

    Project [(a + 1) AS b]
      Project [k AS a]          ->      Project [(k + 1) AS b]
        Scan src                          Scan src

An inner expression is inlined only when that does not compute it more than once per row
(it is a column or a literal, or the outer projection uses it at most once).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from ..expr import Op, substitute
from ..plan import Node, Project, Scan


def merge_projections(plan: Node, root: bool = True) -> Node:
    if isinstance(plan, Scan):
        return plan
    child = merge_projections(plan.input, root=False)
    plan = replace(plan, input=child)
    if isinstance(plan, Project) and isinstance(child, Project):
        uses = Counter(n.value for e in plan.exprs for n in e.walk() if n.op is Op.COLUMN)
        if all(
            e.op in (Op.COLUMN, Op.LITERAL) or uses[i] <= 1 for i, e in enumerate(child.exprs)
        ):
            exprs = tuple(substitute(e, child.exprs) for e in plan.exprs)
            plan = Project(plan.fields, child.input, exprs)
    if isinstance(plan, Project) and not root and _is_identity(plan):
        return plan.input
    return plan


def _is_identity(p: Project) -> bool:
    inner = p.input.fields
    return len(p.exprs) == len(inner) and all(
        e.op is Op.COLUMN and e.value == i and inner[i].type == f.type
        and inner[i].time_offset == f.time_offset
        for i, (e, f) in enumerate(zip(p.exprs, p.fields, strict=True))
    )
