"""cffi build of the C runtime (API mode): `laminarc.runtime._lc_runtime`.

setup.py names this file in `cffi_modules`, so the extension is built at install time. The
declarations cffi sees are the cdef block of lc_runtime.h, the same header the C code includes
and the code generator mirrors.
"""

from __future__ import annotations

import os

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))
REL = os.path.relpath(HERE)   # setuptools refuses absolute source paths
SOURCES = ["lc_runtime.c", "lc_io.c", "lc_workers.c"]
CFLAGS = ["-O2", "-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fno-strict-aliasing"]


def read_cdef(header: str) -> str:
    """The part of the header between the cdef markers."""
    with open(header) as f:
        text = f.read()
    begin = text.index("/* cdef-begin */") + len("/* cdef-begin */")
    return text[begin : text.index("/* cdef-end */")]


ffi = FFI()
ffi.cdef(read_cdef(os.path.join(HERE, "lc_runtime.h")))
ffi.set_source(
    "laminarc.runtime._lc_runtime",
    '#include "lc_runtime.h"',
    sources=[os.path.join(REL, s) for s in SOURCES],
    include_dirs=[REL],
    extra_compile_args=CFLAGS,
    libraries=["m", "pthread"],
)
