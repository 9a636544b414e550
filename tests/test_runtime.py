"""The C runtime through cffi: the ABI the code generator mirrors, window directories, memory."""

from __future__ import annotations

import gc
import random

import pytest
from laminarc.compiler.codegen import abi
from laminarc.runtime.native import INT64_MAX, ffi, lib

import laminarc
from laminarc.workloads import W1_SQL, w1_batches


@pytest.mark.parametrize("struct", abi.STRUCTS, ids=lambda s: s.name)
def test_codegen_struct_layouts_match_the_c_compiler(struct):
    for field, offset in struct.offsets().items():
        assert ffi.offsetof(struct.name, *field.split(".")) == offset, field
    last = list(struct.offsets().values())[-1]
    assert ffi.sizeof(struct.name) == last + 8


def test_window_directory_survives_colliding_inserts_and_deletes():
    """Open windows with ids in random order, close them in random waves: every remaining
    window stays reachable (backward-shift deletion in an open-addressing directory)."""
    rng = random.Random(1)
    agg = lib.lc_agg_new(16, 0, ffi.NULL, 1, 10, 10, 0, 8)
    ctx = ffi.new("lc_ctx*")
    try:
        ids = rng.sample(range(-500, 500), 300)
        for w in ids:
            assert lib.lc_agg_open_window(agg, w) == 0
        assert lib.lc_agg_open_windows(agg) == 300
        remaining = sorted(ids)
        for cut in sorted(rng.sample(range(-500, 500), 20)):
            wm = cut * 10 + 10            # closes windows with id <= cut
            assert lib.lc_agg_close(agg, wm, 0, ffi.NULL, ctx) == 0
            remaining = [w for w in remaining if w > cut]
            assert lib.lc_agg_open_windows(agg) == len(remaining)
            # every remaining id can be found again: re-opening would duplicate it, so
            # instead close just that window and count
        assert lib.lc_agg_close(agg, INT64_MAX, 0, ffi.NULL, ctx) == 0
        assert lib.lc_agg_open_windows(agg) == 0
    finally:
        lib.lc_agg_free(agg)


def test_window_directory_lookup_after_deletes_through_generated_code():
    """The same through a compiled HOP aggregate: many overlapping windows opened and closed
    while the generated code looks them up in the directory."""
    with laminarc.open() as db:
        db.execute("""CREATE SOURCE e (ts BIGINT, k INT, WATERMARK FOR ts AS ts - INTERVAL
            '5' SECOND); CREATE MATERIALIZED VIEW m AS SELECT window_start, COUNT(*) AS c
            FROM TABLE(HOP(TABLE e, DESCRIPTOR(ts), INTERVAL '100' MILLISECOND,
            INTERVAL '3' SECOND)) GROUP BY window_start, window_end;""")
        rng = random.Random(2)
        ts = sorted(rng.randrange(0, 60_000) for _ in range(3000))
        for j in range(0, 3000, 37):
            db.insert("e", {"ts": ts[j:j + 37], "k": [0] * len(ts[j:j + 37])})
        db.end_input("e")
        got = {r["window_start"]: r["c"] for r in db.query("SELECT * FROM m").to_pylist()}
        want: dict[int, int] = {}
        for t in ts:
            for k in range((t - 3000) // 100 + 1, t // 100 + 1):
                want[k * 100] = want.get(k * 100, 0) + 1
        assert got == want


def test_native_memory_is_released():
    gc.collect()
    base = lib.lc_bytes_live()
    with laminarc.open() as db:
        db.execute(W1_SQL + "CREATE MATERIALIZED VIEW mv AS SELECT k, COUNT(*) AS c FROM events "
                   "GROUP BY k;")
        sub = db.subscribe("w1")
        for b in w1_batches(400_000):
            db.insert("events", b)
        db.end_input("events")
        assert sub.to_arrow().num_rows == 4000
        assert lib.lc_bytes_live() > base
        del sub
    gc.collect()
    assert lib.lc_bytes_live() == base


def test_steady_state_loop_allocates_nothing():
    """After warm-up, running the fused loop over more batches of the same shape calls no
    allocator (windows are recycled from a pool; tables keep their capacity)."""
    with laminarc.open(workers=1) as db:
        db.execute(W1_SQL)
        batches = w1_batches(2_000_000)
        for b in batches[:10]:
            db.insert("events", b)
        src = db.engine.sources["events"]
        pipe = src.relation.consumers[0]
        from laminarc.runtime.arrow import Descriptors

        descs = [Descriptors(b, db.engine.ones) for b in batches[10:]]
        before = lib.lc_alloc_calls()
        for d in descs:
            assert lib.lc_pipe_run(pipe.pipe, d.cols, d.batch.num_rows, 0) == 0
            # close finished windows without emitting, as the engine would between batches
            assert lib.lc_agg_close(pipe.agg, pipe.pipe.wm, 0, ffi.NULL,
                                    ffi.addressof(pipe.pipe.ctx)) == 0
        assert lib.lc_alloc_calls() == before


def test_sharded_steady_state_allocates_nothing_while_nothing_is_due():
    """Two workers: partition kernels, task hand-over and shard loops allocate nothing once
    warm, as long as no window closes (output batches are made only when rows are due)."""
    with laminarc.open(workers=2) as db:
        db.execute("""CREATE SOURCE events (ts BIGINT, k BIGINT, v DOUBLE,
            WATERMARK FOR ts AS ts - INTERVAL '1' HOUR);
            CREATE STREAM w AS SELECT k, COUNT(*) AS c, SUM(v) AS s FROM TABLE(TUMBLE(
            TABLE events, DESCRIPTOR(ts), INTERVAL '1' DAY)) GROUP BY k, window_start,
            window_end;""")
        batches = w1_batches(3_000_000)           # ts < 30,000 ms: all in one open window
        for b in batches[:8]:
            db.insert("events", b)
        db.engine.flush()   # the warm-up done (up to `depth` chunks may still be in flight)
        before = lib.lc_alloc_calls()
        for b in batches[8:]:
            db.insert("events", b)
        assert lib.lc_alloc_calls() == before
        sub = db.subscribe("w")
        db.end_input("events")
        assert sub.to_arrow().column("c").to_pylist() == [3000] * 1000


def test_lanes_of_pre_aggregation_agree_with_the_runtime():
    from laminarc.compiler.physical import LANES

    assert lib.LC_LANES == LANES
