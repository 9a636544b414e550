"""Read throughput of the runtime's file layer: io_uring and pread at several queue depths and
chunk sizes, against pyarrow's own file read, on a 1 GiB file (and 4 GiB with --big); then a
1 GiB Arrow IPC file read into record batches end to end.

    .venv/bin/python bench/io_read.py [--dir /tmp] [--big] [--repeat 5] [--no-cold]

Warm: the file is in the page cache (just written). Cold: the cache is dropped before every
run (`/proc/sys/vm/drop_caches`, root only), or else the file's pages are evicted with
posix_fadvise(DONTNEED); the script says which. "reused buffer" reads into one buffer
allocated and touched beforehand (the I/O path alone); "read_all" allocates a fresh pyarrow
buffer each time, as a source does, so it includes page faults on new memory.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.ipc as pa_ipc
from laminarc.connectors.files import read_arrow
from laminarc.runtime.files import io_uring_unavailable, open_file

GiB = 1 << 30
MiB = 1 << 20
KiB = 1 << 10


def evict(path: str) -> str:
    """Empty the page cache of `path`; returns how. Dirty pages survive both ways, so sync
    first."""
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return "drop_caches"
    except OSError:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
        return "fadvise"


def timed_rounds(
    runs: list[tuple[str, Callable[[], int]]], repeat: int, cold: bool, path: str
) -> list[tuple[str, float, int]]:
    """Median seconds of each run over `repeat` rounds, and the bytes it returned. Rounds go
    through every run in turn, so no configuration profits from its place in the order (the
    memory a fresh buffer gets, host caches, writeback)."""
    times: dict[str, list[float]] = {label: [] for label, _ in runs}
    nbytes: dict[str, int] = {}
    for _ in range(repeat):
        for label, run in runs:
            if cold:
                evict(path)
            t = time.perf_counter()
            nbytes[label] = run()
            times[label].append(time.perf_counter() - t)
    return [(label, statistics.median(times[label]), nbytes[label]) for label, _ in runs]


def write_file(path: str, size: int) -> float:
    block = np.random.default_rng(0).integers(0, 256, 64 * MiB, dtype=np.uint8)
    t = time.perf_counter()
    with open_file(path, "w") as f:
        for off in range(0, size, block.size):
            f.write(block[: min(block.size, size - off)])
        f.sync()
    return size / (time.perf_counter() - t) / 1e9


def row(label: str, seconds: float, nbytes: int) -> None:
    print(f"  {label:<52} {nbytes / seconds / 1e9:6.2f} GB/s   ({seconds * 1e3:7.1f} ms)")


def bench_raw(path: str, size: int, repeat: int, cold: bool) -> None:
    # Touched now, so reads into it measure the I/O path alone; 64-byte aligned like every
    # pyarrow buffer (a destination at 16 mod 64, as numpy's large arrays are, copies at half
    # the speed: the kernel's rep movsb is sensitive to the destination's alignment).
    buf = pa.allocate_buffer(size)
    np.frombuffer(buf, np.uint8)[:] = 1
    configs = [("io_uring", d, c) for c in (128 * KiB, MiB, 4 * MiB) for d in (1, 4, 16, 32)]
    configs += [("pread", 1, c) for c in (128 * KiB, MiB, 4 * MiB, 64 * MiB)]
    if io_uring_unavailable():
        print(f"  io_uring unavailable: {io_uring_unavailable()}")
        configs = [c for c in configs if c[0] == "pread"]

    def ours_into(backend: str, depth: int, chunk: int) -> int:
        with open_file(path, "r", backend, queue_depth=depth, chunk_size=chunk) as f:
            return f.read_into(buf, 0)

    def ours_all(backend: str) -> int:
        with open_file(path, "r", backend) as f:
            return f.read_all().size

    def pyarrow_read() -> int:
        with pa.OSFile(path) as f:
            return f.read_buffer().size

    def python_readinto() -> int:
        with open(path, "rb", buffering=0) as f:
            view, n = memoryview(buf), 0
            while n < size and (got := f.readinto(view[n:])):   # one read stops at 2 GiB
                n += got
            return n

    runs: list[tuple[str, Callable[[], int]]] = []
    for backend, depth, chunk in configs:
        where = f"depth {depth:2}, " if backend == "io_uring" else ""
        runs.append((f"{backend:8} {where}chunk {chunk // KiB:6} KiB, reused buffer",
                     lambda b=backend, d=depth, c=chunk: ours_into(b, d, c)))
    if not io_uring_unavailable():
        runs.append(("io_uring read_all (16 x 1 MiB), fresh buffer", lambda: ours_all("io_uring")))
    runs.append(("pread read_all (1 MiB chunks), fresh buffer", lambda: ours_all("pread")))
    runs.append(("pyarrow OSFile.read_buffer(), fresh buffer", pyarrow_read))
    runs.append(("python readinto, reused buffer", python_readinto))
    for label, seconds, n in timed_rounds(runs, min(repeat, 3) if cold else repeat, cold,
                                          path):
        assert n == size, (label, n, size)
        row(label, seconds, n)


def bench_ipc(dirname: str, repeat: int, cold: bool) -> None:
    """1 GiB of Arrow IPC (8 float64 columns, 64 Ki-row batches) into record batches."""
    path = os.path.join(dirname, "laminarc-io-bench.arrow")
    rows_per_batch, nbatches = 65536, 256
    cols = {f"c{i}": np.random.default_rng(i).random(rows_per_batch) for i in range(8)}
    batch = pa.RecordBatch.from_pydict(cols)
    with pa_ipc.new_file(path, batch.schema) as w:
        for _ in range(nbatches):
            w.write_batch(batch)
    size = os.path.getsize(path)
    reps = min(repeat, 3) if cold else repeat

    def ours(backend: str) -> int:
        rows = 0
        for b in read_arrow(path, backend):
            rows += b.num_rows
        return rows

    def pyarrow_file() -> int:
        with pa.OSFile(path) as f:
            return pa_ipc.open_file(f).read_all().num_rows

    def pyarrow_mmap_sum() -> int:
        # memory_map is lazy: touch every value (a sum) so the bytes are actually read.
        with pa.memory_map(path) as f:
            reader = pa_ipc.open_file(f)
            rows = 0
            for i in range(reader.num_record_batches):
                b = reader.get_batch(i)
                for c in b.columns:
                    np.asarray(c).sum()
                rows += b.num_rows
            return rows

    def ours_sum() -> int:
        rows = 0
        for b in read_arrow(path, "auto"):
            for c in b.columns:
                np.asarray(c).sum()
            rows += b.num_rows
        return rows

    print(f"Arrow IPC file, {size / GiB:.2f} GiB, {nbatches} batches of {rows_per_batch} rows")
    runs = [("read_arrow (io_uring) -> batches", lambda: ours("io_uring")),
            ("read_arrow (pread) -> batches", lambda: ours("pread")),
            ("pyarrow ipc.open_file(OSFile).read_all()", pyarrow_file),
            ("read_arrow (auto) -> batches + sum of all columns", ours_sum),
            ("pyarrow memory_map -> batches + sum of all columns", pyarrow_mmap_sum)]
    if io_uring_unavailable():
        runs = [r for r in runs if "io_uring" not in r[0]]
    for label, seconds, n in timed_rounds(runs, reps, cold, path):
        assert n == rows_per_batch * nbatches
        row(label, seconds, size)
    os.remove(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--dir", default="/tmp")
    ap.add_argument("--big", action="store_true", help="also a 4 GiB file, if the disk has room")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-cold", action="store_true", help="skip the cold-cache runs")
    args = ap.parse_args()
    free = shutil.disk_usage(args.dir).free
    print(f"io_uring: {io_uring_unavailable() or 'available'}; {os.cpu_count()} CPUs; "
          f"{free / GiB:.0f} GiB free in {args.dir}")
    sizes = [GiB] + ([4 * GiB] if args.big and free > 4 * GiB + 8 * GiB else [])
    for size in sizes:
        path = os.path.join(args.dir, f"laminarc-io-bench-{size // GiB}g.bin")
        print(f"\n{size / GiB:.0f} GiB file: written at {write_file(path, size):.2f} GB/s "
              "(auto backend, 64 MiB writes, then fsync)")
        print("warm (in the page cache), median of", args.repeat)
        bench_raw(path, size, args.repeat, cold=False)
        if not args.no_cold:
            print(f"cold (cache emptied by {evict(path)} before each run)")
            bench_raw(path, size, args.repeat, cold=True)
        os.remove(path)
    print()
    print("warm:", end=" ")
    bench_ipc(args.dir, args.repeat, cold=False)
    if not args.no_cold:
        print("cold (cache emptied before each run):", end=" ")
        bench_ipc(args.dir, args.repeat, cold=True)


if __name__ == "__main__":
    main()
