"""Subscriptions: the rows a stream emits from the moment of subscribing."""

from __future__ import annotations

import collections
import threading
import time

import pyarrow as pa

from .errors import StateError


class Subscription:
    """Batches a stream emitted since `subscribe`. `poll` never blocks longer than asked;
    iteration and `to_arrow` wait until the stream ends (all its inputs ended), so call them
    after `end_input` or while another thread inserts. When the database closes before the
    stream ended, the batches it emitted are still delivered, and then `poll`, iteration and
    `to_arrow` raise StateError rather than end as if the stream had (a consumer in another
    thread would otherwise take a cut-off stream for a whole one)."""

    def __init__(self, stream: str, schema: pa.Schema, on_close=None, pump=None):
        self.stream = stream
        self.schema = schema
        self._queue: collections.deque[pa.RecordBatch] = collections.deque()
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._ended = False
        self._closed = False
        self._cut = False   # the database closed before the stream ended
        self._on_close = on_close
        self._pump = pump   # delivers results still being computed by workers
        self._waiting = 0   # consumers blocked in poll: only then is a push notified

    # -- producer side (the engine) ---------------------------------------------------------
    def _push(self, batch: pa.RecordBatch) -> None:
        with self._lock:   # (the condition's: entering the condition is a Python call more)
            self._queue.append(batch)
            if self._waiting:
                self._cond.notify_all()

    def _end(self) -> None:
        with self._cond:
            self._ended = True
            self._cond.notify_all()

    def _cut_off(self) -> None:
        """The database closed: no more batches will come, and the stream did not end."""
        with self._cond:
            self._cut = True
            self._cond.notify_all()

    # -- consumer side ----------------------------------------------------------------------
    @property
    def ended(self) -> bool:
        """True when the stream ended and every batch was taken."""
        with self._cond:
            return self._ended and not self._queue

    def poll(self, timeout: float | None = 0.0) -> pa.RecordBatch | None:
        """The next batch, or None if none arrives within `timeout` seconds (None: wait until
        one arrives or the stream ends). StateError once the database closed before the
        stream ended and every batch was taken."""
        if self._queue:   # the common case; a deque's popleft is atomic
            try:
                return self._queue.popleft()
            except IndexError:   # another consumer thread took it
                pass
        deadline = None if timeout is None else time.monotonic() + timeout
        if self._pump is not None:
            self._pump()
        with self._cond:
            while not self._queue:
                if self._ended or self._closed:
                    return None
                if self._cut:
                    raise StateError(f"the database was closed before stream '{self.stream}' "
                                     "ended")
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._waiting += 1
                try:
                    self._cond.wait(remaining)
                finally:
                    self._waiting -= 1
            return self._queue.popleft()

    def __iter__(self):
        while True:
            batch = self.poll(timeout=None)
            if batch is None:
                return
            yield batch

    def to_arrow(self, timeout: float | None = None) -> pa.Table:
        """Every batch until the stream ends, as one table."""
        deadline = None if timeout is None else time.monotonic() + timeout
        batches: list[pa.RecordBatch] = []
        take = self._queue.popleft
        while True:
            try:   # what is there already, without a poll's calls for each batch
                while True:
                    batches.append(take())
            except IndexError:
                pass
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            batch = self.poll(timeout=remaining)
            if batch is None:
                if self._ended or self._closed:
                    break
                raise TimeoutError(f"stream '{self.stream}' did not end within {timeout} s")
            batches.append(batch)
        return pa.Table.from_batches(batches, schema=self.schema)

    def close(self) -> None:
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        if self._on_close:
            self._on_close(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StateError(f"subscription to '{self.stream}' is closed")
