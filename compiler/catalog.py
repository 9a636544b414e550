"""The catalog: what CREATE statements declared, bound and typed.

Names are case-insensitive unless quoted (stored lower-cased), as in PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .plan import Field, Node


@dataclass
class Source:
    name: str
    fields: tuple[Field, ...]
    time_column: int | None = None      # index of the WATERMARK FOR column
    watermark_delay: int = 0            # in units of the time column
    options: dict[str, str] = field(default_factory=dict)
    sql: str = ""


@dataclass
class Stream:
    """A CREATE STREAM or CREATE MATERIALIZED VIEW: a named, continuously maintained query."""

    name: str
    plan: Node                          # optimized logical plan
    fields: tuple[Field, ...]
    changelog: bool                     # output rows carry `_op`
    materialized: bool = False
    sql: str = ""
    inputs: tuple[str, ...] = ()        # relations it reads


@dataclass
class Catalog:
    sources: dict[str, Source] = field(default_factory=dict)
    streams: dict[str, Stream] = field(default_factory=dict)

    def lookup(self, name: str) -> Source | Stream | None:
        return self.sources.get(name) or self.streams.get(name)

    def dependents(self, name: str) -> list[str]:
        """Streams that read `name` directly."""
        return sorted(s.name for s in self.streams.values() if name in s.inputs)

    def taken(self, name: str) -> bool:
        return name in self.sources or name in self.streams
