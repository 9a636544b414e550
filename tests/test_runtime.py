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


def test_freed_big_blocks_are_reused_while_a_database_is_open():
    """A freed block of a megabyte or more is kept while a database is open and the next
    allocation it holds takes it (its pages are not faulted in again); small blocks are not
    kept, the kept bytes stay within their bound, and the last database to close frees them."""
    if not lib.lc_keep_capacity():
        pytest.skip("this build keeps no blocks (AddressSanitizer)")
    mb = 1 << 20
    gc.collect()
    others = lib.lc_keep_freed(0)   # databases other tests left open (the suite's, not here)
    lib.lc_drop_kept()
    if not others:
        lib.lc_free(lib.lc_malloc(4 * mb))
        assert lib.lc_kept_bytes() == 0        # no database open: nothing is kept
    with laminarc.open():
        p = lib.lc_malloc(4 * mb)
        lib.lc_free(p)
        assert lib.lc_kept_bytes() == 4 * mb
        q = lib.lc_malloc(3 * mb)               # fits without wasting more than half
        assert q == p and lib.lc_kept_bytes() == 0
        ffi.cast("uint8_t*", q)[3 * mb - 1] = 7
        r = lib.lc_realloc(q, 3 * mb, 4 * mb)   # grows in place, within its capacity
        assert r == q and ffi.cast("uint8_t*", r)[3 * mb - 1] == 7
        lib.lc_free(lib.lc_malloc(1000))
        assert lib.lc_kept_bytes() == 0        # small blocks go back to the C library
        lib.lc_free(lib.lc_malloc(16 * mb))
        s = lib.lc_realloc(r, 4 * mb, 12 * mb)  # grows into the kept 16 MB block
        assert ffi.cast("uint8_t*", s)[3 * mb - 1] == 7
        assert lib.lc_kept_bytes() == 4 * mb    # r's block kept in turn
        lib.lc_free(s)
        blocks = [lib.lc_malloc(64 * mb) for _ in range(6)]
        for b in blocks:
            lib.lc_free(b)
        assert 0 < lib.lc_kept_bytes() <= lib.lc_keep_capacity()
        with laminarc.open():
            pass
        assert lib.lc_kept_bytes() > 0          # another database is still open
    assert lib.lc_keep_freed(0) == others
    if not others:
        assert lib.lc_kept_bytes() == 0        # the last to close freed them


def test_the_memory_cap_covers_kept_blocks():
    """What the runtime holds, live blocks and kept ones together, stays within the memory
    cap: kept blocks give way to an allocation the cap would refuse otherwise, a freed block
    is kept only in what the live ones leave of the cap, and a cap lowered below what is held
    frees kept blocks at the next free. An allocation that the live blocks alone put past
    the cap still fails, even when a kept block would serve it."""
    if not lib.lc_keep_capacity():
        pytest.skip("this build keeps no blocks (AddressSanitizer)")
    mb = 1 << 20
    before = laminarc.memory_limit()

    def held() -> int:
        return lib.lc_bytes_live() + lib.lc_kept_bytes()

    with laminarc.open():
        lib.lc_drop_kept()
        cap = lib.lc_bytes_live() + 40 * mb
        laminarc.set_memory_limit(cap)
        try:
            blocks = [lib.lc_malloc(8 * mb) for _ in range(4)]
            assert all(blocks) and held() <= cap
            for b in blocks:
                lib.lc_free(b)
            assert lib.lc_kept_bytes() == 32 * mb and held() <= cap
            big = lib.lc_malloc(30 * mb)        # needs most of what the kept blocks hold
            assert big and lib.lc_kept_bytes() <= 10 * mb and held() <= cap
            grown = lib.lc_realloc(big, 30 * mb, 39 * mb)
            assert grown and lib.lc_kept_bytes() == 0 and held() <= cap
            assert lib.lc_malloc(2 * mb) == ffi.NULL     # past the cap with live blocks alone
            small = lib.lc_malloc(mb // 2)
            lib.lc_free(grown)
            assert lib.lc_kept_bytes() > 0 and held() <= cap
            laminarc.set_memory_limit(lib.lc_bytes_live() + 4 * mb)
            lib.lc_free(small)                  # (kept blocks trimmed to the lowered cap)
            assert held() <= laminarc.memory_limit() and lib.lc_kept_bytes() == mb // 2
            laminarc.set_memory_limit(lib.lc_bytes_live() + mb // 4)
            assert lib.lc_malloc(mb // 2 - 1000) == ffi.NULL   # the kept block fits, the cap not
            assert lib.lc_kept_bytes() == 0                  # (and it was freed)
        finally:
            laminarc.set_memory_limit(before)


def test_a_stateless_streams_output_columns_are_not_faulted_in_anew():
    """One worker, 65,536-row batches through a projection, each output batch read and
    dropped: once warm, an insert's output columns (512 KiB each) reuse freed blocks, so the
    process takes next to no page faults. Freed to the C library instead, every column came
    back from the kernel page by page (~500 faults an insert)."""
    import resource

    if not lib.lc_keep_capacity():
        pytest.skip("this build keeps no blocks (AddressSanitizer)")
    with laminarc.open(workers=1) as db:
        db.execute("CREATE SOURCE events (ts BIGINT, k BIGINT, v DOUBLE);"
                   "CREATE STREAM h AS SELECT ts, k, v * 2 AS v2, k + 1 AS k1 FROM events;")
        sub = db.subscribe("h")
        batches = w1_batches(65_536 * 40)

        def feed(part):
            for b in part:
                db.insert("events", b)
                while (out := sub.poll()) is not None:
                    assert out.num_rows == 65_536
                    del out

        feed(batches[:10])
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        feed(batches[10:])
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    assert faults < 30 * 50, faults


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


def test_a_filter_runs_the_loop_that_measured_faster():
    """A stateless stream with a cheap filter has a branching and a branch-free loop
    (lc_pipe.free_dense); the runtime times each on batches of at least 2,048 rows, runs the
    cheaper, and tries the other again every 32 timed runs. The choice is checked against
    planted costs, never by timing here; whichever loop runs, the rows are the same."""
    with laminarc.open(workers=1) as db:
        db.execute("CREATE SOURCE s (k BIGINT, v DOUBLE); "
                   "CREATE STREAM o AS SELECT k, v * 2 AS v2 FROM s WHERE k % 3 = 1;")
        sub = db.subscribe("o")
        pipe = db.engine.sources["s"].relation.consumers[0].pipe
        assert pipe.free_dense != ffi.NULL and pipe.free_nulls != ffi.NULL
        k = list(range(4096))
        batch = {"k": k, "v": [0.5 * x for x in k]}
        want = [x for x in k if x % 3 == 1]

        def insert() -> None:
            db.insert("s", batch)
            assert sub.poll().column("k").to_pylist() == want

        insert()   # the first timed run tries the loop not measured yet, the next the other
        insert()
        assert pipe.loop_cost_branching > 0 and pipe.loop_cost_free > 0
        for planted_branching, planted_free, picked in ((10**15, 1, 1), (1, 10**15, 0)):
            pipe.loop_cost_branching, pipe.loop_cost_free = planted_branching, planted_free
            pipe.loop_pick, pipe.loop_runs = 1 - picked, 0
            insert()   # runs the loop picked before and measures it: now far the dearer
            assert pipe.loop_pick == picked
        runs = []
        for _ in range(64):
            pipe.loop_cost_branching, pipe.loop_cost_free = 1, 10**15   # pick the branching
            pipe.loop_pick = 0
            insert()
            runs.append("free" if pipe.loop_cost_free != 10**15 else "branching")
        assert runs.count("free") == 2, runs   # one run in 32 tries the other loop
        costs = (pipe.loop_cost_branching, pipe.loop_cost_free, pipe.loop_runs)
        db.insert("s", {"k": [1, 2], "v": [0.0, 0.0]})   # small: not timed
        assert sub.poll().num_rows == 1
        assert (pipe.loop_cost_branching, pipe.loop_cost_free, pipe.loop_runs) == costs


def _filled_out(layout, rows: list[tuple]):
    """An lc_out of `layout` holding `rows` (BIGINT, BOOLEAN, VARCHAR, TINYINT, then the two
    BIGINT merge keys), written as the emitters write them."""
    out = layout.new()
    n = len(rows)
    assert lib.lc_out_reserve(out, n) == 0
    data = b"".join((r[2] or "").encode() for r in rows)
    assert lib.lc_out_reserve_data(out, 2, len(data)) == 0
    cols = out.cols
    ints = ffi.cast("int64_t*", cols[0].values)
    tiny = ffi.cast("int8_t*", cols[3].values)
    k1, k2 = ffi.cast("int64_t*", cols[4].values), ffi.cast("int64_t*", cols[5].values)
    offsets = cols[2].offsets
    ffi.memmove(cols[2].values, data, len(data))
    at = 0
    for i, (a, b, s, t, x, y) in enumerate(rows):
        ints[i], tiny[i], k1[i], k2[i] = a or 0, t, x, y
        if a is None:
            cols[0].validity[i // 8] &= ~(1 << (i % 8)) & 0xFF
        if b:
            cols[1].values[i // 8] |= 1 << (i % 8)
        if s is None:
            cols[2].validity[i // 8] &= ~(1 << (i % 8)) & 0xFF
        at += len((s or "").encode())
        offsets[i + 1] = at
    cols[2].data_len = at
    out.n = n
    return out


@pytest.mark.parametrize("seed", range(10))
def test_merging_sorted_outputs_gives_one_order_without_the_keys(seed):
    """lc_out_merge, which puts the shards' outputs of a keyed chunk in one worker's order:
    ties of both keys keep the inputs' order, NULLs stay where they were (also when only one
    input has any, and at lengths that are not whole bytes of a bitmap), and the merged batch
    leaves the two key columns out."""
    from laminarc.runtime.arrow import OutputLayout
    from laminarc.runtime.program import Column

    rng = random.Random(seed)
    cols = [Column("a", "BIGINT"), Column("b", "BOOLEAN", False), Column("s", "VARCHAR"),
            Column("t", "TINYINT", False), Column("$wend", "BIGINT", False),
            Column("$seq", "BIGINT", False)]
    full, visible = OutputLayout(cols), OutputLayout(cols[:4])
    runs, outs = [], []
    for _ in range(rng.randint(1, 4)):
        nulls = rng.random() < 0.5
        keys = sorted((rng.randrange(3), rng.randrange(40)) for _ in range(rng.randrange(90)))
        rows = [(None if nulls and rng.random() < 0.3 else rng.randrange(-9, 9),
                 rng.random() < 0.5,
                 None if nulls and rng.random() < 0.3 else "x" * rng.randrange(4),
                 rng.randrange(-5, 5), x, y) for x, y in keys]
        runs.append(rows)
        outs.append(_filled_out(full, rows))
    order = sorted(((r[4], r[5], v, i), r) for v, rows in enumerate(runs)
                   for i, r in enumerate(rows))
    want = [r[:4] for _, r in order]
    merged = lib.lc_out_merge(ffi.new("lc_out*[]", outs), len(outs), 4, 4, 5)
    assert merged != ffi.NULL and merged.ncols == 4
    got = visible.to_batch(ffi.gc(merged, lib.lc_out_free))
    assert [tuple(r.values()) for r in got.to_pylist()] == want


def test_the_compilers_string_hash_is_the_runtimes():
    """IN-list sets of strings are built by the compiler and probed by the runtime: both must
    hash alike, for every length around the 8-byte words and bytes of every value."""
    from laminarc.compiler.codegen.sets import hash_bytes, str_table

    rng = random.Random(11)
    for n in [*range(0, 41), 255, 1000]:
        data = bytes(rng.randrange(256) for _ in range(n))
        assert hash_bytes(data) == lib.lc_hash_bytes(data, n), n
    texts = ["", "a", "ab", "日本", "x" * 17, *(f"s{i}" for i in range(100))]
    slots, bits, blob = str_table(texts)
    for text in [*texts, "b", "x" * 16, "s100", "s1 "]:
        data = text.encode()
        table = ffi.from_buffer("int64_t[]", slots)
        assert lib.lc_set_has_str(table, bits, blob, data, len(data)) == (text in texts), text
