"""The backend: one object owns the target machine; it verifies LLVM IR, optimizes it (O3, new
pass manager), emits object code, caches objects by content hash (memory, then disk), and
loads them into the process's JIT.

The cache key covers the IR text, the target and the backend's settings, so any change to
generated code or to the CPU target is a miss; a hit skips LLVM entirely.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field

import llvmlite
import llvmlite.binding as llvm

from .codegen.runtime_api import SIGNATURES

_INIT = threading.Lock()
_initialized = False
BACKEND_VERSION = "1"


def _init_llvm() -> None:
    global _initialized
    with _INIT:
        if not _initialized:
            llvm.initialize_native_target()
            llvm.initialize_native_asmprinter()
            llvm.initialize_native_asmparser()
            _initialized = True


def cache_dir() -> str:
    d = os.environ.get("LAMINARC_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "laminarc")
    return os.path.join(d, "objects")


@dataclass
class CompileStats:
    hits_memory: int = 0
    hits_disk: int = 0
    misses: int = 0
    llvm_seconds: float = 0.0
    last: dict = field(default_factory=dict)


class Backend:
    """Compiles for one target. `cpu="host"` is this machine's CPU (the JIT's default);
    artifacts pass a portable CPU such as "x86-64-v3"."""

    def __init__(self, cpu: str = "host", opt: int = 3, use_disk_cache: bool = True,
                 codemodel: str = "default", reloc: str = "pic"):
        _init_llvm()
        self.triple = llvm.get_process_triple()
        target = llvm.Target.from_triple(self.triple)
        if cpu == "host":
            self.cpu = llvm.get_host_cpu_name()
            self.features = llvm.get_host_cpu_features().flatten()
        else:
            self.cpu = cpu
            self.features = ""
        self.opt = opt
        self.codemodel = codemodel
        self.reloc = reloc
        self.tm = target.create_target_machine(cpu=self.cpu, features=self.features, opt=opt,
                                               reloc=reloc, codemodel=codemodel)
        self.data_layout = str(self.tm.target_data)
        self.use_disk_cache = use_disk_cache
        self.stats = CompileStats()
        self._lock = threading.Lock()

    # -- compilation -------------------------------------------------------------------------
    def key(self, ir_text: str) -> str:
        """The cache key of the IR's object code (hash it once: callers pass it on)."""
        h = hashlib.sha256()
        for part in (BACKEND_VERSION, llvmlite.__version__, self.triple, self.cpu, self.features,
                     str(self.opt), self.codemodel, self.reloc, ir_text):
            h.update(part.encode())
            h.update(b"\0")
        return h.hexdigest()

    def optimize(self, ir_text: str) -> llvm.ModuleRef:
        # A context of its own, disposed of with the module: the global one would keep the
        # types and constants of every module compiled in the process (one per statement).
        # Artifacts compile modules in parallel in forked processes, each with its own Backend.
        mod = llvm.parse_assembly(ir_text, context=llvm.create_context())
        mod.triple = self.triple
        mod.data_layout = self.data_layout
        mod.verify()
        pto = llvm.create_pipeline_tuning_options(speed_level=self.opt)
        pto.loop_vectorization = self.opt >= 2
        pto.slp_vectorization = self.opt >= 2
        pb = llvm.create_pass_builder(self.tm, pto)
        pb.getModulePassManager().run(mod, pb)
        return mod

    def object_code(self, ir_text: str, key: str) -> bytes:
        """Object code for the IR (whose `key` is self.key(ir_text)), from the cache when
        possible."""
        obj = self.cached(key)
        if obj is None:
            t0 = time.perf_counter()
            obj = self.tm.emit_object(self.optimize(ir_text))
            self.store(key, obj, time.perf_counter() - t0)
        return obj

    @staticmethod
    def _path(key: str) -> str:
        return os.path.join(cache_dir(), key[:2], key + ".o")

    def cached(self, key: str) -> bytes | None:
        """The object code of the IR with this key from the disk cache, or None."""
        if not self.use_disk_cache:
            return None
        path = self._path(key)
        if not os.path.exists(path):
            return None
        with open(path, "rb") as f:
            self.stats.hits_disk += 1
            return f.read()

    def store(self, key: str, obj: bytes, seconds: float) -> None:
        """Count a compilation that took `seconds` and cache its object code."""
        self.stats.llvm_seconds += seconds
        self.stats.misses += 1
        if self.use_disk_cache:
            _write_atomic(self._path(key), obj)

    def assembly(self, ir_text: str) -> str:
        return self.tm.emit_assembly(self.optimize(ir_text))

    def optimized_ir(self, ir_text: str) -> str:
        return str(self.optimize(ir_text))


def _write_atomic(path: str, data: bytes) -> None:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        pass   # a read-only or full cache directory only costs recompilation


class Jit:
    """The process's JIT: objects are loaded once per content hash and never unloaded, so
    function addresses stay valid for the life of the process."""

    _instance: Jit | None = None
    _lock = threading.Lock()

    def __init__(self, runtime_symbols: dict[str, int]):
        # The large code model: MCJIT's memory manager maps an object's code and constants
        # separately, and after enough modules (and the process's other mappings) they can be
        # more than 2 GiB apart, beyond the 32-bit offsets of the default model, where LLVM
        # aborts the process resolving the relocation. Large addresses everything in 64 bits,
        # and static relocation makes those plain absolute addresses (R_X86_64_64): large PIC
        # code goes through the GOT (GOT64, GOTOFF64, GOTPC64), which RuntimeDyld resolved
        # wrongly here (aggregates read garbage, and one crashed).
        self.backend = Backend(codemodel="large", reloc="static")
        for name in SIGNATURES:
            llvm.add_symbol(name, runtime_symbols[name])
        # LLVM may lower 128-bit arithmetic to libgcc helpers (__divti3, __floattidf, ...); make
        # them resolvable so a missing symbol can never abort the process.
        for lib in ("libgcc_s.so.1", "libm.so.6"):
            with contextlib.suppress(RuntimeError):
                llvm.load_library_permanently(lib)
        self.engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), self.backend.tm)
        self.loaded: dict[str, dict[str, int]] = {}

    @classmethod
    def get(cls, runtime_symbols: dict[str, int]) -> Jit:
        with cls._lock:
            if cls._instance is None:
                cls._instance = Jit(runtime_symbols)
            return cls._instance

    def load(self, ir_text: str, symbols: list[str]) -> dict[str, int]:
        """Addresses of `symbols` defined by this IR, compiling it if it was never loaded."""
        with self._lock:
            key = self.backend.key(ir_text)
            if key in self.loaded:
                self.backend.stats.hits_memory += 1
                return self.loaded[key]
            obj = self.backend.object_code(ir_text, key)
            self.engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
            self.engine.finalize_object()
            addrs = {s: self.engine.get_function_address(s) for s in symbols}
            missing = [s for s, a in addrs.items() if not a]
            if missing:
                raise RuntimeError(f"JIT lost symbols {missing}")
            self.loaded[key] = addrs
            if os.environ.get("LAMINARC_PERF_MAP"):
                _write_perf_map(addrs)
            return addrs


def _write_perf_map(addrs: dict[str, int]) -> None:
    """Name JIT code for `perf report` (/tmp/perf-PID.map, perf's convention); a function's
    size is taken as the distance to the next one."""
    if not addrs:
        return
    ordered = sorted((a, s) for s, a in addrs.items())
    with open(f"/tmp/perf-{os.getpid()}.map", "a") as f:
        for (a, s), nxt in zip(ordered, [*ordered[1:], (ordered[-1][0] + 4096, "")], strict=True):
            f.write(f"{a:x} {nxt[0] - a:x} {s}\n")
