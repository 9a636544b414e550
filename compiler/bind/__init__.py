"""Binding: sqlglot syntax trees to typed logical plans, against the catalog."""

from .ddl import CreateSource, CreateStream, Drop, Statement, bind_statement
from .query import BoundQuery, QueryBinder

__all__ = [
    "BoundQuery",
    "CreateSource",
    "CreateStream",
    "Drop",
    "QueryBinder",
    "Statement",
    "bind_statement",
]
