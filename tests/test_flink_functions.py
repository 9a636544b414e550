"""Flink's scalar functions that Nexmark uses: DATE_FORMAT, HOUR and its siblings, SPLIT_INDEX,
REGEXP_EXTRACT and COUNT_CHAR, against DuckDB (or Python's `re` for the regular expressions,
whose leftmost-first matching Java shares), under every cut of the input.

Choices, where the engines differ:
- DATE_FORMAT takes Java's pattern letters (y M d H m s S, text in quotes); `S...` is the
  fraction of the second to that many digits.
- SPLIT_INDEX(s, sep, i) is NULL when there is no field i, when i is negative, when s is empty
  (Flink splits '' into no fields; DuckDB into one) and when the separator is empty.
- REGEXP_EXTRACT is NULL when nothing matches or the group took no part (DuckDB gives '').
"""

from __future__ import annotations

import re

import pyarrow as pa
import pytest
from laminarc.compiler.errors import SqlError
from test_expressions import BIG, DDL, SEEDS, SETTINGS, STRINGS, check, make_table, run


@SETTINGS
@SEEDS
@BIG
def test_date_format_and_time_fields(seed, n):
    pairs = [
        ("DATE_FORMAT(ts, 'yyyy-MM-dd')", "strftime(ts, '%Y-%m-%d')"),
        ("DATE_FORMAT(t3, 'HH:mm')", "strftime(t3, '%H:%M')"),
        ("DATE_FORMAT(t3, 'yyyy-MM-dd HH:mm:ss.SSS')",
         "strftime(t3, '%Y-%m-%d %H:%M:%S.%g')"),
        ("DATE_FORMAT(t6, 'dd/MM/yy ss SSSSSS')", "strftime(t6, '%d/%m/%y %S %f')"),
        ("DATE_FORMAT(dt, 'yyyyMMdd')", "strftime(dt, '%Y%m%d')"),
        ("DATE_FORMAT(t6, 'M/d H:m:s')", "strftime(t6, '%-m/%-d %-H:%-M:%-S')"),
    ]
    for fn, field in (("HOUR", "hour"), ("MINUTE", "minute"), ("SECOND", "second"),
                      ("YEAR", "year"), ("MONTH", "month"), ("DAYOFMONTH", "day"),
                      ("DAY", "day"), ("DAYOFYEAR", "dayofyear"), ("QUARTER", "quarter")):
        pairs.append((f"{fn}(t3)", f"{field}(t3)"))
        if fn not in ("HOUR", "MINUTE", "SECOND"):
            pairs.append((f"{fn}(dt)", f"{field}(dt)"))
    table = make_table(seed, n)
    # DuckDB pads years below 1000 differently (Java pads to the letter count: tested below)
    # and gives NULL for the last moments of 9999
    keep = [r for r in range(table.num_rows)
            if all(v is None or 1000 <= v.year < 9999 for v in
                   (table.column(c)[r].as_py() for c in ("t3", "t6", "dt")))]
    check(pairs, table.take(pa.array(keep, pa.int64())), seed)


def test_date_format_text_padding_and_quotes():
    table = make_table(3, 12)
    got, _ = run(DDL + """; CREATE STREAM o AS SELECT
        DATE_FORMAT(TIMESTAMP '0005-03-04 05:06:07.089', 'yyyy y yy MM M dd d HH mm ss SSS S')
            AS a,
        DATE_FORMAT(DATE '2024-02-29', '''day'' d ''of'' M, ''''yy') AS b,
        DATE_FORMAT(TIMESTAMP '2024-02-29 23:59:59.999', 'HH:mm:ss.SSSSSSS') AS c
        FROM t;""", table)
    row = got.to_pylist()[0]
    assert row["a"] == "0005 5 05 03 3 04 4 05 06 07 089 0"
    assert row["b"] == "day 29 of 2, '24"   # '' outside quotes is a quote
    assert row["c"] == "23:59:59.9990000"


def _civil(days: int) -> tuple[int, int, int]:
    """(year, month, day) of days since 1970-01-01, proleptic Gregorian, any year."""
    z = days + 719468
    era, doe = divmod(z, 146097)
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, doy - (153 * mp + 2) // 5 + 1


def test_date_format_of_years_far_from_now_fits_its_text():
    """A TIMESTAMP(3) spans 292 million years each way: a year's text is a sign and up to 9
    digits. Its room was 7 bytes, so such a text ran into the next one's (the next DATE_FORMAT
    of the row printed over it)."""
    ends = [-(2**62), 2**62, -(2**63) + 1, 2**63 - 1, -(10**15), 0]
    table = pa.table({"ts": pa.array(range(len(ends)), pa.timestamp("ms")),
                      "t3": pa.array(ends, pa.timestamp("ms")),
                      "dt": pa.array([-(2**31), 2**31 - 1, 0, 1, -1, 5], pa.date32())})
    got, errors = run("CREATE SOURCE t (ts TIMESTAMP(3), t3 TIMESTAMP(3), dt DATE,"
                      " WATERMARK FOR ts AS ts); CREATE STREAM o AS SELECT"
                      " DATE_FORMAT(t3, 'yyyy-MM-dd') AS a, DATE_FORMAT(t3, 'yyyy') AS b,"
                      " DATE_FORMAT(dt, 'yyyy/MM/dd') AS c, DATE_FORMAT(t3, 'dd') AS d FROM t;",
                      table)
    assert errors == 0

    def text(days: int, sep: str) -> str:
        y, m, d = _civil(days)
        return f"{'-' if y < 0 else ''}{abs(y):04d}{sep}{m:02d}{sep}{d:02d}"

    days3 = [v // 86_400_000 for v in ends]
    assert got.column("a").to_pylist() == [text(x, "-") for x in days3]
    assert got.column("b").to_pylist() == [text(x, "-").rsplit("-", 2)[0] for x in days3]
    assert got.column("c").to_pylist() == [text(x, "/") for x in table.column("dt").cast(
        pa.int32()).to_pylist()]
    assert got.column("d").to_pylist() == [f"{_civil(x)[2]:02d}" for x in days3]


@SETTINGS
@SEEDS
@BIG
def test_split_index_and_count_char(seed, n):
    def duck_split(s: str, sep: str, i: str) -> str:
        return (f"CASE WHEN {s} = '' OR {sep} = '' OR {sep} IS NULL OR {i} < 0 THEN NULL "
                f"ELSE string_split({s}, {sep})[{i} + 1] END")

    pairs = [(f"SPLIT_INDEX({s}, {sep}, {i})", duck_split(s, sep, i))
             for s, sep, i in (("s", "' '", "0"), ("s", "' '", "1"), ("s", "'a'", "2"),
                               ("s", "u", "0"), ("s", "u", "1"), ("s", "'ab'", "n"),
                               ("u", "'%'", "n"), ("s", "'日'", "1"))]
    pairs += [("COUNT_CHAR(s, 'a')", "length(s) - length(replace(s, 'a', ''))"),
              ("COUNT_CHAR(s, ' ')", "length(s) - length(replace(s, ' ', ''))"),
              ("COUNT_CHAR(s, 'é')", "length(s) - length(replace(s, 'é', ''))"),
              ("COUNT_CHAR(u, s)", "CASE WHEN u IS NULL OR s IS NULL THEN NULL WHEN s = '' "
               "THEN 0 ELSE (length(u) - length(replace(u, s, ''))) // length(s) END")]
    check(pairs, make_table(seed, n), seed)


PATTERNS = [
    ("(&|^)channel_id=([^&]*)", 2), ("a+", 0), ("(a+)(b*)", 2), ("(a|ab)(c|bcd)(d*)", 3),
    ("x*", 0), ("(a*)*b", 0), ("^a.c$", 0), ("[a-cX-Z]+", 0), ("[^ a]+", 0), (r"\d+", 0),
    (r"(\w+) (\w+)", 2), (r"\s", 0), ("a{2,3}", 0), ("a{2,}?", 0), ("(a)|(b)", 2),
    ("(?:ab)+", 0), ("a.*?c", 0), ("a.*c", 0), (r"[\d.]+e?", 0), ("日本", 0), (".", 0),
    ("(é|e)+", 1), ("(a)?b", 1), ("%|_", 0), (r"\.", 0), ("b$", 0), ("^$", 0), ("(x)(y)", 5),
]


def python_extract(pattern: str, group: int, s: str | None) -> str | None:
    if s is None:
        return None
    m = re.search(pattern.replace("$", r"\Z"), s, re.ASCII)
    if m is None or group > (m.re.groups or 0):
        return None
    return m.group(group)


def test_regexp_extract_matches_leftmost_first_semantics():
    strings = [*STRINGS, "aab", "abcd", "abbbb", "xyz", "abc", "aaaa", "eééé", "a\nc",
               "https://www.nexmark.com/a/b/item.htm?query=1&channel_id=1804289383",
               "channel_id=&x", "12.5e 7", "ab ab", None]
    table = make_table(0, len(strings))
    table = table.set_column(table.schema.get_field_index("s"), "s", pa.array(strings))
    select = ", ".join(f"REGEXP_EXTRACT(s, '{p}', {g}) AS r{i}" for i, (p, g) in
                       enumerate(PATTERNS))
    for cut in ("one", "rows"):
        got, _ = run(DDL + f"; CREATE STREAM o AS SELECT {select} FROM t;", table, cut)
        for i, (p, g) in enumerate(PATTERNS):
            want = [python_extract(p, g, s) for s in strings]
            assert got.column(i).to_pylist() == want, p


def test_regexp_extract_defaults_to_the_whole_match_and_takes_a_column_group():
    table = make_table(5, 6)
    table = table.set_column(table.schema.get_field_index("s"), "s",
                             pa.array(["k=v", "k=", "x", "k=v", None, "k=vv"]))
    table = table.set_column(table.schema.get_field_index("n"), "n",
                             pa.array([1, 1, 1, -1, 1, 99], pa.int32()))
    got, _ = run(DDL + """; CREATE STREAM o AS SELECT REGEXP_EXTRACT(s, 'k=(v*)') AS w,
        REGEXP_EXTRACT(s, 'k=(v*)', n) AS g FROM t;""", table)
    assert got.column("w").to_pylist() == ["k=v", "k=", None, "k=v", None, "k=vv"]
    assert got.column("g").to_pylist() == ["v", "", None, None, None, None]


def test_pathological_patterns_stay_linear():
    """(a*)*b against many a's: a backtracking engine takes exponential time; the Pike VM
    looks at each character once per instruction."""
    table = make_table(0, 3)
    table = table.set_column(table.schema.get_field_index("s"), "s",
                             pa.array(["a" * 50_000, "a" * 50_000 + "b", "ab" * 20_000]))
    got, _ = run(DDL + """; CREATE STREAM o AS SELECT REGEXP_EXTRACT(s, '(a*)*b') AS r,
        REGEXP_EXTRACT(s, '(a|aa)+$', 0) AS q FROM t;""", table)
    r = got.column("r").to_pylist()
    assert r[0] is None and r[1] == "a" * 50_000 + "b" and r[2] == "ab"
    assert got.column("q").to_pylist() == ["a" * 50_000, None, None]


@pytest.mark.parametrize(("expr", "message", "at"), [
    ("REGEXP_EXTRACT(s, '(a')", "missing ')'", "'(a'"),
    ("REGEXP_EXTRACT(s, 'a(?=b)')", "lookaround", "'a(?=b)'"),
    ("REGEXP_EXTRACT(s, '(a)\\1')", "backreferences", "'(a)"),
    ("REGEXP_EXTRACT(s, '*a')", "nothing to repeat", "'*a'"),
    ("REGEXP_EXTRACT(s, 'a++')", "possessive", "'a++'"),
    ("REGEXP_EXTRACT(s, s)", "must be a string literal", "s)"),
    ("REGEXP_EXTRACT(s, '[z-a]')", "wrong way round", "'[z-a]'"),
    ("DATE_FORMAT(ts, 'EEE yyyy')", "pattern letter 'E'", "'EEE"),
    ("DATE_FORMAT(ts, '''open')", "unterminated quote", "'''open"),
    ("DATE_FORMAT(s, 'yyyy')", "needs a DATE or TIMESTAMP", "s,"),
    ("SPLIT_INDEX(s, '/')", "takes 3 arguments", "SPLIT"),
    ("COUNT_CHAR(s)", "takes 2 arguments", "COUNT"),
    ("HOUR(dt)", "of a DATE is not defined", "HOUR"),
    ("EXTRACT(MINUTE FROM dt)", "EXTRACT(MINUTE) of a DATE is not defined", "dt"),
    ("REGEXP_EXTRACT(s, 'a', 1, 2)", "REGEXP_EXTRACT takes 2 or 3 arguments, not 4", "REGEXP"),
    ("CHAR_LENGTH(s, 2)", "CHAR_LENGTH takes 1 argument, not 2", "CHAR"),
])
def test_errors_name_the_problem_and_its_place(expr, message, at):
    with pytest.raises(SqlError, match=re.escape(message)) as e:
        run(DDL + f";\nCREATE STREAM o AS\nSELECT {expr} AS r FROM t;", make_table(0, 1))
    line = DDL.count("\n") + 3
    assert (e.value.line, e.value.column) == (line, len("SELECT ") + expr.index(at) + 1)
