"""laminarc's SQL dialect: RisingWave's (which parses CREATE SOURCE ... WATERMARK FOR) plus

- `CREATE STREAM name AS query` and `DROP STREAM name`;
- the EMIT clause after a query: `EMIT ON WINDOW CLOSE`, `EMIT CHANGES`;
- window table functions whose arguments may be `TABLE name` and `DESCRIPTOR(col)`, named or
  positional: `TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' SECOND))`;
- no silent fallback to an opaque command: what the parser does not understand is an error
  at the token where understanding stopped.
"""

from __future__ import annotations

from typing import ClassVar

from sqlglot import exp
from sqlglot.dialects.risingwave import RisingWave
from sqlglot.errors import ErrorLevel, ParseError
from sqlglot.generators.risingwave import RisingWaveGenerator
from sqlglot.parsers.risingwave import RisingWaveParser
from sqlglot.tokens import TokenType

WINDOW_FUNCTIONS = ("TUMBLE", "HOP", "SESSION", "CUMULATE")


class Emit(exp.Expression):
    """EMIT clause of a query: `this` is "ON WINDOW CLOSE" or "CHANGES"."""

    arg_types: ClassVar = {"this": True}


class TableArg(exp.Expression):
    """`TABLE name` passed to a table function."""

    arg_types: ClassVar = {"this": True}


class Descriptor(exp.Expression):
    """`DESCRIPTOR(col, ...)` passed to a table function."""

    arg_types: ClassVar = {"expressions": True}


class WindowCall(exp.Expression, exp.Func):
    """TUMBLE / HOP / SESSION / CUMULATE with positional (`expressions`) and named (`named`)
    arguments; `this` is the function name. Used both as a table function and in GROUP BY."""

    arg_types: ClassVar = {"this": True, "expressions": False, "named": False}
    is_var_len_args = True


class LaminarParser(RisingWaveParser):
    DB_CREATABLES: ClassVar = {*RisingWaveParser.DB_CREATABLES, TokenType.STREAM}
    CREATABLES: ClassVar = {*RisingWaveParser.CREATABLES, TokenType.STREAM}

    FUNCTION_PARSERS: ClassVar = {
        **RisingWaveParser.FUNCTION_PARSERS,
        **{name: (lambda self, n=name: self._parse_window_call(n)) for name in WINDOW_FUNCTIONS},
    }

    def _parse_window_call(self, name: str) -> WindowCall:
        name_token = self._tokens[self._index - 2]   # the parser consumed NAME and "("
        positional: list[exp.Expr] = []
        named: list[exp.Expr] = []
        while not self._match(TokenType.R_PAREN, advance=False):
            arg_name = None
            if self._curr and self._next and self._next.token_type == TokenType.FARROW:
                arg_name = self._curr.text.upper()
                self._advance(2)
            if self._match(TokenType.TABLE):
                value: exp.Expr | None = self.expression(TableArg(this=self._parse_table_parts()))
            elif self._match_text_seq("DESCRIPTOR"):
                value = self.expression(
                    Descriptor(expressions=self._parse_wrapped_csv(self._parse_column))
                )
            else:
                value = self._parse_disjunction()
            if value is None:
                self.raise_error(f"expected an argument of {name}")
            if arg_name:
                named.append(exp.PropertyEQ(this=exp.var(arg_name), expression=value))
            else:
                positional.append(value)
            if not self._match(TokenType.COMMA):
                break
        call = self.expression(
            WindowCall(this=name, expressions=positional or None, named=named or None)
        )
        call.meta.update(line=name_token.line, col=name_token.col, start=name_token.start,
                         end=name_token.end)
        return call

    def _at_emit(self) -> bool:
        nxt = self._next.text.upper() if self._next else ""
        return bool(self._curr) and self._curr.text.upper() == "EMIT" and nxt in ("ON", "CHANGES")

    def _parse_table_alias(self, alias_tokens=None):  # type: ignore[no-untyped-def]
        # `FROM src EMIT ON WINDOW CLOSE`: EMIT starts the clause, it is not an alias.
        if self._at_emit():
            return None
        return super()._parse_table_alias(alias_tokens)

    def _parse_query_modifiers(self, this):  # type: ignore[no-untyped-def]
        this = super()._parse_query_modifiers(this)
        if isinstance(this, exp.Select) and self._curr and self._curr.text.upper() == "EMIT":
            start = self._curr
            self._advance()
            if self._match_text_seq("ON", "WINDOW", "CLOSE"):
                mode = "ON WINDOW CLOSE"
            elif self._match_text_seq("CHANGES"):
                mode = "CHANGES"
            else:
                self.raise_error("expected ON WINDOW CLOSE or CHANGES after EMIT", start)
                mode = ""
            emit = Emit(this=mode)
            emit.meta.update(line=start.line, col=start.col, start=start.start, end=start.end)
            this.set("emit", emit)
        return this

    STATEMENT_STARTS: ClassVar = {TokenType.SELECT, TokenType.WITH, TokenType.L_PAREN,
                                  TokenType.CREATE, TokenType.DROP, TokenType.SEMICOLON}

    def _parse_statement(self):  # type: ignore[no-untyped-def]
        # A statement is a CREATE, a DROP or a query; anything else is reported at its first
        # word (sqlglot would read `SELEC k FROM t` as an expression and fail later).
        if self._curr and self._curr.token_type not in self.STATEMENT_STARTS:
            self.raise_error(f"expected a statement (CREATE, DROP or SELECT), found "
                             f"{self._curr.text!r}", self._curr)
        return super()._parse_statement()

    def _warn_unsupported(self) -> None:
        # _parse_as_command raises instead of falling back, so there is nothing to warn about.
        return

    def _parse_as_command(self, start):  # type: ignore[no-untyped-def]
        token = self._curr or start
        self.raise_error(f"unsupported or malformed statement near {token.text!r}", token)
        return super()._parse_as_command(start)


def _window_call_sql(gen, e: WindowCall) -> str:
    args = [gen.sql(a) for a in e.expressions or []]
    args += [f"{a.this.name} => {gen.sql(a.expression)}" for a in e.args.get("named") or []]
    return f"{e.name}({', '.join(args)})"


def _select_sql(gen, e: exp.Select) -> str:
    text = RisingWaveGenerator.select_sql(gen, e)
    emit = e.args.get("emit")
    return f"{text} EMIT {emit.this}" if emit is not None else text


class LaminarGenerator(RisingWaveGenerator):
    TRANSFORMS: ClassVar = {
        **RisingWaveGenerator.TRANSFORMS,
        TableArg: lambda gen, e: f"TABLE {gen.sql(e, 'this')}",
        Descriptor: lambda gen, e: f"DESCRIPTOR({gen.expressions(e, flat=True)})",
        WindowCall: _window_call_sql,
        Emit: lambda gen, e: f"EMIT {e.this}",
    }

    def select_sql(self, expression: exp.Select) -> str:
        return _select_sql(self, expression)


class Laminar(RisingWave):
    Parser = LaminarParser
    Generator = LaminarGenerator

    class Tokenizer(RisingWave.Tokenizer):
        # SESSION is a window function here, not the keyword of SET SESSION.
        KEYWORDS: ClassVar = {
            **{k: v for k, v in RisingWave.Tokenizer.KEYWORDS.items() if k != "SESSION"},
            "STREAM": TokenType.STREAM,
        }


def parse(sql: str) -> list[exp.Expr]:
    """Parse one or more statements; raises sqlglot.errors.ParseError on the first mistake."""
    dialect = Laminar()
    tokens = dialect.tokenize(sql)
    parser = dialect.parser(error_level=ErrorLevel.RAISE, max_errors=1)
    try:
        statements = parser.parse(tokens, sql)
    except (ParseError, RecursionError):
        raise
    except Exception as e:
        # sqlglot's own failure on some malformed inputs (`- INTERVAL -` dereferences a
        # missing operand): still the user's syntax error, at the token the parser was on.
        tok = parser._curr or parser._prev
        raise ParseError.new(f"{type(e).__name__} in the SQL parser",
                             description="this cannot be parsed",
                             line=tok.line if tok else None, col=tok.col if tok else None,
                             highlight=tok.text if tok else None) from e
    # A comment after a `;` comes back as an empty Semicolon statement.
    return [e for e in statements if e is not None and not isinstance(e, exp.Semicolon)]


def sql_text(node: exp.Expr) -> str:
    """`node` as SQL in a message or a derived column name: sqlglot's default generator (which
    names columns as they always were named), or this dialect's for the nodes only it prints,
    such as a `TABLE rel` argument outside a window call."""
    try:
        return node.sql()
    except ValueError:
        return node.sql(dialect=Laminar)


def to_sql(node: exp.Expr) -> str:
    """Statement text in this dialect (what catalogs and manifests keep)."""
    return node.sql(dialect=Laminar)
