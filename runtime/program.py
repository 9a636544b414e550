"""What the compiler hands the runtime: plain, JSON-serializable descriptions of sources and
compiled streams. Function addresses are supplied separately (from the JIT, or from a shared
library of an ahead-of-time artifact)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Column:
    name: str
    type: str                  # see runtime/types.py
    nullable: bool = True
    time_offset: int | None = None


@dataclass
class SourceSpec:
    name: str
    columns: list[Column]
    time_column: int | None = None
    watermark_delay: int = 0   # in units of the time column
    time_unit: str = "ms"      # "ms" | "us"

    @staticmethod
    def from_json(d: dict) -> SourceSpec:
        """The spec of its asdict() form (an artifact's manifest holds that)."""
        return SourceSpec(**{**d, "columns": [Column(**c) for c in d["columns"]]})


@dataclass
class AggregateSpec:
    entry_size: int
    set_entry_sizes: list[int]
    windowed: bool
    size: int
    slide: int
    offset: int
    emit: str                  # "window_close" | "changes" | "final"
    emit_rows: str
    emit_changes: str | None
    global_agg: bool
    merge: str | None = None   # pre-aggregated: folds partial states (see LC_LANES)
    seq_offset: int = 0        # ... where an entry keeps its first row's source position
    slice: int = 0             # a sliced HOP: the slice's time units (AggregateSink.slice)
    fold: str | None = None    # ... keeping each group's earliest first row: a sliced HOP's
    #                            folds, and re-dealing windows by key (lc_agg_reshard)


@dataclass
class PipelineSpec:
    name: str
    input: str
    from_source: bool
    columns_read: list[int]
    run_dense: str
    run_nulls: str
    windows_per_row: int
    watermark_offset: int
    produces: str
    output: list[Column]            # what the sink writes, hidden merge columns last
    aggregate: AggregateSpec | None = None
    hidden: int = 0                 # trailing output columns only for merging shards
    run_sel_dense: str | None = None
    run_sel_nulls: str | None = None
    part_dense: str | None = None
    part_nulls: str | None = None
    time_column: int | None = None  # source-rooted: the event-time column (per-row watermarks)
    watermark_delay: int = 0
    proctime: bool = False          # a window over processing time: the clock is its watermark
    preaggregated: bool = False     # workers aggregate their own blocks and merge (LC_LANES)
    run_free_dense: str | None = None   # loops with branch-free filters (lc_pipe.free_dense)
    run_free_nulls: str | None = None
    dealable: bool = False          # may deal whole windows to workers (lc_combine.deal)
    run_win_dense: str | None = None    # loops over one window's rows (lc_pipe.win_dense)
    run_win_nulls: str | None = None

    @property
    def keyed(self) -> bool:
        """Rows are routed to workers by a partition kernel (else pre-aggregated, or split by
        ranges). A pre-aggregated pipeline with a kernel may route some windows' rows
        (`routable`)."""
        return self.part_dense is not None and not self.preaggregated

    @property
    def routable(self) -> bool:
        """Pre-aggregated, with a kernel and selected loops to route windows by key
        (PipelinePlan.routable)."""
        return self.part_dense is not None and self.preaggregated

    def symbols(self) -> list[str]:
        out = [self.run_dense, self.run_nulls]
        out += [s for s in (self.run_sel_dense, self.run_sel_nulls, self.part_dense,
                            self.part_nulls, self.run_free_dense, self.run_free_nulls,
                            self.run_win_dense, self.run_win_nulls) if s]
        if self.aggregate:
            out.append(self.aggregate.emit_rows)
            if self.aggregate.emit_changes:
                out.append(self.aggregate.emit_changes)
            if self.aggregate.merge:
                out.append(self.aggregate.merge)
            if self.aggregate.fold:
                out.append(self.aggregate.fold)
        return out


@dataclass
class StreamSpec:
    name: str
    columns: list[Column]      # the output schema (with a trailing `_op` for a changelog)
    changelog: bool
    materialized: bool
    inputs: list[str]
    pipelines: list[PipelineSpec] = field(default_factory=list)

    def symbols(self) -> list[str]:
        return [s for p in self.pipelines for s in p.symbols()]

    def to_json(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_json(d: dict) -> StreamSpec:
        pipelines = []
        for p in d["pipelines"]:
            agg = AggregateSpec(**p["aggregate"]) if p.get("aggregate") else None
            pipelines.append(PipelineSpec(**{**p, "output": [Column(**c) for c in p["output"]],
                                             "aggregate": agg}))
        return StreamSpec(**{**d, "columns": [Column(**c) for c in d["columns"]],
                             "pipelines": pipelines})
