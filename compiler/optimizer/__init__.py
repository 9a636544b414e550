"""The optimizer: ordered rewrite rules over the logical plan, each one module and one function
of the same name, run by one runner that times each rule, verifies the plan after it, and can
skip rules by name."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from ..plan import Node, verify
from .bucket_time_keys import bucket_time_keys
from .fold_constants import fold_constants
from .merge_projections import merge_projections
from .prune_columns import prune_columns
from .push_down_predicates import push_down_predicates

Rule = Callable[[Node], Node]

RULES: tuple[Rule, ...] = (
    # First, so pushdown sees simple predicates and always-true filters are gone.
    fold_constants,
    # Before pushdown and merging: the projection it puts over an aggregate merges with the
    # select list, and a HAVING on the key is pushed through it.
    bucket_time_keys,
    # Before merging projections: it turns Filter(Project) into Project(Filter), which leaves
    # projections adjacent for the next rule.
    push_down_predicates,
    merge_projections,
    # After merging: pruning needs the final shape of projections to know what is unused.
    prune_columns,
    # Again: merging inlines literals into expressions that can now be evaluated.
    fold_constants,
)


def optimize(plan: Node, skip: Iterable[str] = (), timings: dict[str, float] | None = None) -> Node:
    """Run RULES in order (except those named in `skip`), verifying the plan after each."""
    skipped = set(skip)
    unknown = skipped - {r.__name__ for r in RULES}
    if unknown:
        raise ValueError(f"unknown optimizer rules: {sorted(unknown)}")
    verify(plan)
    for rule in RULES:
        if rule.__name__ in skipped:
            continue
        t0 = time.perf_counter()
        plan = rule(plan)
        if timings is not None:
            timings[rule.__name__] = timings.get(rule.__name__, 0.0) + time.perf_counter() - t0
        verify(plan)
    return plan


__all__ = ["RULES", "bucket_time_keys", "fold_constants", "merge_projections", "optimize", "prune_columns",
           "push_down_predicates"]
