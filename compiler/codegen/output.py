"""Writing rows into an lc_out batch: Arrow buffers the runtime hands to pyarrow.

The runtime reserves row capacity before a loop runs; string bytes are checked per row
(`prepare`, which may exit for more) before anything of the row is written (`write`).
"""

from __future__ import annotations

from llvmlite import ir

from ..plan import Field
from ..types import Kind
from .abi import I8, I32, I64, I128, LC_OUT, LC_OUTCOL, NEED_OUT_DATA
from .function import FnGen
from .values import SLOT_WIDTH, Val, i64, llvm_type


class OutputWriter:
    def __init__(self, g: FnGen, out: ir.Value, fields: tuple[Field, ...]):
        self.g = g
        self.out = out
        self.fields = fields
        cols = g.in_entry(lambda b: LC_OUT.load(b, out, "cols"))
        self.cols = []
        self.values = []
        self.validity = []
        self.offsets = []
        self.data_len = []
        self.data_cap = []
        for c, f in enumerate(fields):
            col = g.in_entry(
                lambda b, c=c: b.gep(cols, [i64(c)], source_etype=LC_OUTCOL.type)
            )
            self.cols.append(col)
            self.values.append(g.in_entry(lambda b, col=col: LC_OUTCOL.load(b, col, "values")))
            self.validity.append(
                g.in_entry(lambda b, col=col: LC_OUTCOL.load(b, col, "validity"))
                if f.nullable else None
            )
            if f.type.kind is Kind.VARCHAR:
                self.offsets.append(g.in_entry(lambda b, col=col: LC_OUTCOL.load(b, col, "offsets")))
                init = g.in_entry(lambda b, col=col: LC_OUTCOL.load(b, col, "data_len"))
                self.data_len.append(g.alloca(I64, f"data_len{c}", init))
                self.data_cap.append(g.in_entry(lambda b, col=col: LC_OUTCOL.load(b, col, "data_cap")))
            else:
                self.offsets.append(None)
                self.data_len.append(None)
                self.data_cap.append(None)
        self.j_var = g.alloca(I64, "out_n", g.in_entry(lambda b: LC_OUT.load(b, out, "n")))
        g.on_exit(self.save)

    def save(self, b: ir.IRBuilder) -> None:
        LC_OUT.store(b, b.load(self.j_var, typ=I64), self.out, "n")
        for c, var in enumerate(self.data_len):
            if var is not None:
                LC_OUTCOL.store(b, b.load(var, typ=I64), self.cols[c], "data_len")

    def string_columns(self) -> list[int]:
        return [c for c, f in enumerate(self.fields) if f.type.kind is Kind.VARCHAR]

    def prepare(self, rows: list[tuple[list[Val], ir.Value | None]]) -> None:
        """Exit for more string room unless every string column can take these rows.
        `rows`: (values, written?) pairs, where written is an i1 or None for always."""
        g, b = self.g, self.g.b
        for c in self.string_columns():
            need = i64(0)
            for vals, when in rows:
                v = vals[c]
                n = b.select(v.null, i64(0), v.len) if v.maybe_null else v.len
                if when is not None:
                    n = b.select(when, n, i64(0))
                need = b.add(need, n)
            room = b.sub(self.data_cap[c], b.load(self.data_len[c], typ=I64))
            g.exit_unless(b.icmp_signed("<=", need, room), NEED_OUT_DATA, self.out, need, i64(c))

    def write(self, vals: list[Val], when: ir.Value | None = None) -> None:
        """Append one row (capacity was reserved and prepared). With `when` (an i1), the row
        is appended only where it holds, without a branch: fixed-width values are stored in
        the next slot either way (a row not appended leaves them for the next row to
        overwrite), bits only where `when` holds, and the row count advances by `when`."""
        g, b = self.g, self.g.b
        j = b.load(self.j_var, typ=I64)
        for c, (f, v) in enumerate(zip(self.fields, vals, strict=True)):
            # Validity bitmaps start all valid: only a NULL writes its bit. Setting every
            # row's bit would chain each row's byte load on the previous row's store.
            if self.validity[c] is not None and v.maybe_null:
                with b.if_then(v.null if when is None else b.and_(v.null, when)):
                    g.clear_bit(self.validity[c], j)
            k = f.type.kind
            if k is Kind.VARCHAR:
                assert when is None, "string columns are appended with a branch"
                pos = b.load(self.data_len[c], typ=I64)
                n = b.select(v.null, i64(0), v.len) if v.maybe_null else v.len
                g.memcpy(b.gep(self.values[c], [pos], source_etype=I8), v.v, n)
                end = b.add(pos, n)
                b.store(end, self.data_len[c])
                nxt = b.gep(self.offsets[c], [b.add(j, i64(1))], source_etype=I32)
                b.store(b.trunc(end, I32), nxt)
            elif k is Kind.BOOLEAN:
                with b.if_then(v.v if when is None else b.and_(v.v, when)):
                    g.set_bit(self.values[c], j)
            elif k is Kind.DECIMAL:
                ptr = b.gep(self.values[c], [j], source_etype=I128)
                b.store(b.sext(v.v, I128), ptr, align=8)
            else:
                assert SLOT_WIDTH[k] > 0, f"{k} has a fixed width"
                ptr = b.gep(self.values[c], [j], source_etype=llvm_type(f.type))
                b.store(v.v, ptr)
        b.store(b.add(j, i64(1) if when is None else b.zext(when, I64)), self.j_var)
