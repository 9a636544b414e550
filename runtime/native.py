"""The one module that touches the C runtime's `lib`: loading it, turning status codes into
exceptions, and the addresses the JIT links generated code against."""

from __future__ import annotations

import importlib.util
import os

from .errors import ExecutionError


def _load():
    """The extension module; LAMINARC_NATIVE_LIB names another build of it (the
    AddressSanitizer job of the tests uses this)."""
    path = os.environ.get("LAMINARC_NATIVE_LIB")
    if path:
        spec = importlib.util.spec_from_file_location("laminarc.runtime._lc_runtime", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.ffi, module.lib
    try:
        from ._lc_runtime import ffi, lib
    except ImportError as e:   # pragma: no cover - only without a built extension
        raise ImportError(
            "laminarc's C runtime is not built; run `make` (or `pip install -e .`) first"
        ) from e
    return ffi, lib


ffi, lib = _load()

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


def alloc_calls() -> int:
    return lib.lc_alloc_calls()


def bytes_live() -> int:
    return lib.lc_bytes_live()
