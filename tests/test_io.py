"""The runtime's file layer (lc_io.c through runtime/files.py) on both backends, and the file
sources of connectors/files.py against pyarrow's own readers."""

from __future__ import annotations

import errno
import io
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.ipc as pa_ipc
import pyarrow.json as pa_json
import pyarrow.parquet as pq
import pytest
from laminarc.connectors.files import FileSource, decode_arrow_file, read_arrow
from laminarc.runtime import files
from laminarc.runtime.files import open_file
from laminarc.runtime.native import ffi, lib

URING_MISSING = files.io_uring_unavailable()
BACKENDS = [
    pytest.param(
        "io_uring",
        marks=pytest.mark.skipif(URING_MISSING is not None, reason=f"io_uring: {URING_MISSING}"),
    ),
    "pread",
]
MiB = 1 << 20


@pytest.fixture(params=BACKENDS)
def backend(request, monkeypatch) -> str:
    monkeypatch.delenv(files.ENV_BACKEND, raising=False)
    return request.param


def random_bytes(n: int, seed: int = 0) -> bytes:
    return np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes()


# ---- backends ---------------------------------------------------------------------------

def test_forced_backend_is_used(tmp_path, backend):
    with open_file(tmp_path / "f", "w", backend) as f:
        assert f.backend == backend
        assert f.fallback_reason is None


def test_auto_takes_io_uring_when_it_works_else_pread(tmp_path, monkeypatch):
    monkeypatch.delenv(files.ENV_BACKEND, raising=False)
    with open_file(tmp_path / "f", "w") as f:
        if URING_MISSING is None:
            assert (f.backend, f.fallback_reason) == ("io_uring", None)
        else:
            assert f.backend == "pread"
            assert f.fallback_reason == URING_MISSING
    monkeypatch.setenv(files.ENV_BACKEND, "pread")
    with open_file(tmp_path / "f", "r") as f:
        assert (f.backend, f.fallback_reason) == ("pread", None)


SECCOMP_CHILD = textwrap.dedent("""
    import ctypes, struct, sys
    # A seccomp filter making io_uring_setup (425) fail with the given errno, as container
    # runtimes do: load the syscall number, compare, return ERRNO or ALLOW.
    code = int(sys.argv[1])
    prog = b"".join(struct.pack("HBBI", *ins) for ins in [
        (0x20, 0, 0, 0), (0x15, 0, 1, 425), (0x06, 0, 0, 0x00050000 | code),
        (0x06, 0, 0, 0x7FFF0000)])
    buf = ctypes.create_string_buffer(prog)
    fprog = struct.pack("HxxxxxxQ", 4, ctypes.addressof(buf))
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.prctl(38, 1, 0, 0, 0) == 0              # PR_SET_NO_NEW_PRIVS
    assert libc.prctl(22, 2, ctypes.c_char_p(fprog), 0, 0) == 0, ctypes.get_errno()
    from laminarc.runtime import files
    with files.open_file(sys.argv[2], "w") as f:
        f.write(b"hello")
        print(f.backend, "|", f.fallback_reason)
    with files.open_file(sys.argv[2], "r") as f:
        assert f.read_all().to_pybytes() == b"hello"
    try:
        files.open_file(sys.argv[2], "r", backend="io_uring")
    except OSError as e:
        print(e)
""")


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the BPF filter checks x86-64 numbers")
@pytest.mark.parametrize("code", [errno.EPERM, errno.ENOSYS], ids=["EPERM", "ENOSYS"])
def test_auto_falls_back_when_seccomp_blocks_io_uring(tmp_path, code):
    env = {k: v for k, v in os.environ.items() if k != files.ENV_BACKEND}
    out = subprocess.run(
        [sys.executable, "-c", SECCOMP_CHILD, str(code), str(tmp_path / "f")],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    first, second = out.stdout.splitlines()
    assert first.startswith("pread | ")
    assert errno.errorcode[code] in first
    assert "io_uring was asked for" in second and errno.errorcode[code] in second


# ---- round trips ------------------------------------------------------------------------

@pytest.mark.parametrize("size", [0, 1, 4095, 4096, MiB + 3, 64 * MiB])
def test_write_then_read_round_trips(tmp_path, backend, size):
    data = random_bytes(size, size)
    path = tmp_path / "f"
    with open_file(path, "w", backend) as f:
        assert f.write(data) == 0
        assert f.size == size
    assert path.read_bytes() == data
    with open_file(path, "r", backend) as f:
        buf = f.read_all()
        assert isinstance(buf, pa.Buffer) and buf.size == size
        assert buf.equals(pa.py_buffer(data))


@pytest.mark.parametrize("depth,chunk", [(1, 4096), (3, 4097), (32, 65536), (1, 1 << 30)])
def test_chunking_and_queue_depths(tmp_path, backend, depth, chunk):
    """Odd chunk sizes and depths split requests at unaligned points; data must not care."""
    data = random_bytes(3 * MiB + 5, 7)
    path = tmp_path / "f"
    with open_file(path, "w+", backend, queue_depth=depth, chunk_size=chunk) as f:
        assert (f.queue_depth, f.chunk_size) == (depth, chunk)
        f.write(data)
        assert f.read_all().to_pybytes() == data
        assert f.read(2 * MiB, 1000).to_pybytes() == data[1000 : 1000 + 2 * MiB]


def test_reads_at_offsets_and_past_the_end(tmp_path, backend):
    data = random_bytes(300_000, 3)
    path = tmp_path / "f"
    path.write_bytes(data)
    rng = np.random.default_rng(4)
    with open_file(path, "r", backend, chunk_size=8192) as f:
        for _ in range(200):
            off = int(rng.integers(0, len(data) + 10))
            n = int(rng.integers(0, 40_000))
            assert f.read(n, off).to_pybytes() == data[off : off + n]
        buf = bytearray(100)
        assert f.read_into(buf, len(data) - 30) == 30
        assert bytes(buf[:30]) == data[-30:]
        assert f.read_into(buf, len(data) + 5) == 0
        arr = np.zeros(1000, np.uint8)
        assert f.read_into(arr, 500) == 1000
        assert arr.tobytes() == data[500:1500]


def test_reading_a_file_shorter_than_requested(tmp_path, backend):
    path = tmp_path / "f"
    path.write_bytes(b"x" * 50)
    with open_file(path, "r", backend, queue_depth=4, chunk_size=16) as f:
        buf = bytearray(10_000)
        assert f.read_into(buf, 0) == 50
        assert bytes(buf[:50]) == b"x" * 50 and not any(buf[50:])
        assert f.read(1 << 20, 10).to_pybytes() == b"x" * 40


def test_appends_and_positional_writes(tmp_path, backend):
    path = tmp_path / "log"
    path.write_bytes(b"head")
    with open_file(path, "a", backend) as f:
        assert f.end == 4
        assert f.write(b"one") == 4
        assert f.write(b"two") == 7
        assert f.write(b"ONE", offset=4) == 4          # overwrite in place
        assert f.write_many([b"a", b"bb", b""], sync="data") == [10, 11, 13]
        assert f.write_many([b"Z", b"ccc"], offsets=[0, None]) == [0, 13]
        assert f.end == 16
        f.sync()
    assert path.read_bytes() == b"ZeadONEtwoabbccc"
    with open_file(path, "r+", backend) as f:
        f.truncate(7)
        assert f.write(b"!") == 7
        assert f.write(b"?", offset=20) == 20          # a hole, then appends after it
        assert f.write(b".") == 21
        f.sync(data_only=True)
    assert path.read_bytes() == b"ZeadONE!" + bytes(12) + b"?."


def test_write_many_keeps_many_writes_in_flight(tmp_path, backend):
    sizes = np.random.default_rng(5).integers(0, 9000, 300)
    records = [random_bytes(int(n), int(n)) for n in sizes]
    path = tmp_path / "log"
    with open_file(path, "w", backend, queue_depth=8, chunk_size=4096) as f:
        offsets = f.write_many(records, sync="full")
    assert offsets == list(np.cumsum([0] + [len(r) for r in records[:-1]]))
    assert path.read_bytes() == b"".join(records)


def test_batch_of_reads_through_the_c_api(tmp_path, backend):
    """lc_file_submit with reads: each request has its own result, EOF inside a request
    shortens only that one, and an invalid request fails alone."""
    data = random_bytes(10_000, 9)
    path = tmp_path / "f"
    path.write_bytes(data)
    with open_file(path, "r", backend, chunk_size=1000) as f:
        bufs = [ffi.new("uint8_t[]", 4000) for _ in range(4)]
        reqs = ffi.new("lc_io_req[]", 4)
        for r, (buf, off) in enumerate(zip(bufs, [0, 3000, 8000, 20_000], strict=True)):
            reqs[r].op, reqs[r].buf, reqs[r].len, reqs[r].offset = lib.LC_IO_OP_READ, buf, 4000, off
        assert lib.lc_file_submit(f._live(), reqs, 4, 0) == 0
        assert [reqs[r].result for r in range(4)] == [4000, 4000, 2000, 0]
        assert ffi.buffer(bufs[1])[:] == data[3000:7000]
        assert ffi.buffer(bufs[2])[:2000] == data[8000:]
        reqs[3].op = 7
        assert lib.lc_file_submit(f._live(), reqs, 4, 0) == -errno.EINVAL
        assert reqs[3].result == -errno.EINVAL and reqs[0].result == 4000


def test_no_native_memory_is_leaked(tmp_path, backend):
    before = lib.lc_bytes_live()
    for _ in range(20):
        with open_file(tmp_path / "f", "w+", backend) as f:
            f.write(b"abc")
            f.read_all()
    with pytest.raises(FileNotFoundError):
        open_file(tmp_path / "missing", "r", backend)
    assert lib.lc_bytes_live() == before


# ---- errors -----------------------------------------------------------------------------

def test_errors_are_exceptions_with_the_path(tmp_path, backend):
    missing = tmp_path / "missing"
    with pytest.raises(FileNotFoundError, match="cannot open") as e:
        open_file(missing, "r", backend)
    assert e.value.filename == str(missing) and e.value.errno == errno.ENOENT
    with pytest.raises(FileNotFoundError):
        open_file(tmp_path / "no" / "dir", "w", backend)
    with pytest.raises(IsADirectoryError):
        open_file(tmp_path, "r", backend)
    with pytest.raises(ValueError, match="invalid mode"):
        open_file(missing, "rw", backend)
    with pytest.raises(ValueError, match="unknown I/O backend"):
        open_file(missing, "r", "mmap")  # type: ignore[arg-type]
    path = tmp_path / "f"
    path.write_bytes(b"data")
    f = open_file(path, "r", backend)
    with pytest.raises(io.UnsupportedOperation, match="not open for writing"):
        f.write(b"x")
    with pytest.raises(TypeError):
        f.read_into(b"immutable bytes")
    with pytest.raises(ValueError, match="negative"):
        f.read(10, -1)
    f.close()
    f.close()                                         # closing twice is fine
    with pytest.raises(ValueError, match="closed file"):
        f.read_all()
    with open_file(path, "w", backend) as w, pytest.raises(io.UnsupportedOperation):
        w.read_all()


@pytest.mark.parametrize("chunk", [3000, MiB])
def test_short_write_is_resumed_then_fails_clearly(tmp_path, backend, chunk):
    """RLIMIT_FSIZE makes the kernel write only up to the limit (a short write), and the
    resubmitted rest fail with EFBIG: the bytes before the limit are all there."""
    old = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (10_000, old[1]))
    try:
        with open_file(tmp_path / "f", "w", backend, chunk_size=chunk) as f, \
                pytest.raises(OSError, match="append of 20000 bytes failed") as e:
            f.write(b"a" * 20_000)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old)
        signal.signal(signal.SIGXFSZ, old_handler)
    assert e.value.errno == errno.EFBIG
    assert (tmp_path / "f").read_bytes() == b"a" * 10_000


def test_read_only_path_cannot_be_opened_for_writing(tmp_path, backend):
    if os.geteuid() != 0:
        target = tmp_path / "ro"
        target.write_bytes(b"x")
        target.chmod(0o444)
    elif os.path.exists("/sys/kernel/uevent_seqnum"):
        target = "/sys/kernel/uevent_seqnum"          # read-only even for root
    else:
        pytest.skip("running as root with no read-only file to try")
    with pytest.raises(PermissionError, match="cannot open"):
        open_file(target, "a", backend)


# ---- threads ----------------------------------------------------------------------------

def test_many_files_in_two_threads(tmp_path, backend):
    def work(t: int) -> int:
        for i in range(40):
            data = random_bytes(1000 * i + 17, 100 * t + i)
            path = tmp_path / f"t{t}-{i}"
            with open_file(path, "w", backend, queue_depth=4, chunk_size=4096) as f:
                f.write(data)
            with open_file(path, "r", backend, queue_depth=4, chunk_size=4096) as f:
                assert f.read_all().to_pybytes() == data
        return t

    with ThreadPoolExecutor(2) as pool:
        assert sorted(pool.map(work, [0, 1])) == [0, 1]


def test_one_file_shared_by_threads_is_serialized(tmp_path, backend):
    path = tmp_path / "shared"
    with open_file(path, "w+", backend, queue_depth=4, chunk_size=4096) as f:
        def work(t: int) -> None:
            for _ in range(50):
                f.write(bytes([t]) * 10_000)

        threads = [threading.Thread(target=work, args=(t,)) for t in (1, 2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        data = f.read_all().to_pybytes()
    assert len(data) == 100 * 10_000
    assert all(data[i : i + 10_000] in (b"\x01" * 10_000, b"\x02" * 10_000)
               for i in range(0, len(data), 10_000))


# ---- file sources -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def table() -> pa.Table:
    n = 20_000
    rng = np.random.default_rng(11)
    return pa.table({
        "ts": pa.array(np.arange(n) * 7, pa.timestamp("ms")),
        "k": pa.array(rng.integers(-1000, 1000, n)),
        "v": pa.array(rng.random(n)),
        "s": pa.array([None if i % 13 == 0 else f"name-{i % 97}" for i in range(n)]),
        "b": pa.array([i % 3 == 0 for i in range(n)]),
    })


def write_formats(table: pa.Table, tmp_path) -> dict[str, tuple[str, pa.Table]]:
    """Each format written by pyarrow, with the table pyarrow's own reader gives back."""
    paths = {}
    p = str(tmp_path / "t.arrow")
    with pa_ipc.new_file(p, table.schema) as w:
        for batch in table.to_batches(max_chunksize=3000):
            w.write_batch(batch)
    paths["arrow"] = (p, pa_ipc.open_file(p).read_all())
    p = str(tmp_path / "t.arrows")
    with pa_ipc.new_stream(p, table.schema) as w:
        w.write_table(table, max_chunksize=3000)
    paths["arrow_stream"] = (p, pa_ipc.open_stream(p).read_all())
    p = str(tmp_path / "t.parquet")
    pq.write_table(table, p, row_group_size=5000)
    paths["parquet"] = (p, pq.read_table(p))
    p = str(tmp_path / "t.csv")
    pa_csv.write_csv(table.drop_columns(["ts"]), p)
    paths["csv"] = (p, pa_csv.read_csv(p))
    p = str(tmp_path / "t.jsonl")
    with open(p, "w") as f:
        f.writelines(json.dumps(row) + "\n" for row in table.drop_columns(["ts"]).to_pylist())
    paths["json"] = (p, pa_json.read_json(p))
    return paths


@pytest.mark.parametrize("fmt", ["arrow", "arrow_stream", "parquet", "csv", "json"])
def test_file_sources_match_pyarrow_readers(tmp_path, table, backend, fmt):
    path, expected = write_formats(table, tmp_path)[fmt]
    batches = list(read_arrow(path, backend))
    assert batches and all(isinstance(b, pa.RecordBatch) for b in batches)
    got = pa.Table.from_batches(batches)
    assert got.schema == expected.schema
    assert got.equals(expected)
    if fmt in ("arrow", "parquet"):
        assert pa.Table.from_batches(list(read_arrow(path, backend, fmt))).equals(expected)


@pytest.mark.parametrize("fmt", ["arrow", "arrow_stream", "parquet", "csv", "json"])
def test_file_sources_read_fifos_to_the_end(tmp_path, table, backend, fmt):
    """A FIFO has no size and no offsets: it is read in order until its writer closes it, in
    pieces of whatever size the writer gives (here 1,000 bytes at a time)."""
    path, expected = write_formats(table, tmp_path)[fmt]
    with open(path, "rb") as f:
        data = f.read()
    fifo = tmp_path / f"{fmt}.fifo"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "wb", buffering=0) as w:
            for at in range(0, len(data), 1000):
                w.write(data[at:at + 1000])

    with ThreadPoolExecutor(1) as pool:
        done = pool.submit(write)
        got = pa.Table.from_batches(list(read_arrow(str(fifo), backend, fmt)))
        done.result(timeout=60)
    assert got.equals(expected)


def test_pipes_and_proc_files_are_read_to_the_end(backend):
    with open("/proc/self/mounts", "rb") as f:
        expected = f.read()
    assert os.stat("/proc/self/mounts").st_size == 0   # why it cannot be read by its size
    assert files.read_file("/proc/self/mounts", backend).to_pybytes() == expected
    payload = random_bytes(3 * MiB + 5, seed=3)   # past the first buffer, which then grows
    r, w = os.pipe()

    def feed() -> None:
        with os.fdopen(w, "wb", buffering=0) as out:
            out.write(payload[:7])
            out.write(payload[7:])   # (a raw write to a blocking pipe writes all)

    try:
        with ThreadPoolExecutor(1) as pool:
            done = pool.submit(feed)
            got = files.read_file(f"/proc/self/fd/{r}", backend)
            done.result(timeout=60)
    finally:
        os.close(r)
    assert got.to_pybytes() == payload
    assert files.read_file("/dev/null", backend).size == 0


def test_a_stream_without_an_end_is_an_error_not_an_oom(backend, monkeypatch):
    """A pipe is held whole; one that never ends (/dev/zero) stops at a limit (half the
    machine's memory; lowered here) with a MemoryError that says why."""
    monkeypatch.setattr(files, "STREAM_LIMIT", 3 * MiB)
    with pytest.raises(MemoryError, match=r"/dev/zero: still more data after 3,145,728 bytes"):
        files.read_file("/dev/zero", backend)


WAITS = {
    # opening a FIFO waits for a writer
    "fifo": "os.mkfifo(path)\nfiles.read_file(path, BACKEND)",
    # a pipe whose writer stays open and silent: the read waits
    "pipe": "r, w = os.pipe()\nfiles.read_file(f'/proc/self/fd/{r}', BACKEND)",
}


@pytest.mark.parametrize("wait", sorted(WAITS))
def test_a_read_waiting_for_a_writer_stops_on_ctrl_c(tmp_path, backend, wait):
    # (Ctrl-C's handler set explicitly: a shell starts background jobs with SIGINT ignored,
    # and Python then leaves it ignored, which a suite run in the background passes down)
    code = (f"import os, signal\nfrom laminarc.runtime import files\n"
            f"signal.signal(signal.SIGINT, signal.default_int_handler)\nBACKEND = {backend!r}\n"
            f"path = {str(tmp_path / 'f')!r}\nprint('waiting', flush=True)\n{WAITS[wait]}\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "waiting\n"
        time.sleep(0.5)   # (in the call by now)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode != 0 and "KeyboardInterrupt" in err, err


def test_arrow_file_batches_are_views_of_the_bytes_read(tmp_path, table):
    path = tmp_path / "t.arrow"
    with pa_ipc.new_file(str(path), table.schema) as w:
        w.write_table(table)
    data = files.read_file(path)
    batch = next(decode_arrow_file(data))
    values = batch.column("k").buffers()[1]
    assert data.address <= values.address < data.address + data.size


def test_file_source_polls_and_restores(tmp_path, table, backend):
    path = str(tmp_path / "t.arrows")
    with pa_ipc.new_stream(path, table.schema) as w:
        w.write_table(table, max_chunksize=4000)
    src = FileSource(path, backend=backend)
    first = src.poll()
    assert first is not None and src.snapshot() == {"batches": 1}
    again = FileSource(path, backend=backend)
    again.restore(src.snapshot())
    rest = []
    while (b := again.poll()) is not None:
        rest.append(b)
    assert again.done and pa.Table.from_batches([first, *rest]).equals(table)


def test_file_source_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_arrow(tmp_path / "missing.parquet")
    odd = tmp_path / "data.bin"
    odd.write_bytes(b"hello")
    with pytest.raises(ValueError, match="cannot tell the format"):
        read_arrow(odd)
    with pytest.raises(ValueError, match="unknown file format"):
        read_arrow(odd, format="orc")  # type: ignore[arg-type]
