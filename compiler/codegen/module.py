"""One LLVM module per compiled statement: the loops of its pipelines (two variants each, or
four with branch-free filters) and the emitters of its aggregates, under symbol names prefixed
by the plan's content hash so modules of different plans never collide in one process."""

from __future__ import annotations

from dataclasses import dataclass, replace

from llvmlite import ir

from ..physical import PipelinePlan
from .aggregate import AggregateCodegen, EntryLayout
from .partition import PartitionCodegen
from .pipeline import PipelineCodegen, branch_free_eligible


@dataclass(frozen=True)
class PipelineSymbols:
    run_dense: str
    run_nulls: str
    emit_rows: str | None = None
    emit_changes: str | None = None
    merge: str | None = None
    fold: str | None = None      # a sliced HOP's fold of slices into a window
    layout: EntryLayout | None = None
    columns_read: frozenset[int] = frozenset()
    # keyed pipelines over a source, for several workers: loops over selected rows and the
    # partition kernel that selects them
    run_sel_dense: str | None = None
    run_sel_nulls: str | None = None
    part_dense: str | None = None
    part_nulls: str | None = None
    # a stateless pipeline's loops with branch-free filters, where they may be faster
    run_free_dense: str | None = None
    run_free_nulls: str | None = None
    # a dealable pipeline's loops over rows all in one window (PipelineCodegen.one_window)
    run_win_dense: str | None = None
    run_win_nulls: str | None = None


def build_module(pipelines: list[PipelinePlan], prefix: str, triple: str = "",
                 data_layout: str = "") -> tuple[ir.Module, list[PipelineSymbols]]:
    module = ir.Module(name=prefix)
    if triple:
        module.triple = triple
    if data_layout:
        module.data_layout = data_layout
    symbols = []
    for i, plan in enumerate(pipelines):
        named = _renamed(plan, f"{prefix}_{i}")
        dense = PipelineCodegen(module, named, nulls=False)
        dense.generate()
        nulls = PipelineCodegen(module, named, nulls=True)
        nulls.generate()
        read = set(dense.columns_read) | set(nulls.columns_read)
        sharded: dict[str, str] = {}
        if branch_free_eligible(named):
            for variant, is_nulls in (("dense", False), ("nulls", True)):
                loop = PipelineCodegen(module, named, nulls=is_nulls, branch_free=True)
                loop.generate()
                sharded[f"run_free_{variant}"] = loop.symbol
        if plan.dealable:
            for variant, is_nulls in (("dense", False), ("nulls", True)):
                loop = PipelineCodegen(module, named, nulls=is_nulls, one_window=True)
                loop.generate()
                sharded[f"run_win_{variant}"] = loop.symbol
                read |= set(loop.columns_read)
        if plan.partition_keys is not None:
            for variant, is_nulls in (("dense", False), ("nulls", True)):
                loop = PipelineCodegen(module, named, nulls=is_nulls, selected=True)
                loop.generate()
                kernel = PartitionCodegen(module, named, nulls=is_nulls)
                kernel.generate()
                sharded[f"run_sel_{variant}"] = loop.symbol
                sharded[f"part_{variant}"] = kernel.symbol
                read |= set(loop.columns_read) | set(kernel.env.cache)
        emit_rows = emit_changes = merge = fold = layout = None
        if plan.aggregate is not None:
            agg = AggregateCodegen(module, plan.aggregate)
            layout = agg.layout
            emit_rows = agg.gen_emit_rows(f"{prefix}_{i}_emit_rows")
            if plan.aggregate.changelog:
                emit_changes = agg.gen_emit_changes(f"{prefix}_{i}_emit_changes")
            if plan.aggregate.preaggregated:
                merge = agg.gen_merge(f"{prefix}_{i}_merge")
            if plan.aggregate.slice or plan.routable:   # (routable: lc_agg_reshard)
                fold = agg.gen_merge(f"{prefix}_{i}_fold", earliest=True)
        symbols.append(PipelineSymbols(dense.symbol, nulls.symbol, emit_rows, emit_changes,
                                       merge, fold, layout, frozenset(read), **sharded))
    return module, symbols


def release(module: ir.Module) -> None:
    """Take apart a module whose text was taken: llvmlite's IR is cyclic (instructions,
    blocks and arguments point at their parents, phis at later values), so its ~10^4 objects
    would otherwise wait for a full garbage collection, which then ran in some later insert:
    in one process opening database after database, W1's inserts met a 30-55 ms pause every
    fourth one. Only objects this module made are cleared (types and constants may be
    shared)."""
    for value in module.globals.values():
        if isinstance(value, ir.Function):
            for block in value.blocks:
                for instr in block.instructions:
                    vars(instr).clear()
                vars(block).clear()
            for arg in value.args:
                vars(arg).clear()
        vars(value).clear()
    vars(module).clear()


def _renamed(plan: PipelinePlan, name: str) -> PipelinePlan:
    return replace(plan, name=name)
