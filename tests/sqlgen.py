"""A typed random SQL generator for differential fuzzing (`fuzz.py`).

Every expression is generated as a triple (laminarc SQL, DuckDB SQL, type). The two texts mean
the same thing: where the systems' rules differ at the edges (DuckDB raises on an overflow or a
bad cast where laminarc yields NULL and counts an expression error; DuckDB divides integers
with `//`; text is cast to an integer only when it is an integer), the DuckDB text is written
to mean what laminarc's does, and the semantics tests pin laminarc's side. Types are INT,
BIGINT, DOUBLE, DECIMAL(p, s) as ("DEC", p, s), VARCHAR, BOOL and TS (TIMESTAMP(3)).
"""
import decimal
import math
import random

import pyarrow as pa


class Retry(Exception):
    """This choice of node cannot be typed as asked: the caller draws another."""


def same(text, typ, *args: tuple) -> tuple:
    """A node written alike for both systems: `text` of the arguments' laminarc texts, and of
    their DuckDB texts."""
    return (text(*(a[0] for a in args)), text(*(a[1] for a in args)), typ)


INT, BIGINT, DOUBLE, VARCHAR, BOOL, TS = "INT", "BIGINT", "DOUBLE", "VARCHAR", "BOOL", "TS"


def DEC(p, s):
    return ("DEC", min(p, 18), s)


def is_dec(t):
    return isinstance(t, tuple) and t[0] == "DEC"


def is_intt(t):
    return t in (INT, BIGINT)


def is_num(t):
    return t in (INT, BIGINT, DOUBLE) or is_dec(t)


def scale(t):
    return t[2] if is_dec(t) else 0


def prec(t):
    if is_dec(t):
        return t[1]
    return {INT: 10, BIGINT: 18}.get(t, 18)


def duck_type(t):
    if is_dec(t):
        return f"DECIMAL({t[1]},{t[2]})"
    return {INT: "INTEGER", BIGINT: "BIGINT", DOUBLE: "DOUBLE", VARCHAR: "VARCHAR",
            BOOL: "BOOLEAN", TS: "TIMESTAMP"}[t]


def lam_type(t):
    if is_dec(t):
        return f"DECIMAL({t[1]},{t[2]})"
    return {INT: "INT", BIGINT: "BIGINT", DOUBLE: "DOUBLE", VARCHAR: "VARCHAR",
            BOOL: "BOOLEAN", TS: "TIMESTAMP(3)"}[t]


def q(s):
    return "'" + s.replace("'", "''") + "'"


COLUMNS = {"k": BIGINT, "v": DOUBLE, "i": INT, "s": VARCHAR, "d": DEC(10, 2), "b": BOOL, "ts": TS}

STRS = ["", "%", "a", "alpha", "Ünïcode", " x ", "al%pha", "_", "beta", "A", "日本", "gamma"]
PATTERNS = ["%", "%a%", "a%", "_", "%a", "al%", "%\u00fc%", "", "_e%", "%%", "a_p%", "%pha", "A%"]


class Gen:
    def __init__(self, rng: random.Random, cols=None):
        self.r = rng
        self.cols = dict(cols or COLUMNS)

    # ---- literals -------------------------------------------------------------
    def lit(self, t):
        r = self.r
        if r.random() < 0.07:
            return (f"CAST(NULL AS {lam_type(t)})", f"CAST(NULL AS {duck_type(t)})", t)
        if t == INT:
            v = r.choice([0, 1, -1, 2, 3, 7, 10, 100, 2147483647, -2147483647, 65536, 46341])
            return (str(v) if v >= 0 else f"({v})", f"CAST({v} AS INTEGER)", INT)
        if t == BIGINT:
            v = r.choice([9223372036854775807, 3000000000, -9223372036854775807, 4294967296,
                          3037000500])
            return (str(v) if v >= 0 else f"({v})", f"CAST({v} AS BIGINT)", BIGINT)
        if t == DOUBLE:
            v = r.choice(["1e308", "0e0", "-0e0", "2.5e0", "-1e0", "1e-3", "1.5e10", "3e0"])
            lam = v if not v.startswith("-") else f"({v})"
            return (lam, f"CAST({v} AS DOUBLE)", DOUBLE)
        if is_dec(t):
            v = r.choice(["1.5", "0.0", "0.01", "123.456", "2.50", "99999999.99", "0.5", "10.0"])
            neg = r.random() < 0.2
            ip, fp = v.split(".")
            s = len(fp)
            # DuckDB prints DECIMAL(1, 1)'s 0.5 as '.5': give the literal an integer digit.
            p = max(len(ip.lstrip("0")) + s, s + 1)
            lam = f"(-{v})" if neg else v
            return (lam, f"CAST('{'-' if neg else ''}{v}' AS DECIMAL({p},{s}))", DEC(p, s))
        if t == VARCHAR:
            v = r.choice(STRS)
            return (q(v), q(v), VARCHAR)
        if t == BOOL:
            v = r.choice(["TRUE", "FALSE"])
            return (v, v, BOOL)
        if t == TS:
            v = r.choice(["2023-11-14 22:13:20", "2023-11-14 22:13:40.500", "1970-01-01 00:00:00",
                          "2023-11-14 22:14:00"])
            return (f"TIMESTAMP '{v}'", f"TIMESTAMP '{v}'", TS)
        raise ValueError(t)

    def col(self, t):
        names = [c for c, ct in self.cols.items() if ct == t or (is_dec(t) and is_dec(ct))]
        if not names:
            return None
        c = self.r.choice(names)
        return (c, c, self.cols[c])

    def leaf(self, t):
        if self.r.random() < 0.65:
            c = self.col(t)
            if c:
                return c
        return self.lit(t)

    # ---- expressions ---------------------------------------------------------
    def num_type(self):
        return self.r.choice([INT, BIGINT, DOUBLE, DEC(10, 2), INT, BIGINT])

    def expr(self, t, depth):
        """An expression whose type is t (for numerics: t's family; decimal any p,s)."""
        if depth <= 0 or self.r.random() < 0.25:
            return self.leaf(t)
        for _ in range(10):
            try:
                out = self._expr(t, depth)
                if out is not None:
                    return out
            except Retry:
                pass
        return self.leaf(t)

    def _expr(self, t, depth):
        r = self.r
        d = depth - 1
        common = ["case", "coalesce", "nullif"]
        if t in (INT, BIGINT):
            kind = r.choice(["arith"] * 5 + ["neg", "abs", "cast", "len", "mod"] + common
                            + ["extract"])
        elif t == DOUBLE:
            kind = r.choice(["arith"] * 4 + ["div", "neg", "abs", "cast", "round", "floor"]
                            + common)
        elif is_dec(t):
            kind = r.choice(["arith"] * 4 + ["neg", "abs", "cast", "round", "floor"] + common)
        elif t == VARCHAR:
            kind = r.choice(["upper", "lower", "substr", "trim", "concat", "pipe", "cast", *common])
        elif t == BOOL:
            kind = r.choice(["cmp"] * 4 + ["and", "or", "not", "isnull", "istrue", "between",
                                           "in", "like", "cast"] + ["case", "coalesce"])
        elif t == TS:
            kind = r.choice(["tsplus", "case", "coalesce"])
        return getattr(self, "k_" + kind)(t, d)

    # numeric ------------------------------------------------------------------
    def k_arith(self, t, d):
        r = self.r
        if t in (INT, BIGINT):
            lt = t if r.random() < 0.7 else INT
            rt = t if lt != t or r.random() < 0.5 else r.choice([INT, BIGINT]) if t == BIGINT else INT
            if t == INT:
                lt = rt = INT
            a, b = self.expr(lt, d), self.expr(rt, d)
            rtyp = BIGINT if BIGINT in (a[2], b[2]) else INT
            op = r.choice("+-*/%")
            return self.int_op(a, op, b, rtyp)
        if t == DOUBLE:
            a = self.expr(DOUBLE, d)
            b = self.expr(self.num_type(), d)
            if r.random() < 0.5:
                a, b = b, a
            op = r.choice("+-*")
            return (f"({a[0]} {op} {b[0]})", f"(CAST({a[1]} AS DOUBLE) {op} CAST({b[1]} AS DOUBLE))", DOUBLE)
        # decimal
        a = self.expr(DEC(10, 2), d)
        b = self.expr(r.choice([DEC(10, 2), INT, BIGINT, DEC(10, 2)]), d)
        if r.random() < 0.5:
            a, b = b, a
        op = r.choice("+-*%")
        return self.dec_op(a, op, b)

    def as_dec(self, t):
        if is_dec(t):
            return t
        return DEC({INT: 10, BIGINT: 19}[t], 0)

    def dec_op(self, a, op, b):
        ta, tb = self.as_dec(a[2]), self.as_dec(b[2])
        if op == "*":
            s = ta[2] + tb[2]
            if s > 12:
                raise Retry()
            p = min(18, ta[1] + tb[1])
            return (f"({a[0]} * {b[0]})",
                    f"TRY_CAST(TRY({a[1]} * {b[1]}) AS DECIMAL(18,{s}))", DEC(p, s))
        s = max(ta[2], tb[2])
        if op in "+-":
            p = min(18, max(ta[1] - ta[2], tb[1] - tb[2]) + s + 1)
        else:
            p = min(18, max(ta[1] - ta[2], tb[1] - tb[2]) + s)
        T = f"DECIMAL(18,{s})"
        inner = f"TRY_CAST({a[1]} AS {T}) {op} TRY_CAST({b[1]} AS {T})"
        if op == "%":
            inner = f"TRY({inner})"
        return (f"({a[0]} {op} {b[0]})", f"TRY_CAST({inner} AS {T})", DEC(p, s))

    def int_op(self, a, op, b, rtyp):
        lam = f"({a[0]} {op} {b[0]})"
        if op == "/":
            duck = f"TRY({a[1]} // {b[1]})"
        elif op == "%":
            duck = (f"(CASE WHEN ({b[1]}) = -1 AND ({a[1]}) IS NOT NULL THEN 0 "
                    f"ELSE TRY({a[1]} % {b[1]}) END)")
        else:
            duck = f"TRY({a[1]} {op} {b[1]})"
        return (lam, duck, rtyp)

    def k_mod(self, t, d):
        a, b = self.expr(t, d), self.expr(INT, d)
        rtyp = BIGINT if BIGINT in (a[2], b[2]) else INT
        x = self.int_op(a, "%", b, rtyp)
        return (f"MOD({a[0]}, {b[0]})", x[1], rtyp)

    def k_div(self, t, d):
        a = self.expr(self.num_type(), d)
        b = self.expr(self.r.choice([DOUBLE, DEC(10, 2)]), d)
        if self.r.random() < 0.5:
            a, b = b, a
        if is_intt(a[2]) and is_intt(b[2]):
            raise Retry()
        if not (DOUBLE in (a[2], b[2]) or is_dec(a[2]) or is_dec(b[2])):
            raise Retry()
        return (f"({a[0]} / {b[0]})", f"(CAST({a[1]} AS DOUBLE) / CAST({b[1]} AS DOUBLE))", DOUBLE)

    def k_neg(self, t, d):
        a = self.expr(t, d)
        if is_dec(a[2]):
            return same(lambda x: f"(-{x})", a[2], a)
        return (f"(-{a[0]})", f"TRY(-{a[1]})", a[2])

    def k_abs(self, t, d):
        a = self.expr(t, d)
        return (f"ABS({a[0]})", f"TRY(ABS({a[1]}))", a[2])

    def k_len(self, t, d):
        a = self.expr(VARCHAR, d)
        f = self.r.choice(["CHAR_LENGTH", "LENGTH"])
        return (f"{f}({a[0]})", f"LENGTH({a[1]})", BIGINT)

    def k_extract(self, t, d):
        a = self.expr(TS, d)
        f = self.r.choice(["HOUR", "MINUTE", "DAY", "MONTH", "YEAR"])
        return same(lambda x: f"EXTRACT({f} FROM {x})", BIGINT, a)

    def k_round(self, t, d):
        a = self.expr(t, d)
        if self.r.random() < 0.5 and is_dec(a[2]):
            n = self.r.choice([0, 1, 2, 3])
            s = min(a[2][2], n)
            return same(lambda x: f"ROUND({x}, {n})", DEC(a[2][1], s), a)
        return same(lambda x: f"ROUND({x})", DEC(a[2][1], 0) if is_dec(a[2]) else a[2], a)

    def k_floor(self, t, d):
        a = self.expr(t, d)
        f = self.r.choice(["FLOOR", "CEIL"])
        return same(lambda x: f"{f}({x})", DEC(a[2][1], 0) if is_dec(a[2]) else a[2], a)

    def k_cast(self, t, d):
        r = self.r
        if t in (INT, BIGINT):
            src = r.choice([DOUBLE, DEC(10, 2), VARCHAR, INT, BIGINT])
            a = self.expr(src, d)
            dt_ = duck_type(t)
            if a[2] == VARCHAR:
                duck = (f"(CASE WHEN regexp_full_match(trim({a[1]}), '[+-]?[0-9]+') "
                        f"THEN TRY_CAST(trim({a[1]}) AS {dt_}) END)")
            elif a[2] == DOUBLE or is_dec(a[2]):
                duck = f"TRY_CAST(ROUND({a[1]}) AS {dt_})"
            else:
                duck = f"TRY_CAST({a[1]} AS {dt_})"
            return (f"CAST({a[0]} AS {lam_type(t)})", duck, t)
        if t == DOUBLE:
            src = r.choice([INT, BIGINT, DEC(10, 2), VARCHAR])
            a = self.expr(src, d)
            return (f"CAST({a[0]} AS DOUBLE)", f"TRY_CAST({a[1]} AS DOUBLE)", DOUBLE)
        if is_dec(t):
            p = r.choice([5, 10, 18, 12])
            s = r.choice([0, 1, 2, 4])
            src = r.choice([INT, BIGINT, DEC(10, 2), DOUBLE])
            a = self.expr(src, d)
            return (f"CAST({a[0]} AS DECIMAL({p},{s}))", f"TRY_CAST({a[1]} AS DECIMAL({p},{s}))",
                    DEC(p, s))
        if t == VARCHAR:
            src = r.choice([INT, BIGINT, DEC(10, 2), BOOL, DOUBLE])
            a = self.expr(src, d)
            return same(lambda x: f"CAST({x} AS VARCHAR)", VARCHAR, a)
        if t == BOOL:
            src = r.choice([VARCHAR, INT])
            a = self.expr(src, d)
            if src == VARCHAR:
                return (f"CAST({a[0]} AS BOOLEAN)", f"TRY_CAST(trim({a[1]}) AS BOOLEAN)", BOOL)
            return (f"CAST({a[0]} AS BOOLEAN)", f"TRY_CAST({a[1]} AS BOOLEAN)", BOOL)
        raise Retry()

    # generic ------------------------------------------------------------------
    def same_pair(self, t, d):
        a = self.expr(t, d)
        b = self.expr(a[2] if not is_dec(a[2]) else t, d)
        return a, b

    def unify(self, a, b):
        ta, tb = a[2], b[2]
        if ta == tb:
            return ta
        if is_intt(ta) and is_intt(tb):
            return BIGINT
        if is_dec(ta) and is_dec(tb):
            s = max(ta[2], tb[2])
            return DEC(max(ta[1] - ta[2], tb[1] - tb[2]) + s, s)
        raise Retry()

    def k_case(self, t, d):
        c = self.expr(BOOL, d)
        a, b = self.same_pair(t, d)
        rt = self.unify(a, b)
        if self.r.random() < 0.3:
            return same(lambda w, x: f"CASE WHEN {w} THEN {x} END", a[2], c, a)
        if self.r.random() < 0.2:
            c2 = self.expr(BOOL, d)
            e = self.leaf(a[2])
            rt2 = self.unify((0, 0, rt), e)
            return same(lambda w, x, w2, y, z: f"CASE WHEN {w} THEN {x} WHEN {w2} THEN {y} "
                        f"ELSE {z} END", rt2, c, a, c2, b, e)
        return same(lambda w, x, y: f"CASE WHEN {w} THEN {x} ELSE {y} END", rt, c, a, b)

    def k_coalesce(self, t, d):
        a, b = self.same_pair(t, d)
        rt = self.unify(a, b)
        return same(lambda x, y: f"COALESCE({x}, {y})", rt, a, b)

    def k_nullif(self, t, d):
        a, b = self.same_pair(t, d)
        self.unify(a, b)
        return same(lambda x, y: f"NULLIF({x}, {y})", a[2], a, b)

    # strings ------------------------------------------------------------------
    def k_upper(self, t, d):
        a = self.expr(VARCHAR, d)
        return same(lambda x: f"UPPER({x})", VARCHAR, a)

    def k_lower(self, t, d):
        a = self.expr(VARCHAR, d)
        return same(lambda x: f"LOWER({x})", VARCHAR, a)

    def k_substr(self, t, d):
        a = self.expr(VARCHAR, d)
        st = self.r.choice([-1, 0, 1, 2, 3])
        if self.r.random() < 0.3:
            lam = f"SUBSTRING({a[0]}, {st})" if self.r.random() < 0.5 else f"SUBSTRING({a[0]} FROM {st})"
            return (lam, f"SUBSTRING({a[1]}, {max(st, 1)})", VARCHAR)
        ln = self.r.choice([0, 1, 2, 5])
        end = st + ln  # exclusive
        lo = max(st, 1)
        n = max(end - lo, 0)
        lam = (f"SUBSTRING({a[0]}, {st}, {ln})" if self.r.random() < 0.5
               else f"SUBSTRING({a[0]} FROM {st} FOR {ln})")
        return (lam, f"SUBSTRING({a[1]}, {lo}, {n})", VARCHAR)

    def k_trim(self, t, d):
        a = self.expr(VARCHAR, d)
        f = self.r.choice(["TRIM", "LTRIM", "RTRIM"])
        return same(lambda x: f"{f}({x})", VARCHAR, a)

    def binary(self, typ, d, template: str):
        """Two operands of type typ in a template ({} for each), of that type."""
        a, b = self.expr(typ, d), self.expr(typ, d)
        return same(template.format, typ, a, b)

    def k_concat(self, t, d):
        return self.binary(VARCHAR, d, "CONCAT({}, {})")

    def k_pipe(self, t, d):
        return self.binary(VARCHAR, d, "({} || {})")

    # booleans -----------------------------------------------------------------
    def k_cmp(self, t, d):
        r = self.r
        ct = r.choice([INT, BIGINT, DOUBLE, DEC(10, 2), VARCHAR, VARCHAR, BOOL, TS])
        a = self.expr(ct, d)
        if is_num(ct):
            b = self.expr(self.num_type(), d)
        else:
            b = self.expr(ct, d)
        op = r.choice(["=", "<>", "<", "<=", ">", ">=", "!="])
        return same(lambda x, y: f"({x} {op} {y})", BOOL, a, b)

    def k_and(self, t, d):
        return self.binary(BOOL, d, "({} AND {})")

    def k_or(self, t, d):
        return self.binary(BOOL, d, "({} OR {})")

    def k_not(self, t, d):
        a = self.expr(BOOL, d)
        return same(lambda x: f"(NOT {x})", BOOL, a)

    def k_isnull(self, t, d):
        a = self.expr(self.r.choice([INT, BIGINT, DOUBLE, DEC(10, 2), VARCHAR, BOOL]), d)
        n = self.r.choice(["IS NULL", "IS NOT NULL"])
        return same(lambda x: f"({x} {n})", BOOL, a)

    def k_istrue(self, t, d):
        a = self.expr(BOOL, d)
        n = self.r.choice(["IS TRUE", "IS NOT TRUE", "IS FALSE", "IS NOT FALSE"])
        return same(lambda x: f"({x} {n})", BOOL, a)

    def k_between(self, t, d):
        ct = self.r.choice([INT, BIGINT, DOUBLE, DEC(10, 2), VARCHAR])
        a = self.expr(ct, d)
        lo = self.expr(ct if not is_num(ct) else self.num_type(), d - 1)
        hi = self.expr(ct if not is_num(ct) else self.num_type(), d - 1)
        n = self.r.choice(["BETWEEN", "NOT BETWEEN"])
        return same(lambda x, y, z: f"({x} {n} {y} AND {z})", BOOL, a, lo, hi)

    def k_in(self, t, d):
        ct = self.r.choice([INT, BIGINT, DEC(10, 2), VARCHAR, DOUBLE])
        a = self.expr(ct, d)
        lits = [self.lit(ct if ct != BIGINT else self.r.choice([INT, BIGINT]))
                for _ in range(self.r.randint(1, 4))]
        n = self.r.choice(["IN", "NOT IN"])
        return (f"({a[0]} {n} ({', '.join(x[0] for x in lits)}))",
                f"({a[1]} {n} ({', '.join(x[1] for x in lits)}))", BOOL)

    def k_like(self, t, d):
        a = self.expr(VARCHAR, d)
        p = self.r.choice(PATTERNS)
        op = self.r.choice(["LIKE", "NOT LIKE", "ILIKE", "LIKE"])
        return same(lambda x: f"({x} {op} {q(p)})", BOOL, a)

    # timestamps ---------------------------------------------------------------
    def k_tsplus(self, t, d):
        a = self.expr(TS, d)
        n = self.r.choice([1, 2, 30, 3600])
        op = self.r.choice("+-")
        unit = self.r.choice(["SECOND", "MINUTE", "HOUR"])
        return same(lambda x: f"({x} {op} INTERVAL '{n}' {unit})", TS, a)


# ---- aggregates ----------------------------------------------------------------------------
def gen_agg(g: Gen, depth):
    r = g.r
    f = r.choice(["COUNT*", "COUNT", "SUM", "MIN", "MAX", "AVG", "COUNTD", "SUM", "MIN", "MAX"])
    filt = None
    if r.random() < 0.2:
        filt = g.expr(BOOL, 2)
    if f == "COUNT*":
        lam, duck, typ = "COUNT(*)", "COUNT(*)", BIGINT
    else:
        if f in ("SUM", "AVG"):
            at = r.choice([INT, BIGINT, DOUBLE, DEC(10, 2)])
        else:
            at = r.choice([INT, BIGINT, DOUBLE, DEC(10, 2), VARCHAR, BOOL if f == "COUNT" else INT, TS])
        distinct = "DISTINCT " if (f == "COUNTD" or (f != "COUNT" and r.random() < 0.1)) else ""
        prior = [x for x in getattr(g, "_dargs", []) if x[2] == at]
        if distinct and prior and r.random() < 0.6:
            a = r.choice(prior)          # share a distinct set with an earlier aggregate
        else:
            a = g.expr(at, depth)
        if distinct:
            g._dargs = [*getattr(g, "_dargs", []), a]
        fn = "COUNT" if f in ("COUNT", "COUNTD") else f
        lam = f"{fn}({distinct}{a[0]})"
        duck = f"{fn}({distinct}{a[1]})"
        typ = BIGINT if fn == "COUNT" else a[2]
        if fn == "AVG":
            typ = DOUBLE
        if fn == "SUM" and is_intt(a[2]):
            typ = BIGINT
        if fn == "SUM" and is_dec(a[2]):
            typ = DEC(18, a[2][2])
    if filt:
        lam += f" FILTER (WHERE {filt[0]})"
        duck += f" FILTER (WHERE {filt[1]})"
    if f == "SUM" and is_intt(a[2]):
        duck = f"TRY_CAST({duck} AS BIGINT)"
    elif f == "SUM" and is_dec(a[2]):
        duck = f"TRY_CAST({duck} AS DECIMAL(18,{a[2][2]}))"
    elif f == "AVG":
        duck = f"CAST({duck} AS DOUBLE)"
    return (lam, duck, typ)


# ---- data ------------------------------------------------------------------------------------
BASE = 1_700_000_000_000


def gen_data(rng: random.Random, n=None, null_rate=None):
    r = rng
    if n is None:
        n = r.choice([0, 1, 2, 3, 5, 10, 30, 100, 300, r.randint(0, 300)])
    nr = null_rate if null_rate is not None else r.choice([0.0, 0.1, 0.1, 0.3])
    keys = r.choice([1, 3, 5, 50, 1000])
    style = r.choice(["normal", "extreme", "mixed"])
    ts = []
    t = BASE + r.randint(0, 5000)
    for _ in range(n):
        t += r.randint(0, 400)
        x = t - (r.randint(0, 3000) if r.random() < 0.3 else 0)
        ts.append(x)

    def maybe(v):
        return None if r.random() < nr else v

    ks, vs, is_, ss, ds, bs = [], [], [], [], [], []
    for _ in range(n):
        ext = style == "extreme" or (style == "mixed" and r.random() < 0.2)
        if ext:
            ks.append(maybe(r.choice([0, 1, -1, 2**63 - 1, -2**63, 2**62, 3037000500, -3037000500,
                                      2**32])))
            vs.append(maybe(r.choice([0.0, -0.0, math.nan, math.inf, -math.inf, 1e308, -1e308,
                                      5e-324, 0.5, 2.5, -2.5, 1e16, 1.0])))
            is_.append(maybe(r.choice([0, 1, -1, 2**31 - 1, -2**31, 46341, 65536, 7, -7])))
            ss.append(maybe(r.choice(["", " ", "%", "_", "Ünïcode", "日本語", "😀x", "  pad  ",
                                      "al%pha", "ALPHA", "ǅ", "100", " 7 ", "-42", "1.5", "true",
                                      "t", "no", "nan", "inf", "1e3", "a\\b", "x" * 40])))
            ds.append(maybe(r.choice([decimal.Decimal("99999999.99"), decimal.Decimal("-99999999.99"),
                                      decimal.Decimal("0"), decimal.Decimal("0.50"),
                                      decimal.Decimal("-0.50"), decimal.Decimal("2.50"),
                                      decimal.Decimal("0.01")])))
        else:
            ks.append(maybe(r.randrange(keys)))
            vs.append(maybe(round(r.gauss(10, 20), 2)))
            is_.append(maybe(r.randint(-50, 50)))
            ss.append(maybe(r.choice(["alpha", "beta", "gamma", "", "Ünïcode", "al%pha", "x y",
                                      "a", "A"])))
            ds.append(maybe(decimal.Decimal(r.randint(-10000, 10000)) / 100))
        bs.append(maybe(r.random() < 0.5))
    return pa.table({
        "ts": pa.array(ts, pa.int64()).cast(pa.timestamp("ms")),
        "k": pa.array(ks, pa.int64()),
        "v": pa.array(vs, pa.float64()),
        "i": pa.array(is_, pa.int32()),
        "s": pa.array(ss, pa.string()),
        "d": pa.array(ds, pa.decimal128(10, 2)),
        "b": pa.array(bs, pa.bool_()),
    })
