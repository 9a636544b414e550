"""Ahead-of-time artifacts: a pipeline file compiled into a Python package that runs without
the compiler (`laminarc compile pipeline.sql -o DIR`).

    DIR/<name>/
        __init__.py        generated from templates/artifact_init.py.j2: `Pipeline`, schemas
        _check.py          generated: refuses a wrong manifest version or CPU at import
        lib<name>.so       the generated code of every stream, linked with the C runtime
        manifest.json      format version, target and CPU features, plan hash, specs
        pipeline.sql       the SQL it came from
        plan.txt           logical, optimized and physical plans of every stream
        _runtime/          the runtime's Python modules, which load lib<name>.so through
                           cffi's ABI mode (no compiler needed) and run it

The package needs numpy, pyarrow and cffi; it never imports llvmlite, sqlglot or
`laminarc.compiler`. Generated code is compiled for a portable CPU (`x86-64-v3` by default)
and the runtime's C sources with the same `-march`; the package's import checks the CPU's
features and the manifest's format version before it loads the library.

Runtime objects are compiled once per target and cached next to the object cache, so a
pipeline's cold compile is its LLVM time plus one link.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import multiprocessing
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import asdict, dataclass

import jinja2
import llvmlite.binding as llvm

from ..runtime.program import SourceSpec
from .backend import Backend, cache_dir
from .compile import COMPILER_VERSION
from .plan import explain
from .unit import Unit, compile_unit

FORMAT_VERSION = 1          # of the artifact's layout and manifest
STATE_LAYOUT_VERSION = 1    # of operator state (checkpoints will depend on it)

# The runtime's Python modules an artifact carries (none imports the compiler).
RUNTIME_MODULES = ("__init__.py", "native.py", "errors.py", "program.py", "types.py",
                   "arrow.py", "engine.py", "pipelines.py", "subscription.py", "views.py",
                   "dataplane.py", "lc_runtime.h")
RUNTIME_SOURCES = ("lc_runtime.c", "lc_regex.c", "lc_io.c", "lc_workers.c")
RUNTIME_DEPENDENCIES = ("lc_runtime.h", "lc_casemap.inc")
C_FLAGS = ("-O2", "-std=gnu11", "-fPIC", "-fno-strict-aliasing", "-Wall", "-Wno-unused-parameter")

# x86-64 microarchitecture levels, as the /proc/cpuinfo flags a CPU must show.
X86_64_V3 = ("lm", "cmov", "cx8", "fxsr", "mmx", "sse", "sse2", "cx16", "lahf_lm", "popcnt",
             "pni", "sse4_1", "sse4_2", "ssse3", "avx", "avx2", "bmi1", "bmi2", "f16c", "fma",
             "abm", "movbe", "xsave")
# LLVM's names of instruction-set features and the kernel's (for --target-cpu native); other
# LLVM features (security, tuning) do not decide whether the code runs.
LLVM_TO_CPUINFO = {
    "64bit": "lm", "adx": "adx", "aes": "aes", "avx": "avx", "avx2": "avx2",
    "avx512bf16": "avx512_bf16", "avx512bitalg": "avx512_bitalg", "avx512bw": "avx512bw",
    "avx512cd": "avx512cd", "avx512dq": "avx512dq", "avx512f": "avx512f",
    "avx512ifma": "avx512ifma", "avx512vbmi": "avx512vbmi", "avx512vbmi2": "avx512_vbmi2",
    "avx512vl": "avx512vl", "avx512vnni": "avx512_vnni",
    "avx512vpopcntdq": "avx512_vpopcntdq", "avx512fp16": "avx512_fp16", "bmi": "bmi1",
    "bmi2": "bmi2", "cmov": "cmov", "cx16": "cx16", "cx8": "cx8", "f16c": "f16c", "fma": "fma",
    "fxsr": "fxsr", "gfni": "gfni", "lzcnt": "abm", "mmx": "mmx", "movbe": "movbe",
    "pclmul": "pclmulqdq", "popcnt": "popcnt", "sahf": "lahf_lm", "sha": "sha_ni", "sse": "sse",
    "sse2": "sse2", "sse3": "pni", "sse4.1": "sse4_1", "sse4.2": "sse4_2", "sse4a": "sse4a",
    "ssse3": "ssse3", "vaes": "vaes", "vpclmulqdq": "vpclmulqdq", "xsave": "xsave",
    "avxvnni": "avx_vnni",
}


class ArtifactError(Exception):
    """The artifact could not be built (no C compiler, a failed link, a bad name)."""


@dataclass
class Target:
    cpu: str                   # LLVM's CPU name
    march: str                 # gcc's -march
    features: tuple[str, ...]  # /proc/cpuinfo flags the code needs

    @staticmethod
    def named(name: str) -> Target:
        if name == "x86-64-v3":
            return Target("x86-64-v3", "x86-64-v3", X86_64_V3)
        if name == "native":
            llvm.initialize_native_target()
            host = llvm.get_host_cpu_features()
            flags = sorted({LLVM_TO_CPUINFO[f] for f, on in host.items()
                            if on and f in LLVM_TO_CPUINFO})
            return Target("host", "native", tuple(flags))
        raise ArtifactError(f"unknown target CPU '{name}' (use x86-64-v3 or native)")


@dataclass
class BuildInfo:
    path: str                  # the package directory
    seconds: float
    llvm_seconds: float
    library_bytes: int
    cache_hits: int
    compiled_modules: int


def package_name(sql_path: str) -> str:
    """The package a SQL file compiles to: its file name's stem, as a Python identifier."""
    stem = os.path.splitext(os.path.basename(sql_path))[0]
    name = "".join(c if c.isalnum() or c == "_" else "_" for c in stem)
    if not name or name[0].isdigit():
        name = "pipeline_" + name
    return name


def build(sql: str, sql_path: str, out_dir: str, target_cpu: str = "x86-64-v3",
          name: str | None = None) -> BuildInfo:
    """Compile the pipeline file `sql` (read from `sql_path`) into `out_dir/<name>/`."""
    import time

    t0 = time.perf_counter()
    target = Target.named(target_cpu)
    backend = Backend(cpu=target.cpu)
    unit = compile_unit(sql, triple=backend.triple, data_layout=backend.data_layout)
    if not unit.streams and not unit.sources:
        raise ArtifactError(f"{sql_path} declares no sources or streams")
    name = name or package_name(sql_path)
    final = os.path.join(out_dir, name)
    os.makedirs(out_dir, exist_ok=True)
    # Build next to the destination, then swap it in: a failed build leaves no half package.
    stage = tempfile.mkdtemp(prefix=f".{name}.", dir=out_dir)
    try:
        library = f"lib{name}.so"
        objects = _objects(unit, backend, target.cpu, stage)
        _link(os.path.join(stage, library), objects, runtime_objects(target.march))
        _copy_runtime(os.path.join(stage, "_runtime"), library)
        plan = plan_text(unit)
        manifest = _manifest(unit, plan, name, library, backend, target)
        with open(os.path.join(stage, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=2)
            f.write("\n")
        with open(os.path.join(stage, "pipeline.sql"), "w") as f:
            f.write(sql if sql.endswith("\n") else sql + "\n")
        with open(os.path.join(stage, "plan.txt"), "w") as f:
            f.write(plan)
        modules = render(manifest, os.path.basename(sql_path))
        for module, text in modules.items():
            with open(os.path.join(stage, module), "w") as f:
                f.write(text)
        for o in objects:
            os.unlink(o)
        if os.path.exists(final):
            shutil.rmtree(final)
        os.chmod(stage, 0o755)   # mkdtemp made it private
        os.replace(stage, final)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    s = backend.stats
    return BuildInfo(final, time.perf_counter() - t0, s.llvm_seconds,
                     os.path.getsize(os.path.join(final, library)), s.hits_disk, s.misses)


def _objects(unit: Unit, backend: Backend, cpu: str, where: str) -> list[str]:
    """Each stream's object file, for `backend` (made with Backend(cpu=cpu)). Modules not in
    the cache are compiled in parallel by forked processes (llvmlite serializes every call into
    LLVM within a process)."""
    irs = [st.compiled.ir for st in unit.streams]
    keys = [backend.key(ir) for ir in irs]
    objects = [backend.cached(key) for key in keys]
    missing = [i for i, o in enumerate(objects) if o is None]
    procs = min(len(missing), len(os.sched_getaffinity(0)))
    # fork only a process with no other threads (a forked copy of a running engine is unsafe)
    if procs > 1 and threading.active_count() == 1:
        ctx = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(procs, mp_context=ctx) as pool:
            done = pool.map(_compile_module, [(cpu, irs[i], keys[i]) for i in missing])
            for i, (obj, seconds) in zip(missing, done, strict=True):
                backend.store(keys[i], obj, seconds)
                objects[i] = obj
    for i in missing:
        if objects[i] is None:
            objects[i] = backend.object_code(irs[i], keys[i])
    paths = []
    for i, obj in enumerate(objects):
        path = os.path.join(where, f"stream{i}.o")
        with open(path, "wb") as f:
            f.write(obj)
        paths.append(path)
    return paths


def _compile_module(job: tuple[str, str, str]) -> tuple[bytes, float]:
    """In a forked process: one module's object code, and the seconds LLVM took (the parent
    stores it in the disk cache)."""
    cpu, ir, key = job
    backend = Backend(cpu=cpu, use_disk_cache=False)
    return backend.object_code(ir, key), backend.stats.llvm_seconds


def _compiler() -> str:
    cc = os.environ.get("CC") or shutil.which("gcc") or shutil.which("cc")
    if not cc:
        raise ArtifactError("no C compiler found (install gcc, or set CC): it links the "
                            "generated code with the runtime")
    return cc


def runtime_objects(march: str) -> list[str]:
    """The C runtime compiled for `-march`, cached by the hash of its sources and flags."""
    from ..runtime import native

    here = native.HERE   # the runtime package: its C sources are package data
    cc = _compiler()
    flags = [*C_FLAGS, f"-march={march}"]
    h = hashlib.sha256()
    for part in (cc, *flags):
        h.update(part.encode() + b"\0")
    for src in RUNTIME_SOURCES + RUNTIME_DEPENDENCIES:
        with open(os.path.join(here, src), "rb") as f:
            h.update(f.read())
    folder = os.path.join(os.path.dirname(cache_dir()), "runtime", h.hexdigest()[:24])
    outs = [os.path.join(folder, os.path.splitext(s)[0] + ".o") for s in RUNTIME_SOURCES]
    if all(os.path.exists(o) for o in outs):
        return outs
    os.makedirs(folder, exist_ok=True)

    def compile_one(src: str, out: str) -> None:
        tmp = out + f".{os.getpid()}.tmp"
        p = subprocess.run([cc, *flags, "-I", here, "-c", os.path.join(here, src), "-o", tmp],
                           capture_output=True, text=True)
        if p.returncode:
            raise ArtifactError(f"compiling the runtime ({src}) failed:\n{p.stderr}")
        os.replace(tmp, out)

    with concurrent.futures.ThreadPoolExecutor(len(RUNTIME_SOURCES)) as pool:
        list(pool.map(compile_one, RUNTIME_SOURCES, outs))
    return outs


def _link(out: str, objects: list[str], runtime: list[str]) -> None:
    # -Bsymbolic: the library's calls into its runtime stay inside it, even in a process
    # that also loaded laminarc's own runtime. -static-libgcc: 128-bit helpers included.
    cmd = [_compiler(), "-shared", "-o", out, *objects, *runtime, "-lm", "-lpthread",
           "-static-libgcc", "-Wl,-Bsymbolic", "-Wl,-z,noexecstack"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        raise ArtifactError(f"linking {os.path.basename(out)} failed:\n{p.stderr}")


def _copy_runtime(dest: str, library: str) -> None:
    from ..runtime import native

    os.makedirs(dest)
    for m in RUNTIME_MODULES:
        shutil.copyfile(os.path.join(native.HERE, m), os.path.join(dest, m))
    with open(os.path.join(dest, "_library.py"), "w") as f:
        f.write('"""Written by laminarc compile: the shared library this runtime loads."""\n\n'
                f'NAME = "../{library}"\n')


def _manifest(unit: Unit, plan: str, name: str, library: str, backend: Backend,
              target: Target) -> dict:
    """The manifest of the unit, whose plan_text is `plan`."""
    streams = [{"name": s.name, "sql": s.sql, "materialized": s.materialized,
                "changelog": s.compiled.spec.changelog, "spec": s.compiled.spec.to_json()}
               for s in unit.streams]
    sources = [asdict(s) for s in unit.sources]
    h = hashlib.sha256(plan.encode())
    for st in unit.streams:
        h.update(st.compiled.ir.encode())
    return {
        "format_version": FORMAT_VERSION,
        "laminarc_version": COMPILER_VERSION,
        "name": name,
        "library": library,
        "target": {"triple": backend.triple, "cpu": backend.cpu, "march": target.march,
                   "cpu_features": list(target.features)},
        "plan_hash": h.hexdigest(),
        "state_layout_version": STATE_LAYOUT_VERSION,
        "sources": sources,
        "streams": streams,
        "sinks": [],
    }


def plan_text(unit: Unit) -> str:
    out = []
    for s in unit.sources:
        out.append(f"== source {s.name} ==\n{_source_line(s)}\n")
    for st in unit.streams:
        out += [f"== stream {st.name} ==", st.sql, "", "-- logical", explain(st.logical),
                "", "-- optimized", explain(st.optimized), "", "-- physical"]
        out += [p.describe() for p in st.compiled.pipelines]
        out.append("")
    return "\n".join(out)


def _source_line(s: SourceSpec) -> str:
    cols = ", ".join(f"{c.name} {c.type}{'' if c.nullable else ' NOT NULL'}" for c in s.columns)
    wm = ""
    if s.time_column is not None:
        wm = (f"; watermark {s.columns[s.time_column].name} - {s.watermark_delay} "
              f"{s.time_unit}")
    return f"({cols}){wm}"


# The package's generated modules, and the templates they come from.
TEMPLATES = {"__init__.py": "artifact_init.py.j2", "_check.py": "artifact_check.py.j2"}


def render(manifest: dict, sql_file: str) -> dict[str, str]:
    """The text of each generated module of the package (TEMPLATES) for `manifest`."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_templates()), keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined, autoescape=False, finalize=_docstring_text)
    sources = [(s["name"], _source_line(SourceSpec.from_json(s))) for s in manifest["sources"]]
    streams = [(s["name"], ", ".join(f"{c['name']} {c['type']}" for c in s["spec"]["columns"]),
                "materialized view" if s["materialized"] else
                ("changelog" if s["changelog"] else "stream")) for s in manifest["streams"]]
    return {module: env.get_template(template).render(
        m=manifest, sql_file=sql_file, sources=sources, streams=streams,
        format_version=FORMAT_VERSION) for module, template in TEMPLATES.items()}


def _docstring_text(value: object) -> str:
    """A value as the templates print it: each goes into a comment or a docstring, where a
    name's backslash, quotes or line break (a stream named a\\N, a file named with three
    double quotes) would make an invalid escape or end the string, and the module would not
    import."""
    text = str(value)
    for raw, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r")):
        text = text.replace(raw, escaped)
    return text


def _templates() -> str:
    from .. import templates

    return os.path.dirname(os.path.abspath(templates.__file__))
