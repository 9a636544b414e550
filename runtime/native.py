"""The one module that touches the C runtime's `lib`: loading it, turning status codes into
exceptions, and the addresses the JIT links generated code against.

Two ways to load it: the cffi extension module built at install (API mode, the normal case),
or, in an ahead-of-time artifact, the artifact's shared library (generated code linked with
the runtime) through cffi's ABI mode, which needs no compiler: the artifact's copy of this
package holds `_library.py` naming the library, and `lc_runtime.h`, whose cdef block
declares everything (see compiler/artifact.py)."""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import os

from .errors import ExecutionError

HERE = os.path.dirname(os.path.abspath(__file__))
CDEF_BEGIN, CDEF_END = "/* cdef-begin */", "/* cdef-end */"
LIBRARY_PATH: str | None = None   # the shared library, when loaded in ABI mode


def read_cdef(header: str) -> str:
    """The part of the header between the cdef markers."""
    with open(header) as f:
        text = f.read()
    return text[text.index(CDEF_BEGIN) + len(CDEF_BEGIN) : text.index(CDEF_END)]


def _load():
    """The extension module; LAMINARC_NATIVE_LIB names another build of it (the
    AddressSanitizer job of the tests uses this). In an artifact, its shared library."""
    global LIBRARY_PATH
    path = os.environ.get("LAMINARC_NATIVE_LIB")
    if path:
        spec = importlib.util.spec_from_file_location("laminarc.runtime._lc_runtime", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.ffi, module.lib
    if os.path.exists(os.path.join(HERE, "_library.py")):
        from cffi import FFI

        from . import _library

        LIBRARY_PATH = os.path.join(HERE, _library.NAME)
        ffi = FFI()
        ffi.cdef(read_cdef(os.path.join(HERE, "lc_runtime.h")))
        return ffi, ffi.dlopen(LIBRARY_PATH)
    try:
        from ._lc_runtime import ffi, lib
    except ImportError as e:   # pragma: no cover - only without a built extension
        raise ImportError(
            "laminarc's C runtime is not built; run `make` (or `pip install -e .`) first"
        ) from e
    return ffi, lib


ffi, lib = _load()


def default_memory_limit() -> int:
    """80% of the memory this process may use (the machine's, or its cgroup's if less), as
    DuckDB's default: a runaway query then fails with ExecutionError ("out of memory") rather
    than being killed by the kernel, which would take the whole process with it."""
    total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    try:
        with open("/proc/self/cgroup") as f:
            group = next((line.split(":", 2)[2].strip() for line in f if line.startswith("0::")),
                         None)
        if group is not None:
            with open(os.path.join("/sys/fs/cgroup", group.lstrip("/"), "memory.max")) as f:
                cap = f.read().strip()
            if cap.isdigit():
                total = min(total, int(cap))
    except OSError:
        pass   # no cgroup v2 here: the machine's memory
    return total * 4 // 5


lib.lc_set_memory_limit(default_memory_limit())

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def check(status: int, what: str) -> None:
    """Raise ExecutionError for a non-zero runtime status."""
    if status:
        msg = ffi.string(lib.lc_status_message(status)).decode()
        raise ExecutionError(f"{what}: {msg}")


def symbol_address(name: str) -> int:
    return int(ffi.cast("uintptr_t", ffi.addressof(lib, name)))


def runtime_symbols(names) -> dict[str, int]:
    """Addresses of runtime functions, for the JIT's symbol table."""
    return {n: symbol_address(n) for n in names}


def library_addresses(names) -> dict[str, int]:
    """Addresses of generated functions in the artifact's shared library (ABI mode)."""
    if LIBRARY_PATH is None:
        raise RuntimeError("the runtime was not loaded from an artifact's library")
    so = _artifact_library()
    return {n: ctypes.cast(getattr(so, n), ctypes.c_void_p).value for n in names}


# The out parameter of each text parser (the parsers take text, its length, the arguments
# named in the call, and it; the formatters a value, those arguments and a buffer).
_PARSED = {"lc_parse_i64": "int64_t *", "lc_parse_f64": "double *", "lc_parse_bool": "int32_t *",
           "lc_parse_decimal": "int64_t *", "lc_parse_date": "int32_t *",
           "lc_parse_timestamp": "int64_t *"}
_FORMATTED_MAX = 64   # the longest a formatter writes is a TIMESTAMP's 48 bytes


def parse_text(parser: str, text: bytes, *args) -> int | float | None:
    """What the runtime's text parser `parser` makes of text, or None where it fails: the
    compiler folds a constant's conversion with the code generated code calls."""
    out = ffi.new(_PARSED[parser])
    rc = getattr(lib, parser)(ffi.from_buffer("uint8_t[]", text), len(text), *args, out)
    return None if rc else out[0]


def format_text(formatter: str, value, *args) -> bytes:
    """The text the runtime's `formatter` writes for value."""
    buf = ffi.new("uint8_t[]", _FORMATTED_MAX)
    n = getattr(lib, formatter)(value, *args, buf)
    return ffi.buffer(buf, n)[:]


@functools.cache
def _artifact_library() -> ctypes.CDLL:
    return ctypes.CDLL(LIBRARY_PATH)   # the library cffi opened: the loader counts references
