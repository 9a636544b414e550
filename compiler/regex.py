"""Regular expressions compiled for the runtime's Pike VM (runtime/lc_regex.c).

The syntax is the part of Java's (what Flink's REGEXP_EXTRACT uses) that a linear-time
matcher can give: literals, `.`, classes `[a-z_]` / `[^...]` with ranges and the escapes
`\\d \\w \\s \\D \\W \\S`, anchors `^ $`, groups `(...)` and `(?:...)`, alternation `|`, and the
quantifiers `* + ? {n} {n,} {n,m}`, greedy or lazy (`*?`). Backreferences, lookaround,
possessive quantifiers, word boundaries and inline flags are rejected when the statement is
compiled, with the position in the pattern. Matching is over code points; `.` does not match
`\\n` (Java's default).

A program is a list of int32 words: instructions of three words (op, x, y), then the
character-class ranges (pairs of code points) that CLASS points into.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

CHAR, ANY, CLASS, SPLIT, JMP, SAVE, BOL, EOL, MATCH = range(1, 10)
MAX_INSTRUCTIONS = 20_000

DIGIT = [(ord("0"), ord("9"))]
WORD = [(ord("0"), ord("9")), (ord("A"), ord("Z")), (ord("_"), ord("_")), (ord("a"), ord("z"))]
SPACE = [(9, 13), (32, 32)]   # \t \n \x0B \f \r and space, as Java's \s
ESCAPED_CLASSES = {"d": (DIGIT, False), "D": (DIGIT, True), "w": (WORD, False),
                   "W": (WORD, True), "s": (SPACE, False), "S": (SPACE, True)}
CONTROL = {"t": 9, "n": 10, "r": 13, "f": 12, "a": 7, "e": 27}
META = set("\\.^$|?*+()[]{}/-")


class RegexError(ValueError):
    """A pattern this engine does not accept; `position` is the index in the pattern."""

    def __init__(self, message: str, position: int):
        super().__init__(f"{message} (at position {position + 1} of the pattern)")
        self.position = position


@dataclass
class Program:
    words: list[int]
    instructions: int
    groups: int             # capturing groups (group 0, the whole match, not counted)
    first: int = -1         # word offset of the bitmap of bytes a match can start with

    @property
    def slots(self) -> int:
        return 2 * (self.groups + 1)

    def scratch_words(self) -> int:
        """Must match lc_regex_scratch_words."""
        m, s = self.instructions, self.slots
        return 2 * (m + m * s) + m + s + 8

    def to_bytes(self) -> bytes:
        return struct.pack(f"<{len(self.words)}i", *self.words)


# -- parsing into a tree -------------------------------------------------------------------
# nodes: ("char", cp) ("any",) ("class", ranges, negated) ("bol",) ("eol",) ("cat", [nodes])
# ("alt", [nodes]) ("group", index | None, node) ("repeat", node, min, max | None, greedy)
class _Parser:
    def __init__(self, pattern: str):
        self.p = pattern
        self.i = 0
        self.groups = 0

    def error(self, message: str, at: int | None = None) -> RegexError:
        return RegexError(message, self.i if at is None else at)

    def peek(self) -> str | None:
        return self.p[self.i] if self.i < len(self.p) else None

    def parse(self):
        node = self.alternation()
        if self.i < len(self.p):
            raise self.error("unbalanced ')'")
        return node

    def alternation(self):
        branches = [self.concatenation()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.concatenation())
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def concatenation(self):
        items = []
        while self.peek() not in (None, "|", ")"):
            items.append(self.repetition())
        return ("cat", items)

    def repetition(self):
        start = self.i
        atom = self.atom()
        while True:
            c = self.peek()
            if c in ("*", "+", "?"):
                self.i += 1
                lo, hi = {"*": (0, None), "+": (1, None), "?": (0, 1)}[c]
            elif c == "{" and (counted := self._counted()) is not None:
                lo, hi = counted
            else:
                return atom
            if atom[0] in ("bol", "eol"):
                raise self.error("a quantifier needs something to repeat", start)
            greedy = True
            if self.peek() == "?":
                self.i += 1
                greedy = False
            elif self.peek() == "+":
                raise self.error("possessive quantifiers are not supported")
            atom = ("repeat", atom, lo, hi, greedy)

    def _counted(self):
        """{n}, {n,} or {n,m} at the cursor (consumed), or None if it is not one."""
        j = self.p.find("}", self.i)
        if j < 0:
            return None
        body = self.p[self.i + 1 : j]
        parts = body.split(",")
        if len(parts) > 2 or not parts[0].isdigit() or (len(parts) == 2 and parts[1] and
                                                         not parts[1].isdigit()):
            return None
        lo = int(parts[0])
        hi = lo if len(parts) == 1 else (int(parts[1]) if parts[1] else None)
        if hi is not None and hi < lo:
            raise self.error(f"{{{body}}} has its bounds the wrong way round")
        if max(lo, hi or 0) > 1000:
            raise self.error("repetition counts above 1000 are not supported")
        self.i = j + 1
        return lo, hi

    def atom(self):
        c = self.peek()
        start = self.i
        self.i += 1
        if c == ".":
            return ("any",)
        if c == "^":
            return ("bol",)
        if c == "$":
            return ("eol",)
        if c == "(":
            index = None
            if self.p.startswith("?:", self.i):
                self.i += 2
            elif self.peek() == "?":
                raise self.error("lookaround, named groups and inline flags are not supported")
            else:
                self.groups += 1
                index = self.groups
            inner = self.alternation()
            if self.peek() != ")":
                raise self.error("missing ')'", start)
            self.i += 1
            return ("group", index, inner)
        if c == "[":
            return self.char_class(start)
        if c == "\\":
            return self.escape(in_class=False)
        if c in ("*", "+", "?"):
            raise self.error(f"'{c}' has nothing to repeat", start)
        if c == "{" and self._counted_here(start):
            raise self.error("'{' has nothing to repeat", start)
        return ("char", ord(c))

    def _counted_here(self, start: int) -> bool:
        save = self.i
        self.i = start
        try:
            return self._counted() is not None
        finally:
            self.i = save

    def escape(self, in_class: bool):
        at = self.i - 1
        c = self.peek()
        if c is None:
            raise self.error("the pattern ends with '\\'", at)
        self.i += 1
        if c in ESCAPED_CLASSES:
            ranges, negated = ESCAPED_CLASSES[c]
            return ("class", list(ranges), negated)
        if c in CONTROL:
            return ("char", CONTROL[c])
        if c == "x":
            return ("char", self._hex(2, at))
        if c == "u":
            return ("char", self._hex(4, at))
        if c in META or not c.isalnum():
            return ("char", ord(c))
        if c.isdigit():
            raise self.error("backreferences are not supported", at)
        raise self.error(f"the escape '\\{c}' is not supported", at)

    def _hex(self, digits: int, at: int) -> int:
        text = self.p[self.i : self.i + digits]
        if len(text) != digits or any(ch not in "0123456789abcdefABCDEF" for ch in text):
            raise self.error(f"expected {digits} hexadecimal digits", at)
        self.i += digits
        return int(text, 16)

    def char_class(self, start: int):
        negated = False
        if self.peek() == "^":
            negated = True
            self.i += 1
        ranges: list[tuple[int, int]] = []
        first = True
        while True:
            c = self.peek()
            if c is None:
                raise self.error("missing ']'", start)
            if c == "]" and not first:
                self.i += 1
                break
            if c == "[":
                raise self.error("nested classes and class operations are not supported")
            first = False
            lo = self._class_item()
            if lo[0] == "class":
                if lo[2]:
                    raise self.error("negated escapes inside a class are not supported")
                ranges += lo[1]
                continue
            if self.peek() == "-" and self.p[self.i + 1 : self.i + 2] not in ("]", ""):
                self.i += 1
                hi = self._class_item()
                if hi[0] == "class":
                    raise self.error("a range can not end with a class escape")
                if hi[1] < lo[1]:
                    raise self.error("a range has its ends the wrong way round")
                ranges.append((lo[1], hi[1]))
            else:
                ranges.append((lo[1], lo[1]))
        return ("class", ranges, negated)

    def _class_item(self):
        c = self.peek()
        self.i += 1
        if c == "\\":
            return self.escape(in_class=True)
        return ("char", ord(c))


# -- code generation ------------------------------------------------------------------------
class _Emitter:
    def __init__(self):
        self.code: list[list[int]] = []
        self.ranges: list[int] = []

    def emit(self, op: int, x: int = 0, y: int = 0) -> int:
        if len(self.code) >= MAX_INSTRUCTIONS:
            raise RegexError("the pattern is too large", 0)
        self.code.append([op, x, y])
        return len(self.code) - 1

    def node(self, n) -> None:
        kind = n[0]
        if kind == "char":
            self.emit(CHAR, n[1])
        elif kind == "any":
            self.emit(ANY)
        elif kind == "class":
            ranges = sorted(n[1])
            offset = len(self.ranges)
            for lo, hi in ranges:
                self.ranges += [lo, hi]
            self.emit(CLASS, offset, -len(ranges) if n[2] else len(ranges))
        elif kind == "bol":
            self.emit(BOL)
        elif kind == "eol":
            self.emit(EOL)
        elif kind == "cat":
            for item in n[1]:
                self.node(item)
        elif kind == "alt":
            jumps = []
            for k, branch in enumerate(n[1]):
                if k < len(n[1]) - 1:
                    split = self.emit(SPLIT)
                    self.code[split][1] = len(self.code)
                    self.node(branch)
                    jumps.append(self.emit(JMP))
                    self.code[split][2] = len(self.code)
                else:
                    self.node(branch)
            for j in jumps:
                self.code[j][1] = len(self.code)
        elif kind == "group":
            index, inner = n[1], n[2]
            if index is not None:
                self.emit(SAVE, 2 * index)
            self.node(inner)
            if index is not None:
                self.emit(SAVE, 2 * index + 1)
        else:
            self.repeat(*n[1:])

    def repeat(self, atom, lo: int, hi: int | None, greedy: bool) -> None:
        for _ in range(lo):
            self.node(atom)
        if hi is None:   # atom*
            split = self.emit(SPLIT)
            self.node(atom)
            self.emit(JMP, split)
            self._branch(split, split + 1, len(self.code), greedy)
            return
        ends = []
        for _ in range(hi - lo):   # nested optionals: (atom (atom ...)?)?
            split = self.emit(SPLIT)
            ends.append(split)
            self.node(atom)
        for split in ends:
            self._branch(split, split + 1, len(self.code), greedy)

    def _branch(self, split: int, body: int, after: int, greedy: bool) -> None:
        self.code[split][1:] = [body, after] if greedy else [after, body]


def compile_regex(pattern: str) -> Program:
    """The pattern as a program; RegexError for what is not supported."""
    parser = _Parser(pattern)
    tree = parser.parse()
    e = _Emitter()
    e.emit(SAVE, 0)
    e.node(tree)
    e.emit(SAVE, 1)
    e.emit(MATCH)
    words = [w for ins in e.code for w in ins] + e.ranges
    first = _first_bytes(e.code, e.ranges)
    offset = -1
    if first is not None:   # 8 words: bit b set when a match may start at byte b
        offset = len(words)
        words += [sum(1 << k for k in range(32) if 32 * w + k in first) - (
            1 << 32 if 32 * w + 31 in first else 0) for w in range(8)]
    return Program(words, len(e.code), parser.groups, offset)


def _lead_bytes(lo: int, hi: int) -> set[int]:
    """The first bytes of the UTF-8 encodings of code points lo..hi."""
    out: set[int] = set()
    for a, b, lead in ((0, 0x7F, lambda c: c), (0x80, 0x7FF, lambda c: 0xC0 | c >> 6),
                       (0x800, 0xFFFF, lambda c: 0xE0 | c >> 12),
                       (0x10000, 0x10FFFF, lambda c: 0xF0 | c >> 18)):
        x, y = max(lo, a), min(hi, b)
        if x <= y:
            out.update(range(lead(x), lead(y) + 1))
    return out


def _first_bytes(code: list[list[int]], ranges: list[int]) -> set[int] | None:
    """The bytes a match can start with, or None when that does not narrow the search (a
    match may be empty, or start with any byte). The runtime skips ASCII bytes outside it
    while no match is under way, and stops skipping at any other byte."""
    seen: set[int] = set()
    out: set[int] = set()
    todo = [0]
    while todo:
        pc = todo.pop()
        if pc in seen:
            continue
        seen.add(pc)
        op, x, y = code[pc]
        if op in (MATCH, EOL):
            return None     # an empty match (or one at the end) can start anywhere
        if op in (SAVE, BOL):
            todo.append(pc + 1)
        elif op == JMP:
            todo.append(x)
        elif op == SPLIT:
            todo += [x, y]
        elif op == CHAR:
            out |= _lead_bytes(x, x)
        elif op == CLASS and y > 0:
            for k in range(y):
                out |= _lead_bytes(ranges[x + 2 * k], ranges[x + 2 * k + 1])
        else:               # ANY, a negated class: almost any byte
            return None
    return out
