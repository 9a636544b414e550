"""Files read and written through the C runtime's I/O layer (`lc_io.c`): io_uring where the
kernel allows it, pread/pwrite otherwise, with several chunks in flight for large transfers.

    with open_file("data.arrow") as f:
        buf = f.read_all()            # a pyarrow.Buffer, ready for zero-copy readers
    with open_file("log", "a") as f:
        at = f.write(record)          # appended; returns the offset it went to
        f.sync()

`backend="auto"` picks io_uring and falls back to pread when a ring cannot be set up (no
io_uring in the kernel, seccomp, `kernel.io_uring_disabled`, locked-memory limits);
`LAMINARC_IO_BACKEND=pread` (or `io_uring`) overrides what `auto` means for the process.
Errors are `OSError`s (`FileNotFoundError`, `PermissionError`, ...) naming the operation and
the path. A `File` may be shared between threads: its calls are serialized by a lock, and the
GIL is released while they run, so different files proceed in parallel.
"""

from __future__ import annotations

import errno
import io
import os
import threading
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Literal, TypeAlias

import pyarrow as pa

from .native import ffi, lib

Backend: TypeAlias = Literal["auto", "io_uring", "pread"]
BufferLike: TypeAlias = Any   # bytes, bytearray, memoryview, pyarrow.Buffer, numpy arrays, ...

ENV_BACKEND = "LAMINARC_IO_BACKEND"
STREAM_START = 1 << 20   # bytes: a read of a pipe or /proc file starts here and doubles
# ... up to half the machine's memory: a stream is held whole, and one without an end
# (/dev/zero, `yes`) must fail with a message rather than wake the OOM killer.
STREAM_LIMIT = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
BACKENDS = {"auto": lib.LC_IO_AUTO, "io_uring": lib.LC_IO_URING, "pread": lib.LC_IO_PREAD}
BACKEND_NAMES = {lib.LC_IO_URING: "io_uring", lib.LC_IO_PREAD: "pread"}
MODES = {
    "r": lib.LC_IO_READ,
    "r+": lib.LC_IO_READ | lib.LC_IO_WRITE,
    "w": lib.LC_IO_WRITE | lib.LC_IO_CREATE | lib.LC_IO_TRUNCATE,
    "w+": lib.LC_IO_READ | lib.LC_IO_WRITE | lib.LC_IO_CREATE | lib.LC_IO_TRUNCATE,
    "a": lib.LC_IO_WRITE | lib.LC_IO_CREATE,
    "a+": lib.LC_IO_READ | lib.LC_IO_WRITE | lib.LC_IO_CREATE,
}
# Why a ring could not be set up, by the errno io_uring_setup gave.
URING_ERRORS = {
    errno.ENOSYS: "the kernel has no io_uring (or a seccomp filter hides it)",
    errno.EPERM: "io_uring is blocked (seccomp, or the kernel.io_uring_disabled sysctl)",
    errno.EACCES: "io_uring is blocked by a security policy",
    errno.ENOMEM: "not enough locked memory for a ring (RLIMIT_MEMLOCK)",
    errno.EOPNOTSUPP: "the kernel's io_uring lacks IORING_OP_READ/WRITE (needs Linux >= 5.6)",
}


def describe_uring_error(code: int) -> str:
    """A sentence for the errno that ruled io_uring out."""
    name = errno.errorcode.get(code, str(code))
    return f"{URING_ERRORS.get(code, os.strerror(code))} ({name})"


def io_uring_unavailable() -> str | None:
    """None when io_uring works in this process, else why not."""
    code = lib.lc_io_uring_probe()
    return describe_uring_error(code) if code else None


def _os_error(status: int, what: str, path: str) -> OSError:
    """OSError picks the subclass (FileNotFoundError, PermissionError, ...) from the errno."""
    return OSError(-status, f"{what}: {os.strerror(-status)}", path)


def _resolve_backend(backend: str) -> int:
    if backend == "auto":
        backend = os.environ.get(ENV_BACKEND, "auto") or "auto"
    if backend not in BACKENDS:
        raise ValueError(f"unknown I/O backend {backend!r}; expected one of {sorted(BACKENDS)}")
    return BACKENDS[backend]


def open_file(
    path: str | os.PathLike[str],
    mode: str = "r",
    backend: Backend = "auto",
    queue_depth: int = 0,
    chunk_size: int = 0,
    on_signal: Callable[[], None] | None = None,
) -> File:
    """Open `path` ("r", "r+", "w", "w+", "a", "a+" as for `open`, always binary).

    `queue_depth` chunks of `chunk_size` bytes stay in flight on large transfers (0: the
    runtime's defaults, 16 x 1 MiB). Appends ("a", or `write` without an offset) go at the end
    of the file as it was at open, moved past every write through this File.

    Opening a FIFO waits for a writer, and reading a pipe waits for its data: a signal stops
    the wait for a moment, its Python handler runs (Ctrl-C's raises KeyboardInterrupt), then
    `on_signal` is called, if given, and the wait goes on unless one of them raised. A handler
    that only notes the signal can so have it raised from `on_signal`."""
    if mode not in MODES:
        raise ValueError(f"invalid mode {mode!r}; expected one of {sorted(MODES)}")
    name = os.fsdecode(path)
    chosen = _resolve_backend(backend)
    if chosen == lib.LC_IO_URING and (code := lib.lc_io_uring_probe()):
        raise OSError(code, f"io_uring was asked for: {describe_uring_error(code)}", name)
    out = ffi.new("lc_file**")
    while True:   # (a signal's handler runs between tries: Ctrl-C stops a wait for a FIFO)
        status = lib.lc_file_open(os.fsencode(path), MODES[mode], chosen, queue_depth,
                                  chunk_size, out)
        if status != -errno.EINTR:
            break
        if on_signal is not None:
            on_signal()
    if status:
        raise _os_error(status, f"cannot open (mode {mode!r})", name)
    return File(ffi.gc(out[0], lib.lc_file_close), name, mode, on_signal)


class File:
    """An open file of the runtime's I/O layer. Use `open_file` to make one."""

    def __init__(self, handle: Any, path: str, mode: str,
                 on_signal: Callable[[], None] | None = None):
        self._handle = handle
        self._on_signal = on_signal
        self._lock = threading.Lock()
        self.path = path
        self.mode = mode
        self.backend: str = BACKEND_NAMES[lib.lc_file_backend(handle)]
        code = lib.lc_file_uring_error(handle)
        # Why "auto" settled for pread; None when io_uring is used or pread was asked for.
        self.fallback_reason: str | None = describe_uring_error(code) if code else None
        self.queue_depth: int = lib.lc_file_depth(handle)
        self.chunk_size: int = lib.lc_file_chunk(handle)
        self._regular = bool(lib.lc_file_regular(handle))   # (else read in order to its end)

    def _live(self) -> Any:
        if self._handle is None:
            raise ValueError(f"I/O operation on closed file {self.path!r}")
        return self._handle

    def _check_readable(self) -> None:
        if not (self.mode.startswith("r") or "+" in self.mode):
            raise io.UnsupportedOperation(f"{self.path!r} is not open for reading")

    def _check_writable(self) -> None:
        if self.mode == "r":
            raise io.UnsupportedOperation(f"{self.path!r} is not open for writing")

    @property
    def closed(self) -> bool:
        return self._handle is None

    @property
    def size(self) -> int:
        """The file's current size in bytes."""
        with self._lock:
            n = lib.lc_file_size(self._live())
        if n < 0:
            raise _os_error(n, "cannot stat", self.path)
        return n

    @property
    def end(self) -> int:
        """The offset the next append goes to."""
        with self._lock:
            return lib.lc_file_end(self._live())

    def read_into(self, buffer: BufferLike, offset: int = 0) -> int:
        """Fill `buffer` (any writable buffer) from `offset`; returns the bytes read, fewer than
        `len(buffer)` only at the end of the file."""
        self._check_readable()
        if offset < 0:
            raise ValueError(f"negative read offset {offset}")
        try:
            dst = ffi.from_buffer("uint8_t[]", buffer, require_writable=True)
        except (BufferError, TypeError) as e:
            kind = type(buffer).__name__
            raise TypeError(f"read_into needs a writable buffer, not {kind}") from e
        with self._lock:
            n = lib.lc_file_read(self._live(), dst, len(dst), offset)
        if n < 0:
            raise _os_error(n, f"read of {len(dst)} bytes at offset {offset} failed", self.path)
        return n

    def read(self, size: int, offset: int = 0) -> pa.Buffer:
        """Up to `size` bytes at `offset`, in a new pyarrow buffer (shorter at end of file)."""
        buf = pa.allocate_buffer(size)
        n = self.read_into(buf, offset)
        return buf if n == size else buf.slice(0, n)

    def read_all(self) -> pa.Buffer:
        """The whole file in one pyarrow buffer (64-byte aligned; wrap it without copying).

        A regular file is read at offsets, its size known. A pipe, a FIFO, a socket or a file
        whose size is not known ahead (those under /proc report 0) is read in order until its
        writers close it, into a buffer that grows."""
        self._check_readable()
        size = self.size
        return self.read(size, 0) if self._regular and size > 0 else self._read_stream()

    def _read_stream(self) -> pa.Buffer:
        buf = pa.allocate_buffer(STREAM_START, resizable=True)
        n = 0
        while True:
            # (by address: a memoryview of a ResizableBuffer keeps its first size)
            room = buf.size - n
            with self._lock:
                got = lib.lc_file_read_stream(
                    self._live(), ffi.cast("uint8_t*", buf.address + n), room
                )
            if got == -errno.EINTR:   # (its handler has run: a KeyboardInterrupt is raised)
                if self._on_signal is not None:
                    self._on_signal()
                continue
            if got < 0:
                raise _os_error(got, f"read after {n} bytes failed", self.path)
            if got == 0:
                buf.resize(n, shrink_to_fit=True)
                return buf
            n += got
            if n == buf.size:
                if n >= STREAM_LIMIT:
                    raise MemoryError(
                        f"{self.path}: still more data after {n:,} bytes, half this machine's "
                        "memory; a pipe or FIFO is read whole, so give a larger input as a file")
                buf.resize(min(2 * buf.size, STREAM_LIMIT))

    def write(self, data: BufferLike, offset: int | None = None) -> int:
        """Write all of `data` at `offset`, or append it when `offset` is None; returns the
        offset it was written at."""
        self._check_writable()
        if offset is not None and offset < 0:
            raise ValueError(f"negative write offset {offset}")
        src = ffi.from_buffer(data)
        at = -1 if offset is None else offset
        with self._lock:
            r = lib.lc_file_write(self._live(), src, len(src), at)
        if r < 0:
            where = "append" if offset is None else f"write at offset {offset}"
            raise _os_error(r, f"{where} of {len(src)} bytes failed", self.path)
        return r

    def write_many(
        self,
        chunks: Sequence[BufferLike],
        offsets: Sequence[int | None] | None = None,
        sync: Literal[False, "data", "full"] = False,
    ) -> list[int]:
        """Write several buffers in flight together (appends where the offset is None, in
        order), then optionally fdatasync ("data") or fsync ("full") once they all completed:
        a log's group commit. Returns the offset of each chunk."""
        self._check_writable()
        n = len(chunks)
        if offsets is not None and len(offsets) != n:
            raise ValueError(f"{n} chunks but {len(offsets)} offsets")
        srcs = [ffi.from_buffer(c) for c in chunks]   # alive until the call returns
        reqs = ffi.new("lc_io_req[]", max(n, 1))
        for i, src in enumerate(srcs):
            at = None if offsets is None else offsets[i]
            if at is not None and at < 0:
                raise ValueError(f"negative write offset {at}")
            reqs[i].op = lib.LC_IO_OP_WRITE
            reqs[i].buf = ffi.cast("uint8_t*", src)
            reqs[i].len = len(src)
            reqs[i].offset = -1 if at is None else at
        flags = {False: 0, "data": lib.LC_IO_DATASYNC, "full": lib.LC_IO_SYNC}[sync]
        with self._lock:
            r = lib.lc_file_submit(self._live(), reqs, n, flags)
        if r < 0:
            raise _os_error(r, f"batch of {n} writes failed", self.path)
        return [reqs[i].offset for i in range(n)]

    def sync(self, data_only: bool = False) -> None:
        """fsync (or fdatasync) the file. After a failure the written data's fate is unknown."""
        with self._lock:
            r = lib.lc_file_sync(self._live(), int(data_only))
        if r < 0:
            raise _os_error(r, "fsync failed", self.path)

    def truncate(self, size: int) -> None:
        """Cut or extend the file to `size` bytes; appends continue from there."""
        self._check_writable()
        with self._lock:
            r = lib.lc_file_truncate(self._live(), size)
        if r < 0:
            raise _os_error(r, f"truncate to {size} bytes failed", self.path)

    def close(self) -> None:
        with self._lock:
            handle, self._handle = self._handle, None
            if handle is None:
                return
            ffi.gc(handle, None)   # detach the finalizer: the file is closed here, once
            r = lib.lc_file_close(handle)
        if r < 0:
            raise _os_error(r, "close failed", self.path)

    def __enter__(self) -> File:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else self.backend
        return f"<laminarc File {self.path!r} mode={self.mode!r} {state}>"


def read_file(path: str | os.PathLike[str], backend: Backend = "auto",
              on_signal: Callable[[], None] | None = None) -> pa.Buffer:
    """The whole file at `path` as one pyarrow buffer (`on_signal`: as for `open_file`)."""
    with open_file(path, "r", backend, on_signal=on_signal) as f:
        return f.read_all()
