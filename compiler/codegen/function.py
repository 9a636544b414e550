"""FnGen: the state of one generated function, and the idioms every generator shares.

- Allocas live in the entry block (mem2reg turns them into registers).
- `exit(need, ...)` records a need in lc_ctx and leaves through the function's exit block,
  which saves the loop state and returns the position to resume from (see lc_runtime.h).
- Expression errors are counted in `err_var` (the counter of the current commit scope).
- `scratch(nbytes)` hands out per-row scratch memory, exiting for more when it runs out.
"""

from __future__ import annotations

from collections.abc import Callable

from llvmlite import ir

from .abi import I1, I8, I32, I64, LC_CTX, PTR
from .runtime_api import declare
from .values import i64


class FnGen:
    def __init__(self, module: ir.Module, name: str, ret: ir.Type, args: list[ir.Type],
                 arg_names: list[str]):
        self.module = module
        self.fn = ir.Function(module, ir.FunctionType(ret, args), name)
        self.fn.attributes.add("nounwind")
        for a, n in zip(self.fn.args, arg_names, strict=True):
            a.name = n
        self.args = dict(zip(arg_names, self.fn.args, strict=True))
        self.entry = self.fn.append_basic_block("entry")
        self.b = ir.IRBuilder(self.entry)
        self.body = self.fn.append_basic_block("body")
        self.exit_block: ir.Block | None = None
        self.ctx: ir.Value | None = None
        self.err_var: ir.Value | None = None
        self.scratch_base: ir.Value | None = None
        self.scratch_cap: ir.Value | None = None
        self.scratch_used: ir.Value | None = None
        self._on_exit: list[Callable[[ir.IRBuilder], None]] = []
        self.head: ir.Block | None = None   # of the loop of loop_head
        # An i1 that holds for the rows whose results count, while expressions are evaluated
        # for rows a predicated filter may drop (see PipelineCodegen): errors count only there.
        self.guard: ir.Value | None = None

    # -- setup ---------------------------------------------------------------------------
    def start_body(self) -> None:
        """End the entry block (allocas and loads of loop-invariant state) and continue in
        the body. Allocas requested later are still placed in the entry block."""
        self.b.position_at_end(self.entry)   # other builders appended to it meanwhile
        self.b.branch(self.body)
        self.b.position_at_end(self.body)

    def alloca(self, t: ir.Type, name: str, init: ir.Value | None = None, count: int = 1
               ) -> ir.Value:
        b = ir.IRBuilder(self.entry)
        if self.entry.is_terminated:
            b.position_before(self.entry.terminator)
        else:
            b.position_at_end(self.entry)
        ptr = b.alloca(t, size=None if count == 1 else ir.Constant(I64, count), name=name)
        if init is not None:
            b.store(init, ptr)
        return ptr

    def dominates(self, d: ir.Block, c: ir.Block) -> bool:
        """Whether every path from the entry to block c passes block d, in the blocks and
        branches made so far (a value made in d may then be used in c)."""
        if d is c or d is self.entry:
            return True
        seen, todo = {id(d)}, [self.entry]
        while todo:
            blk = todo.pop()
            if blk is c:
                return False
            if id(blk) in seen:
                continue
            seen.add(id(blk))
            term = blk.terminator
            if isinstance(term, ir.SwitchInstr):
                todo += [term.default, *(t for _, t in term.cases)]
            elif term is not None:
                todo += [o for o in term.operands if isinstance(o, ir.Block)]
        return True

    def in_entry(self, emit: Callable[[ir.IRBuilder], ir.Value]) -> ir.Value:
        """Emit loop-invariant code (e.g. loads of column descriptors) in the entry block."""
        b = ir.IRBuilder(self.entry)
        if self.entry.is_terminated:
            b.position_before(self.entry.terminator)
        else:
            b.position_at_end(self.entry)
        return emit(b)

    def setup_ctx(self, ctx: ir.Value) -> None:
        self.ctx = ctx
        self.scratch_base = self.in_entry(lambda b: LC_CTX.load(b, ctx, "scratch"))
        self.scratch_cap = self.in_entry(lambda b: LC_CTX.load(b, ctx, "scratch_cap"))
        self.scratch_used = self.alloca(I64, "scratch_used", i64(0))

    def on_exit(self, fn: Callable[[ir.IRBuilder], None]) -> None:
        """Register code that saves state; it runs on both the exit and the done paths."""
        self._on_exit.append(fn)

    def save_state(self, b: ir.IRBuilder) -> None:
        for fn in self._on_exit:
            fn(b)

    def loop_head(self, pos_var: ir.Value, total: ir.Value, body: str = "row"
                  ) -> tuple[ir.Value, ir.Block]:
        """A loop over positions [*pos_var, total): (the position, the done block); the
        builder is left in the body, which stores the next position and branches back to the
        head (`self.head`)."""
        b = self.b
        self.head = self.fn.append_basic_block("head")
        row = self.fn.append_basic_block(body)
        done = self.fn.append_basic_block("done")
        b.branch(self.head)
        b.position_at_end(self.head)
        pos = b.load(pos_var, typ=I64)
        b.cbranch(b.icmp_signed("<", pos, total), row, done)
        b.position_at_end(row)
        return pos, done

    def loop_returns(self, done: ir.Block, total: ir.Value, pos_var: ir.Value) -> None:
        """A loop's two ways out, both saving the state first: `done` returns `total` (all
        of it done), the exit block (something is needed) the position to resume at."""
        b = self.b
        b.position_at_end(done)
        self.save_state(b)
        b.ret(total)
        b.position_at_end(self.exit_block)
        self.save_state(b)
        b.ret(b.load(pos_var, typ=I64))

    # -- exits ---------------------------------------------------------------------------
    def exit(self, need: int, ptr: ir.Value | None = None, arg: ir.Value | None = None,
             arg2: ir.Value | None = None) -> None:
        """Record a need in lc_ctx and leave (the current block ends here)."""
        b, ctx = self.b, self.ctx
        LC_CTX.store(b, i64(need), ctx, "need")
        LC_CTX.store(b, ptr if ptr is not None else ir.Constant(PTR, None), ctx, "need_ptr")
        LC_CTX.store(b, arg if arg is not None else i64(0), ctx, "need_arg")
        LC_CTX.store(b, arg2 if arg2 is not None else i64(0), ctx, "need_arg2")
        b.branch(self.exit_block)

    def exit_unless(self, ok: ir.Value, need: int, ptr: ir.Value | None = None,
                    arg: ir.Value | None = None, arg2: ir.Value | None = None) -> None:
        with self.b.if_then(self.b.not_(ok), likely=False):
            self.exit(need, ptr, arg, arg2)

    # -- errors --------------------------------------------------------------------------
    def count_error(self, cond: ir.Value | None = None) -> None:
        """Count an expression error (when `cond`, if given, and on a row whose results
        count: see `guard`)."""
        b = self.b
        if self.guard is not None:
            cond = self.guard if cond is None else b.and_(cond, self.guard)
        inc = i64(1) if cond is None else b.zext(cond, I64)
        b.store(b.add(b.load(self.err_var, typ=I64), inc), self.err_var)

    # -- scratch -------------------------------------------------------------------------
    def scratch(self, nbytes: ir.Value, need: int) -> ir.Value:
        """Pointer to `nbytes` of scratch valid until the end of the row."""
        b = self.b
        used = b.load(self.scratch_used, typ=I64)
        end = b.add(used, nbytes)
        self.exit_unless(b.icmp_signed("<=", end, self.scratch_cap), need, arg=end)
        b.store(end, self.scratch_used)
        return b.gep(self.scratch_base, [used], source_etype=I8)

    # -- calls ---------------------------------------------------------------------------
    def call(self, name: str, args: list[ir.Value]) -> ir.Value:
        return self.b.call(declare(self.module, name), args)

    def intrinsic(self, name: str, ret: ir.Type, args: list[ir.Value]) -> ir.Value:
        fn = self.module.globals.get(name)
        if fn is None:
            # Pointer parameters are opaque: the first call's argument may be a constant of
            # `[N x i8]*` type, which a later call's `[M x i8]*` would not match.
            params = [PTR if isinstance(a.type, ir.PointerType) else a.type for a in args]
            fn = ir.Function(self.module, ir.FunctionType(ret, params), name)
        return self.b.call(fn, args)

    def memcpy(self, dst: ir.Value, src: ir.Value, n: ir.Value) -> None:
        self.intrinsic("llvm.memcpy.p0.p0.i64", ir.VoidType(), [dst, src, n, ir.Constant(I1, 0)])

    def memset(self, dst: ir.Value, value: int, n: ir.Value) -> None:
        self.intrinsic("llvm.memset.p0.i64", ir.VoidType(),
                       [dst, ir.Constant(I8, value), n, ir.Constant(I1, 0)])

    def prefetch(self, ptr: ir.Value) -> None:
        """A hint to load ptr's cache line for reading (kept in every cache level)."""
        self.intrinsic("llvm.prefetch.p0", ir.VoidType(),
                       [ptr, ir.Constant(I32, 0), ir.Constant(I32, 3), ir.Constant(I32, 1)])

    def smax(self, a: ir.Value, c: ir.Value) -> ir.Value:
        return self.intrinsic(f"llvm.smax.i{a.type.width}", a.type, [a, c])

    def smin(self, a: ir.Value, c: ir.Value) -> ir.Value:
        return self.intrinsic(f"llvm.smin.i{a.type.width}", a.type, [a, c])

    # -- bitmaps -------------------------------------------------------------------------
    def bit(self, bitmap: ir.Value, index: ir.Value) -> ir.Value:
        """Bit `index` of an Arrow bitmap, as i1."""
        b = self.b
        byte = b.load(b.gep(bitmap, [b.lshr(index, i64(3))], source_etype=I8), typ=I8)
        shift = b.trunc(b.and_(index, i64(7)), I8)
        return b.trunc(b.lshr(byte, shift), I1)

    def set_bit(self, bitmap: ir.Value, index: ir.Value) -> None:
        b = self.b
        ptr = b.gep(bitmap, [b.lshr(index, i64(3))], source_etype=I8)
        mask = b.shl(ir.Constant(I8, 1), b.trunc(b.and_(index, i64(7)), I8))
        b.store(b.or_(b.load(ptr, typ=I8), mask), ptr)

    def clear_bit(self, bitmap: ir.Value, index: ir.Value) -> None:
        b = self.b
        ptr = b.gep(bitmap, [b.lshr(index, i64(3))], source_etype=I8)
        mask = b.shl(ir.Constant(I8, 1), b.trunc(b.and_(index, i64(7)), I8))
        b.store(b.and_(b.load(ptr, typ=I8), b.not_(mask)), ptr)

    def i32(self, v: int) -> ir.Constant:
        return ir.Constant(I32, v)
