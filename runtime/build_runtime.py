"""cffi build of the C runtime (API mode): `laminarc.runtime._lc_runtime`.

setup.py names this file in `cffi_modules`, so the extension is built at install time. The
declarations cffi sees are the cdef block of lc_runtime.h, the same header the C code includes
and the code generator mirrors.
"""

from __future__ import annotations

import glob
import os

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))
REL = os.path.relpath(HERE)   # setuptools refuses absolute source paths
SOURCES = ["lc_runtime.c", "lc_regex.c", "lc_io.c", "lc_workers.c"]
# What the sources include, and this file's flags: build_ext rebuilds when one is newer.
DEPENDS = ["*.h", "*.inc", "build_runtime.py"]
CFLAGS = ["-O2", "-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fno-strict-aliasing"]


def read_cdef(header: str) -> str:
    """The part of the header between the cdef markers (runtime/native.py reads it the same
    way for an artifact's library; this file runs before the package exists)."""
    with open(header) as f:
        text = f.read()
    begin = text.index("/* cdef-begin */") + len("/* cdef-begin */")
    return text[begin : text.index("/* cdef-end */")]


def make_ffi(extra_cflags: tuple[str, ...] = (), extra_ldflags: tuple[str, ...] = (),
             absolute: bool = False) -> FFI:
    """The extension's build description; tests build an AddressSanitizer variant with
    extra flags (absolute paths, since they compile outside setuptools)."""
    where = HERE if absolute else REL
    out = FFI()
    out.cdef(read_cdef(os.path.join(HERE, "lc_runtime.h")))
    out.set_source(
        "laminarc.runtime._lc_runtime",
        '#include "lc_runtime.h"',
        sources=[os.path.join(where, s) for s in SOURCES],
        depends=sorted(p for d in DEPENDS for p in glob.glob(os.path.join(where, d))),
        include_dirs=[where],
        extra_compile_args=[*CFLAGS, *extra_cflags],
        extra_link_args=list(extra_ldflags),
        libraries=["m", "pthread"],
    )
    return out


ffi = make_ffi()
