"""The JIT over the life of a process that loads many modules."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# Loads modules whose code and constants vary in size, each followed by a 3 GiB reservation
# of address space (PROT_NONE: no memory), so MCJIT's memory manager puts a later module's
# constants into room left in an old block while its code goes into a new one, far away. With
# the default code model's 32-bit offsets LLVM then aborts the process ("Assertion
# isInt<32>(RealOffset) failed" in RuntimeDyldELF) within 400 modules; a long-running
# process that compiles streams and queries over hours gets there by its own mappings.
MANY_MODULES = textwrap.dedent('''
    import ctypes, mmap, sys
    from laminarc.compiler.backend import Jit
    from laminarc.compiler.codegen.runtime_api import SIGNATURES
    from laminarc.runtime.native import runtime_symbols

    jit = Jit(runtime_symbols(SIGNATURES))
    reserved = []
    for i in range(400):
        n = 3000 + 37 * (i % 50)
        data = bytes((j * 7 + i) % 251 for j in range(n))
        body = ["  %v0 = add i64 %x, 0"]
        for j in range(1 + (i % 7) * 400):
            body.append(f"  %v{j + 1} = {'mul' if j % 2 else 'xor'} i64 %v{j}, {2 * j + 3 + i}")
        text = "".join("\\\\%02X" % b for b in data)
        ir = f"""
    @d{i} = private unnamed_addr constant [{n} x i8] c"{text}", align 1
    define i64 @f{i}(i64 %x) {{
    {chr(10).join(body)}
      %i = urem i64 %x, {n}
      %p = getelementptr [{n} x i8], ptr @d{i}, i64 0, i64 %i
      %b = load i8, ptr %p
      %w = zext i8 %b to i64
      %s = and i64 %v{len(body) - 1}, 0
      %r = add i64 %w, %s
      ret i64 %r
    }}
    """
        f = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_int64)(jit.load(ir, [f"f{i}"])[f"f{i}"])
        assert [f(k) for k in (0, 5, n - 1, n + 5)] == [data[0], data[5], data[n - 1], data[5]], i
        reserved.append(mmap.mmap(-1, 3 << 30, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS,
                                  prot=0))
    print("loaded", len(reserved))
''')


def test_modules_far_apart_in_memory_still_link(tmp_path):
    """Every module's code reaches its constants wherever the memory manager put them (the
    JIT compiles with the large code model: 64-bit addresses)."""
    r = subprocess.run([sys.executable, "-c", MANY_MODULES], capture_output=True, text=True,
                       timeout=600, env={"LAMINARC_CACHE_DIR": str(tmp_path),
                                         "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split() == ["loaded", "400"]


def test_a_compiled_statement_leaves_no_cyclic_garbage():
    """llvmlite's IR is cyclic; compile_stream takes each module it builds apart once its
    text is taken (codegen.module.release), so opening a database and running W1's
    statements leaves next to nothing for the garbage collector. Left whole, each such
    database left ~19,000 objects, and in a process opening database after database a full
    collection of them paused an insert every few databases by 30-55 ms."""
    import gc

    from laminarc.compiler import compile as compiler

    import laminarc
    from laminarc.workloads import W1_SQL

    with laminarc.open(workers=2) as db:   # (first: imports, caches)
        db.execute(W1_SQL)
    compiler._BUILT.clear()   # (its modules are built again, not taken from the process's)
    gc.collect()
    gc.disable()
    try:
        with laminarc.open(workers=2) as db:
            db.execute(W1_SQL)
        assert gc.collect() < 5_000
    finally:
        gc.enable()
