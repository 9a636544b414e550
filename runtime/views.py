"""Materialized views: the current contents of a stream, kept as Arrow tables.

An append-only stream's view is every row it emitted. A changelog's view is the net effect of
its `_op` rows (+1 insert, -1 retract), consolidated lazily: pending changes are folded into
the base table when the view is read, so the work is proportional to what changed.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa


class ViewStore:
    def __init__(self, schema: pa.Schema, changelog: bool):
        self.changelog = changelog
        self.schema = schema          # with `_op` for a changelog
        self.data_schema = pa.schema([f for f in schema if f.name != "_op"]) if changelog \
            else schema
        self.base: pa.Table = self.schema.empty_table()
        self.pending: list[pa.RecordBatch] = []
        self.pending_rows = 0

    def append(self, batch: pa.RecordBatch) -> None:
        self.pending.append(batch)
        self.pending_rows += batch.num_rows
        if self.changelog and self.pending_rows > max(self.base.num_rows, 65536):
            self._consolidate()

    def snapshot(self) -> pa.Table:
        self._consolidate()
        if self.changelog:
            return self.base.drop_columns(["_op"])
        return self.base

    def _consolidate(self) -> None:
        if not self.pending:
            return
        table = pa.concat_tables([self.base, pa.Table.from_batches(self.pending, self.schema)])
        self.pending = []
        self.pending_rows = 0
        if not self.changelog:
            self.base = table.combine_chunks()
            return
        keys = [f.name for f in self.data_schema]
        grouped = table.group_by(keys, use_threads=False).aggregate([("_op", "sum")])
        counts = grouped.column("_op_sum").to_numpy()
        keep = np.repeat(np.arange(len(counts)), np.clip(counts, 0, None))
        rows = grouped.select(keys).take(pa.array(keep, pa.int64()))
        ops = pa.array(np.ones(len(keep), dtype=np.int8))
        self.base = rows.append_column(pa.field("_op", pa.int8(), False), ops).cast(self.schema)
