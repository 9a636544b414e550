"""The `laminarc` command.

    laminarc compile FILE.sql -o DIR [--target-cpu x86-64-v3|native]
    laminarc check FILE.sql [FILE.sql ...]
    laminarc explain FILE.sql [--stage logical|optimized|physical|llvm|asm] [--stream NAME]
    laminarc run FILE.sql|DIR --input SOURCE=PATH|- ... [--input-format SOURCE=FORMAT]
                 --output STREAM=PATH ... [--workers N]

Exit status: 0 success, 1 a problem with the input (SQL, data, files), 2 a usage error,
130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

from . import __version__
from .runtime.errors import LaminarError

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class CliError(Exception):
    """A problem to report on one line (after `laminarc: `), exit status 1."""


class Diagnostic(CliError):
    """An error located in a file (`file:line:column: error: ...`), printed as it is."""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.func(args)
    except Diagnostic as e:
        print(e, file=sys.stderr)
        return EXIT_INPUT
    except (CliError, LaminarError) as e:
        print(f"laminarc: {e}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("\nlaminarc: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def positive_int(text: str) -> int:
    """An argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="laminarc", description="Streaming SQL compiled to native code.",
        epilog="Run `laminarc COMMAND --help` for a command's options.")
    p.add_argument("--version", action="version", version=f"laminarc {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    c = sub.add_parser("compile", help="compile a pipeline file into a deployable package",
                       description="Compile FILE.sql into the Python package DIR/<file stem>/: "
                       "a shared library, a generated __init__.py exposing Pipeline, "
                       "manifest.json, the SQL and its plans. The package needs only numpy, "
                       "pyarrow and cffi.")
    c.add_argument("file", metavar="FILE.sql")
    c.add_argument("-o", "--output", metavar="DIR", required=True, help="where the package goes")
    c.add_argument("--target-cpu", default="x86-64-v3", choices=("x86-64-v3", "native"),
                   help="CPU the code is compiled for (default: x86-64-v3, portable to any "
                   "x86-64 CPU with AVX2; native: this machine's)")
    c.add_argument("--name", help="package name (default: the file's stem)")
    c.set_defaults(func=cmd_compile)

    k = sub.add_parser("check", help="validate pipeline files without compiling them",
                       description="Parse, bind and plan each file; report errors as "
                       "file:line:column: message. Nothing is compiled to machine code.")
    k.add_argument("files", metavar="FILE.sql", nargs="+")
    k.set_defaults(func=cmd_check)

    e = sub.add_parser("explain", help="print the plans of a pipeline file",
                       description="The plans of every stream in FILE.sql at one stage "
                       "(default: logical, optimized and physical).")
    e.add_argument("file", metavar="FILE.sql")
    e.add_argument("--stage", choices=("logical", "optimized", "physical", "llvm", "asm"))
    e.add_argument("--stream", metavar="NAME", help="only this stream")
    e.set_defaults(func=cmd_explain)

    r = sub.add_parser("run", help="run a pipeline over files",
                       description="Run FILE.sql (compiled now) or DIR (a package from "
                       "`laminarc compile`) over input files, writing streams to files. "
                       "Formats by extension: .parquet, .csv, .arrow/.feather, .arrows, "
                       ".jsonl. Inputs are fed in the order given; then every source's "
                       "input ends, so every window closes.")
    r.add_argument("pipeline", metavar="FILE.sql|DIR")
    r.add_argument("--input", metavar="SOURCE=PATH", action="append", default=[],
                   help="feed a source from a file, a FIFO, or standard input as '-' "
                   "(repeatable)")
    r.add_argument("--input-format", metavar="SOURCE=FORMAT", action="append", default=[],
                   help="a source's input format where the name does not tell it: "
                   "parquet, csv, arrow, arrow_stream or json (Parquet and Arrow files are "
                   "also known by their first bytes)")
    r.add_argument("--output", metavar="STREAM=PATH", action="append", default=[],
                   help="write a stream to a file (repeatable)")
    r.add_argument("--workers", type=positive_int, default=None,
                   help="worker threads (default: the CPUs this process may use)")
    r.add_argument("--progress", choices=("auto", "bar", "log", "none"), default="auto",
                   help="a progress bar on a terminal, log lines otherwise (default: auto)")
    r.set_defaults(func=cmd_run)

    b = sub.add_parser("bench", help="measure W1 or Nexmark, optionally against peers",
                       description="Run W1 or Nexmark queries on laminarc (each measurement "
                       "in a fresh process, input generated beforehand) and print events/s, "
                       "CPU time per event, peak memory and result rows.")
    b.add_argument("workload", choices=("w1", "nexmark"))
    b.add_argument("--query", action="append", metavar="QN",
                   help="Nexmark query (repeatable; 'all': every supported one)")
    b.add_argument("--events", type=int, default=10_000_000)
    b.add_argument("--workers", type=positive_int, default=None,
                   help="laminarc's workers (default: the CPUs this process may use); DuckDB's "
                   "threads")
    b.add_argument("--runs", type=int, default=1, help="runs per measurement; the median "
                   "is reported")
    b.add_argument("--seed", type=int, default=0, help="Nexmark generator seed")
    b.add_argument("--compare", action="store_true", help="also run the peers installed "
                   "(pip install laminarc[bench]): DuckDB's batch query, LaminarDB")
    b.add_argument("--json", metavar="FILE", help="write the figures and the machine as JSON")
    b.add_argument("--report", metavar="FILE.md", help="write the table as Markdown")
    b.add_argument("--plot", metavar="FILE.png", help="a bar chart of events/s (matplotlib)")
    b.add_argument("--progress", choices=("auto", "bar", "log", "none"), default="auto")
    b.set_defaults(func=cmd_bench)
    return p


# -- reading SQL -----------------------------------------------------------------------------
def read_sql(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        raise CliError(f"cannot read {path}: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise CliError(f"{path} is not UTF-8 text: {e}") from None


def format_sql_error(path: str, e) -> str:
    """file:line:column: message, then the line and a caret (gcc style)."""
    where = f"{path}:{e.line}:{e.column}" if e.line else path
    text = f"{where}: error: {e.message}"
    context = e.context()
    if context:
        text += "\n" + "\n".join("  " + line for line in context.splitlines())
    return text


def compile_file(path: str, **kw):
    from .compiler.errors import SqlError
    from .compiler.unit import compile_unit

    sql = read_sql(path)
    try:
        return sql, compile_unit(sql, **kw)
    except SqlError as e:
        e.sql = e.sql or sql
        raise Diagnostic(format_sql_error(path, e)) from None


# -- commands --------------------------------------------------------------------------------
def cmd_check(args) -> int:
    status = EXIT_OK
    for path in args.files:
        try:
            _, unit = compile_file(path)
        except CliError as e:
            print(e, file=sys.stderr)
            status = EXIT_INPUT
            continue
        print(f"{path}: ok ({_count(unit.sources, 'source')}, "
              f"{_count(unit.streams, 'stream')})")
    return status


def cmd_explain(args) -> int:
    from .compiler.backend import Backend
    from .compiler.plan import explain

    backend = Backend() if args.stage in ("llvm", "asm") else None
    kw = {"triple": backend.triple, "data_layout": backend.data_layout} if backend else {}
    _, unit = compile_file(args.file, **kw)
    streams = [s for s in unit.streams if args.stream in (None, s.name)]
    if args.stream and not streams:
        raise CliError(f"{args.file} has no stream '{args.stream}' (streams: "
                       f"{', '.join(s.name for s in unit.streams) or 'none'})")
    out = []
    for s in streams:
        out.append(f"== {s.name} ==")
        stages = [args.stage] if args.stage else ["logical", "optimized", "physical"]
        for stage in stages:
            if not args.stage:
                out.append(f"-- {stage}")
            if stage == "logical":
                out.append(explain(s.logical))
            elif stage == "optimized":
                out.append(explain(s.optimized))
            elif stage == "physical":
                out += [p.describe() for p in s.compiled.pipelines]
            elif stage == "llvm":
                out.append(backend.optimized_ir(s.compiled.ir))
            else:
                out.append(backend.assembly(s.compiled.ir))
        out.append("")
    sys.stdout.write("\n".join(out) + "\n")
    return EXIT_OK


def cmd_compile(args) -> int:
    from .compiler.artifact import ArtifactError, build
    from .compiler.errors import SqlError

    sql = read_sql(args.file)
    try:
        info = build(sql, args.file, args.output, target_cpu=args.target_cpu, name=args.name)
    except SqlError as e:
        e.sql = e.sql or sql
        raise Diagnostic(format_sql_error(args.file, e)) from None
    except ArtifactError as e:
        raise CliError(str(e)) from None
    except OSError as e:
        raise CliError(f"cannot write {args.output}: {e.strerror or e}") from None
    print(f"{args.file} -> {info.path} (library {info.library_bytes / 1024:.0f} KiB; "
          f"{info.seconds:.2f} s, LLVM {info.llvm_seconds:.2f} s, "
          f"{info.compiled_modules} module(s) compiled, {info.cache_hits} from the cache)")
    name = os.path.basename(info.path)
    if hidden := shadowed_module(name, info.path):
        print(f"warning: package '{name}' has the name of {hidden}: with {args.output} on "
              f"sys.path, `import {name}` finds one of the two and the other is hidden "
              f"(`laminarc run` loads the package by its path either way); --name gives it "
              f"another name", file=sys.stderr)
    return EXIT_OK


def shadowed_module(name: str, package_dir: str) -> str | None:
    """What a package named `name` would hide: a module of the standard library or one
    installed (pyarrow, numpy, ...), described; None when there is none."""
    if name in sys.stdlib_module_names:
        return f"the standard library's module {name}"
    try:
        spec = importlib.util.find_spec(name)   # (a top-level name: nothing is imported)
    except (ImportError, ValueError):
        return None
    origin = spec and (spec.origin or next(iter(spec.submodule_search_locations or []), None))
    if not origin or os.path.abspath(origin).startswith(os.path.abspath(package_dir) + os.sep):
        return None
    return f"an installed module ({origin})"


def _count(items: list, what: str) -> str:
    return f"{len(items)} {what}{'' if len(items) == 1 else 's'}"


# -- run -------------------------------------------------------------------------------------
def progress_mode(choice: str) -> str:
    """--progress: auto is a bar on a terminal, log lines otherwise."""
    if choice == "auto":
        return "bar" if sys.stderr.isatty() else "log"
    return choice


@dataclass
class Progress:
    """A one-line bar on a terminal, or a log line every few seconds. `watermark`, when set,
    is called for the text of the watermark only when a line is shown."""

    mode: str
    label: str = "laminarc"
    rows: int = 0
    started: float = field(default_factory=time.perf_counter)
    shown: float = field(default_factory=time.perf_counter)
    watermark: Callable[[], str] | None = None
    watermark_text: str = ""

    def update(self, rows: int) -> None:
        self.rows += rows
        now = time.perf_counter()
        interval = 0.1 if self.mode == "bar" else 5.0
        if self.mode == "none" or now - self.shown < interval:
            return
        self.shown = now
        self.show(now)

    def freeze(self) -> None:
        """Keep the watermark as it is now (before the inputs end and it jumps to the end)."""
        if self.watermark is not None:
            self.watermark_text = self.watermark() or self.watermark_text
            self.watermark = None

    def show(self, now: float, end: str = "") -> None:
        rate = self.rows / max(now - self.started, 1e-9)
        text = f"{self.rows:,} rows, {_si(rate)} rows/s"
        if self.watermark is not None:
            self.watermark_text = self.watermark() or self.watermark_text
        if self.watermark_text:
            text += f", watermark {self.watermark_text}"
        self.line(text, end)

    def line(self, text: str, end: str = "") -> None:
        """The bar's line rewritten, or a log line."""
        if self.mode == "bar":
            sys.stderr.write(f"\r\x1b[K{text}{end}")
            sys.stderr.flush()
        elif self.mode == "log":
            print(f"{self.label}: {text}", file=sys.stderr)

    def finish(self) -> None:
        if self.mode != "none":
            self.show(time.perf_counter(), "\n" if self.mode == "bar" else "")

    def clear(self) -> None:
        """Take the bar off the terminal."""
        if self.mode == "bar":
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _si(x: float) -> str:
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if x >= scale:
            return f"{x / scale:.1f} {unit}"
    return f"{x:.0f}"


def _pairs(items: list[str], what: str) -> list[tuple[str, str]]:
    out = []
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise CliError(f"--{what} takes NAME=PATH, not '{item}'")
        out.append((name, path))
    return out


def load_package(pkg: str):
    """The module of a package from `laminarc compile`, loaded from its folder. It is loaded
    by path, not found on sys.path: a package named like a module already imported (json,
    time) must not resolve to that module. It is registered under its own name unless that
    name is taken, in which case under a private one (the `json` of the interpreter must
    stay the standard library's); its own modules import each other relatively."""
    pkg = os.path.abspath(pkg)
    name = os.path.basename(pkg)
    module_name = name if name not in sys.modules else f"_laminarc_pipeline_{name}"
    spec = importlib.util.spec_from_file_location(
        module_name, os.path.join(pkg, "__init__.py"), submodule_search_locations=[pkg])
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def open_pipeline(target: str, workers: int | None):
    """A laminarc.Database running FILE.sql, or the Pipeline of a compiled package."""
    if os.path.isdir(target):
        pkg = target
        if not os.path.exists(os.path.join(pkg, "manifest.json")):
            found = [d for d in sorted(os.listdir(target))
                     if os.path.exists(os.path.join(target, d, "manifest.json"))]
            if len(found) != 1:
                raise CliError(f"{target} is not a package from `laminarc compile` (no "
                               "manifest.json)")
            pkg = os.path.join(target, found[0])
        try:
            module = load_package(pkg)
        except (ImportError, OSError) as e:
            raise CliError(f"cannot load {pkg}: {e}") from None
        return module.Pipeline(workers=workers)
    from .compiler.errors import SqlError
    from .database import Database

    sql = read_sql(target)
    db = Database(workers)
    try:
        db.execute(sql)
    except SqlError as e:
        db.close()
        e.sql = e.sql or sql
        raise Diagnostic(format_sql_error(target, e)) from None
    return db


def read_batches(path: str, format: str | None = None,
                 on_signal: Callable[[], None] | None = None) -> Iterator:
    """The record batches of an input file ('-': standard input, read to its end); what
    cannot be read or decoded is a CliError."""
    import pyarrow as pa

    from .connectors.files import DECODERS, UnknownFormat, read_arrow

    try:
        batches = read_arrow("/dev/stdin" if path == "-" else path, format=format,
                             on_signal=on_signal)
    except UnknownFormat:
        raise CliError(f"cannot tell the format of {path}: give --input-format SOURCE=FORMAT "
                       f"({', '.join(DECODERS)})") from None
    except (OSError, ValueError) as e:
        raise CliError(f"cannot read {path}: {e}") from None
    while True:
        try:
            batch = next(batches, None)
        except (pa.ArrowException, OSError, ValueError) as e:   # a file pyarrow cannot decode
            raise CliError(f"cannot read {path}: {e}") from None
        if batch is None:
            return
        yield batch


class Interrupts:
    """Ctrl-C noted by a handler and raised where `check` is called. The default handler raises
    KeyboardInterrupt wherever Python happens to be, and where that is a finalizer (a chunk's
    descriptors releasing their Arrow export, say) Python prints it and drops it: the run
    then went on to the end."""

    def __init__(self) -> None:
        self.seen = False
        self.previous = None

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():   # (signals go there only)
            self.previous = signal.signal(signal.SIGINT, self._note)
        return self

    def __exit__(self, *exc) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)

    def _note(self, signum, frame) -> None:
        self.seen = True

    def check(self) -> None:
        if self.seen:
            raise KeyboardInterrupt


def cmd_run(args) -> int:
    from .connectors.files import DECODERS, FileWriter

    inputs = _pairs(args.input, "input")
    formats = dict(_pairs(args.input_format, "input-format"))
    fed = {source for source, _ in inputs}
    for source, fmt in formats.items():
        if fmt not in DECODERS:
            raise CliError(f"--input-format {source}={fmt}: the formats are "
                           f"{', '.join(DECODERS)}")
        if source not in fed:
            raise CliError(f"--input-format {source}={fmt}: no --input {source}=PATH")
    outputs = _pairs(args.output, "output")
    if not outputs:
        raise CliError("nothing to write: give at least one --output STREAM=PATH")
    pipe = open_pipeline(args.pipeline, args.workers)
    writers: list[tuple[object, FileWriter]] = []
    progress = Progress(progress_mode(args.progress))
    interrupts = Interrupts()
    try:
        engine = pipe.engine
        sources = {}   # as given -> the engine's source (the data plane's name lookup)
        for source, _ in inputs:
            try:
                sources[source] = engine._source(pipe._source_name(source))
            except LaminarError:
                raise CliError(f"no source '{source}' (sources: "
                               f"{', '.join(engine.sources) or 'none'})") from None
        for stream, path in outputs:
            try:
                sub = pipe.subscribe(stream)
            except LaminarError:
                raise CliError(f"no stream '{stream}' (streams: "
                               f"{', '.join(engine.streams) or 'none'})") from None
            try:
                writers.append((sub, FileWriter(path, sub.schema)))
            except (OSError, ValueError) as e:
                raise CliError(f"cannot write {path}: {e}") from None

        def drain() -> None:
            for sub, w in writers:
                while (batch := sub.poll()) is not None:
                    try:
                        w.write(batch)
                    except OSError as e:   # a full disk, say
                        raise CliError(f"cannot write {w.path}: {e}") from None

        with interrupts:
            for source, path in inputs:
                progress.watermark = lambda src=sources[source]: _watermark(src)
                try:
                    # (a wait for a pipe's writer is where a noted Ctrl-C is raised too)
                    batches = read_batches(path, formats.get(source), interrupts.check)
                    for i, batch in enumerate(batches):
                        interrupts.check()
                        pipe.insert(source, batch)
                        if i % 32 == 31:   # now and then: results do not pile up in memory,
                            drain()        # and workers are not waited for after every insert
                        progress.update(batch.num_rows)
                except LaminarError as e:
                    raise CliError(f"{path}: {e}") from None
            drain()   # (delivers what is in flight, so the watermark kept is the inputs')
            progress.freeze()
            interrupts.check()
            for name in list(engine.sources):
                pipe.end_input(name)
            drain()
        for _, w in writers:
            try:
                w.close()
            except OSError as e:
                raise CliError(f"cannot write {w.path}: {e}") from None
        progress.finish()
    except BaseException:
        # after an interrupt or a failure, the outputs are still closed (readable); the first
        # problem is the one reported
        for _, w in writers:
            with contextlib.suppress(Exception):
                w.close()
        raise
    finally:
        with contextlib.suppress(Exception):
            pipe.close()
    for (stream, path), (_, w) in zip(outputs, writers, strict=True):
        print(f"{stream}: {w.rows:,} rows -> {path}")
    return EXIT_OK


def _watermark(src) -> str:
    """A source's watermark as text: a date and time for a TIMESTAMP column; none before the
    first row or after the end of input."""
    wm = src.relation.wm
    if src.spec.time_column is None or not -(2**62) < wm < 2**62:
        return ""
    if src.spec.columns[src.spec.time_column].type.startswith("TIMESTAMP"):
        import datetime as dt

        seconds = wm / (1000 if src.spec.time_unit == "ms" else 1_000_000)
        return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    return str(wm)


# -- bench -----------------------------------------------------------------------------------
def cmd_bench(args) -> int:
    from . import bench
    from .nexmark_queries import SUPPORTED, query_sql

    if args.workload == "w1":
        if args.query:
            raise CliError("--query is for nexmark")
        workloads = ["w1"]
    else:
        asked = args.query or ["all"]
        workloads = list(SUPPORTED) if "all" in asked else asked
        for q in workloads:
            try:
                query_sql(q)
            except KeyError as e:
                raise CliError(e.args[0]) from None
    if args.events < 1 or args.runs < 1:
        raise CliError("--events and --runs must be at least 1")
    if args.plot and importlib.util.find_spec("matplotlib") is None:
        raise CliError("--plot needs matplotlib: pip install laminarc[bench]")
    systems = ["laminarc"]
    skipped = []
    if args.compare:
        for s in bench.SYSTEMS[1:]:
            (systems if bench.available(s) else skipped).append(s)
    progress = Progress(progress_mode(args.progress), label="laminarc bench")
    jobs = [(w, s) for w in workloads for s in systems]
    results: list = []
    failures: list[str] = []
    total = len(jobs) * args.runs
    for k, (workload, system) in enumerate(jobs):
        runs = []
        for run in range(args.runs):
            done = k * args.runs + run
            bar = "#" * (20 * done // total) + "." * (20 - 20 * done // total)
            progress.line(f"[{bar}] {done}/{total}: {workload} on {system}, run {run + 1}/"
                          f"{args.runs} ({time.perf_counter() - progress.started:.0f} s)")
            job = bench.Job(system, workload, args.events, args.workers, args.seed)
            try:
                runs.append(bench.run_job(job))
            except Exception as e:   # a peer that can not run a query: say so, go on
                failures.append(f"{workload} on {system}: {e}")
                break
        if runs:
            results.append(bench.median_result(runs))
    progress.clear()
    if not results:
        raise CliError("nothing ran: " + "; ".join(failures))
    print(f"{args.workload}, {args.events:,} events, "
          f"{args.workers or len(os.sched_getaffinity(0))} worker(s), median of {args.runs} "
          f"run(s)")
    text = bench.table(results)
    print(text)
    for f in failures:
        print(f"not measured: {f}")
    for s in skipped:
        print(f"not installed: {s} (pip install laminarc[bench])")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"workload": args.workload, "events": args.events,
                       "workers": args.workers, "runs": args.runs, "machine": bench.machine(),
                       "results": [asdict(r) for r in results],
                       "not_measured": failures}, f, indent=2)
    if args.report:
        m = bench.machine()
        with open(args.report, "w") as f:
            f.write(f"# laminarc bench {args.workload}\n\n{args.events:,} events; "
                    f"{m['cpus']} CPUs ({m['cpu']}), {m['memory_gib']} GiB; median of "
                    f"{args.runs} run(s).\n\n{text}\n")
            for line in failures:
                f.write(f"\nNot measured: {line}")
            f.write("\n")
    if args.plot:
        bench.plot(results, args.plot, f"{args.workload}: events/s ({args.events:,} events)")
    return EXIT_OK


if __name__ == "__main__":   # pragma: no cover
    sys.exit(main())
