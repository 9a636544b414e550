"""The compiler driver: a bound statement to what the runtime runs.

    stream plan -> optimize -> pipelines -> LLVM module -> (StreamSpec, IR text)

The IR text is what the backend compiles (and what its cache is keyed by); the spec names the
functions in it and describes every layout the runtime needs.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from ..runtime.program import AggregateSpec, Column, PipelineSpec, SourceSpec, StreamSpec
from ..runtime.types import time_unit_of
from .catalog import Catalog, Source
from .codegen.module import PipelineSymbols, build_module, release
from .physical import PipelinePlan, plan_pipelines
from .plan import EmitMode, Field, Node

COMPILER_VERSION = "0.1.0"


@dataclass
class CompiledStream:
    spec: StreamSpec
    ir: str
    pipelines: list[PipelinePlan]
    plan: Node


def columns(fields: tuple[Field, ...]) -> list[Column]:
    return [Column(f.name, f.type.name, f.nullable, f.time_offset) for f in fields]


def source_spec(source: Source) -> SourceSpec:
    unit = "ms"
    if source.time_column is not None:
        unit = time_unit_of(source.fields[source.time_column].type.name)
    return SourceSpec(source.name, columns(source.fields), source.time_column,
                      source.watermark_delay, unit)


# The IR text and symbols of modules built in this process, by their pipelines' digest and
# target: building and printing a module was nearly all of a statement's compile time once
# the backend had its object cached (W1: ~25 ms). The digest already names the module's
# symbols, so two plans sharing one could not be loaded together anyway.
_BUILT: OrderedDict[tuple[str, str, str], tuple[str, list[PipelineSymbols]]] = OrderedDict()
_BUILT_MAX = 64
_BUILT_LOCK = threading.Lock()   # (databases may compile in several threads)


def _module(pipelines: list[PipelinePlan], digest: str, triple: str,
            data_layout: str) -> tuple[str, list[PipelineSymbols]]:
    key = (digest, triple, data_layout)
    with _BUILT_LOCK:
        built = _BUILT.get(key)
        if built is not None:
            _BUILT.move_to_end(key)
            return built
    module, symbols = build_module(pipelines, f"lc_{digest}", triple, data_layout)
    built = (str(module), symbols)
    release(module)
    with _BUILT_LOCK:
        _BUILT[key] = built
        while len(_BUILT) > _BUILT_MAX:
            _BUILT.popitem(last=False)
    return built


def compile_stream(name: str, plan: Node, catalog: Catalog, *, changelog: bool,
                   materialized: bool, inputs: list[str], triple: str = "",
                   data_layout: str = "") -> CompiledStream:
    pipelines = plan_pipelines(name, plan, catalog)
    digest = hashlib.sha256((COMPILER_VERSION + repr(pipelines)).encode()).hexdigest()[:16]
    text, symbols = _module(pipelines, digest, triple, data_layout)
    specs = []
    for p, sym in zip(pipelines, symbols, strict=True):
        agg = None
        if p.aggregate is not None:
            a = p.aggregate
            w = a.window
            emit = {EmitMode.WINDOW_CLOSE: "window_close", EmitMode.CHANGES: "changes",
                    EmitMode.FINAL: "final"}[a.node.emit]
            agg = AggregateSpec(
                entry_size=sym.layout.size, set_entry_sizes=list(sym.layout.set_sizes),
                windowed=w is not None, size=w.size if w else 0, slide=w.slide if w else 0,
                offset=w.offset if w else 0, emit=emit, emit_rows=sym.emit_rows,
                emit_changes=sym.emit_changes, global_agg=not a.node.keys,
                merge=sym.merge, seq_offset=sym.layout.seq, slice=a.slice, fold=sym.fold,
            )
        specs.append(PipelineSpec(
            name=p.name, input=p.input, from_source=p.from_source,
            columns_read=sorted(sym.columns_read), run_dense=sym.run_dense,
            run_nulls=sym.run_nulls, windows_per_row=p.windows_per_row,
            watermark_offset=p.watermark_offset, produces=p.produces,
            output=columns(p.emitted_fields), aggregate=agg,
            hidden=len(p.emitted_fields) - len(p.out_fields),
            run_sel_dense=sym.run_sel_dense, run_sel_nulls=sym.run_sel_nulls,
            part_dense=sym.part_dense, part_nulls=sym.part_nulls,
            run_free_dense=sym.run_free_dense, run_free_nulls=sym.run_free_nulls,
            run_win_dense=sym.run_win_dense, run_win_nulls=sym.run_win_nulls,
            time_column=p.time_column,
            watermark_delay=p.watermark_delay, proctime=p.proctime,
            preaggregated=p.aggregate is not None and p.aggregate.preaggregated,
            dealable=p.dealable,
        ))
    spec = StreamSpec(name, columns(plan.fields), changelog, materialized, sorted(inputs), specs)
    return CompiledStream(spec, text, pipelines, plan)
