"""LLVM mirrors of the C runtime's structs (runtime/lc_runtime.h), accessed by field name.

Every field of these structs is 8 bytes wide (pointers and int64_t), so a field's offset is
8 * its position; tests/test_abi.py checks each against the C compiler's layout through cffi.
"""

from __future__ import annotations

from llvmlite import ir

I1 = ir.IntType(1)
I8 = ir.IntType(8)
I16 = ir.IntType(16)
I32 = ir.IntType(32)
I64 = ir.IntType(64)
I128 = ir.IntType(128)
F32 = ir.FloatType()
F64 = ir.DoubleType()
PTR = ir.PointerType()
VOID = ir.VoidType()


class CStruct:
    def __init__(self, name: str, fields: list[tuple[str, ir.Type | CStruct]]):
        self.name = name
        self.fields = fields
        self.index = {n: i for i, (n, _) in enumerate(fields)}
        self.type = ir.LiteralStructType(
            [t.type if isinstance(t, CStruct) else t for _, t in fields]
        )

    def path(self, field: str) -> tuple[list[int], ir.Type]:
        """GEP indices and the type of a (possibly dotted) field."""
        struct: CStruct = self
        indices = []
        t: ir.Type | CStruct = self
        for part in field.split("."):
            assert isinstance(t, CStruct), f"{field}: {part} is inside a non-struct"
            struct = t
            i = struct.index[part]
            indices.append(i)
            t = struct.fields[i][1]
        return indices, t

    def gep(self, b: ir.IRBuilder, ptr: ir.Value, field: str) -> ir.Value:
        indices, _ = self.path(field)
        idx = [ir.Constant(I32, 0)] + [ir.Constant(I32, i) for i in indices]
        return b.gep(ptr, idx, inbounds=True, source_etype=self.type, name=field)

    def load(self, b: ir.IRBuilder, ptr: ir.Value, field: str) -> ir.Value:
        _, t = self.path(field)
        assert not isinstance(t, CStruct), f"{field} names a struct, not a value"
        return b.load(self.gep(b, ptr, field), typ=t, name=field)

    def store(self, b: ir.IRBuilder, value: ir.Value, ptr: ir.Value, field: str) -> None:
        b.store(value, self.gep(b, ptr, field))

    def offsets(self) -> dict[str, int]:
        """Byte offsets of every (dotted) scalar field, assuming 8-byte fields."""
        out: dict[str, int] = {}

        def walk(s: CStruct, base: int, prefix: str) -> int:
            for name, t in s.fields:
                if isinstance(t, CStruct):
                    base = walk(t, base, prefix + name + ".")
                else:
                    out[prefix + name] = base
                    base += 8
            return base

        walk(self, 0, "")
        return out


LC_COL = CStruct("lc_col", [("values", PTR), ("validity", PTR), ("offsets", PTR), ("offset", I64)])
LC_ARENA = CStruct("lc_arena", [("cur", PTR), ("end", PTR), ("chunks", PTR), ("reserved", I64)])
LC_TABLE = CStruct("lc_table", [
    ("slots", PTR), ("entries", PTR), ("dirty", PTR), ("mask", I64), ("count", I64),
    ("limit", I64), ("ndirty", I64), ("window", I64), ("entry_size", I64), ("sets", PTR),
    ("nsets", I64), ("strings", LC_ARENA), ("next", PTR), ("entries_mem", PTR), ("ordered", I64),
    ("frozen", I64), ("listed", PTR),
])
LC_OUTCOL = CStruct("lc_outcol", [
    ("values", PTR), ("validity", PTR), ("offsets", PTR), ("data_len", I64), ("data_cap", I64),
    ("width", I64),
])
LC_OUT = CStruct("lc_out", [("n", I64), ("cap", I64), ("ncols", I64), ("cols", PTR)])
LC_CTX = CStruct("lc_ctx", [
    ("need", I64), ("need_ptr", PTR), ("need_arg", I64), ("need_arg2", I64), ("resume_k", I64),
    ("late_rows", I64), ("errors", I64), ("scratch", PTR),
    ("scratch_cap", I64),
])
LC_AGG = CStruct("lc_agg", [
    ("win_ids", PTR), ("win_tables", PTR), ("win_mask", I64), ("nwin", I64), ("table", PTR),
    ("entry_size", I64), ("nsets", I64), ("set_entry_sizes", PTR), ("windowed", I64),
    ("size", I64), ("slide", I64), ("offset", I64), ("emit_rows", PTR), ("emit_changes", PTR),
    ("pool", PTR), ("initial_entries", I64), ("close_ids", PTR),
    ("close_cap", I64), ("global_agg", I64), ("merge", PTR), ("seq_offset", I64),
    ("returned", PTR), ("slice_units", I64), ("slice_r", I64),
    ("slice_m", I64), ("slice_c", I64), ("fold_limit", I64), ("fold_next", I64), ("fold", PTR),
    ("folded", PTR), ("folded_tail", PTR), ("fold_where", PTR), ("fold_order", PTR),
    ("fold_entries", PTR), ("fold_cap", I64), ("blocks", PTR), ("block_mask", I64),
    ("block_levels", I64), ("max_opened", I64), ("min_opened", I64),
])
LC_PIPE = CStruct("lc_pipe", [
    ("run_dense", PTR), ("run_nulls", PTR), ("wm", I64), ("agg", PTR), ("out", PTR),
    ("ctx", LC_CTX), ("sel", PTR), ("bp_pos", PTR), ("bp_wm", PTR), ("nbp", I64),
    ("bp_next", I64), ("seq_base", I64), ("ns_partition", I64), ("ns_wait", I64),
    ("ns_select", I64), ("ns_run", I64), ("proc_now", I64), ("lane", I64),
    ("free_dense", PTR), ("free_nulls", PTR), ("loop_force", I64), ("loop_pick", I64),
    ("loop_runs", I64), ("loop_cost_branching", I64), ("loop_cost_free", I64), ("deal", PTR),
    ("win_dense", PTR), ("win_nulls", PTR), ("win_k", I64),
])
LC_PART = CStruct("lc_part", [("dest", PTR), ("nworkers", I64), ("ctx", LC_CTX),
                              ("route_from", I64), ("block_rows", I64), ("seq_base", I64)])

STRUCTS = (LC_COL, LC_ARENA, LC_TABLE, LC_OUTCOL, LC_OUT, LC_CTX, LC_AGG, LC_PIPE, LC_PART)

# Need codes (LC_NEED_* in the header).
(NEED_GROW, NEED_WINDOW, NEED_STRINGS, NEED_OUT_DATA, NEED_SCRATCH, NEED_FOLD,
 NEED_THAW) = 1, 2, 3, 4, 5, 6, 7
