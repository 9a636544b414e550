"""The C runtime under AddressSanitizer (and UBSan): an instrumented build of the extension,
and the runtime-heavy tests run against it in a child process with libasan preloaded.
Generated code is not instrumented; every runtime function it calls, and the runtime's own
tables, arenas, windows, output batches, workers and file I/O, are."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import tempfile

import pytest

ROOT = pathlib.Path(__file__).parent.parent
SANITIZE = ("-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=all")


def _asan_runtime() -> str | None:
    out = subprocess.run(["gcc", "-print-file-name=libasan.so"], capture_output=True, text=True)
    path = out.stdout.strip()
    return path if out.returncode == 0 and os.path.isabs(path) and os.path.exists(path) else None


@pytest.mark.slow
def test_runtime_tests_pass_under_address_sanitizer():
    libasan = _asan_runtime()
    if libasan is None:
        pytest.skip("gcc has no libasan on this machine")
    sys.path.insert(0, str(ROOT / "runtime"))
    try:
        import build_runtime
    finally:
        sys.path.pop(0)
    with tempfile.TemporaryDirectory(prefix="laminarc-asan-") as tmp:
        ffi = build_runtime.make_ffi((*SANITIZE, "-O1"), SANITIZE, absolute=True)
        lib_path = ffi.compile(tmpdir=tmp, verbose=False)
        env = dict(os.environ)
        env.update({
            "LD_PRELOAD": libasan,
            "LAMINARC_NATIVE_LIB": lib_path,
            # Python itself "leaks" at exit; what matters here is memory errors.
            "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=0:halt_on_error=1",
            "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
            "LAMINARC_CACHE_DIR": tmp,
        })
        tests = ["tests/test_runtime.py", "tests/test_smoke.py", "tests/test_io.py",
                 "tests/test_api.py", "tests/test_workers.py", "tests/test_errors.py",
                 "tests/test_types.py"]
        proc = subprocess.run(
            # -s: a sanitizer's report goes to fd 2, which pytest's capture would drop with
            # the process
            [sys.executable, "-m", "pytest", "-q", "-s", "-x", "-p", "no:cacheprovider",
             "-k", "not address_sanitizer", *tests],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=1500)
        tail = (proc.stdout + proc.stderr)[-6000:]
        assert proc.returncode == 0, tail
        assert "ERROR: AddressSanitizer" not in tail and "runtime error:" not in tail, tail
