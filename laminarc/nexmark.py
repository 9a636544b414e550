"""Nexmark events as Arrow record batches: a vectorized, seeded port of the reference generator.

    from laminarc.nexmark import NEXMARK_DDL, generate
    db.execute(NEXMARK_DDL)
    for source, batch in generate(10_000_000, seed=0):
        db.insert(source, batch)

Output
------
`generate` yields `SourceBatch(source, batch)` named tuples: `source` is "person", "auction"
or "bid" and `batch` a pyarrow.RecordBatch with that source's schema (`SCHEMAS`: the Flink
Nexmark columns, camelCase; BIGINT is int64, VARCHAR string, TIMESTAMP(3) timestamp("ms");
no nulls). Event ids are cut into chunks of `batch_size` consecutive ids; for each chunk, in
order, it yields the chunk's person, auction and bid batch, skipping a source with no event in
the chunk. Rows are in event-id order. `NEXMARK_DDL` / `ddl(watermark_delay_ms)` declare the
three sources in laminarc's dialect with `WATERMARK FOR dateTime AS dateTime - INTERVAL ...`.

Reference
---------
Apache Beam's Nexmark generator (sdks/java/testing/nexmark/.../sources/generator) as ported
by github.com/nexmark/nexmark (nexmark-flink/.../generator: GeneratorConfig, NexmarkGenerator,
PersonGenerator, AuctionGenerator, BidGenerator, PriceGenerator, StringsGenerator,
LongGenerator), with the NexmarkConfiguration defaults (`NexmarkConfig`) and the Flink port's
bid columns `channel` and `url`. Reproduced exactly:

- Event kinds by event id mod 50: 0 person, 1-3 auction, 4-49 bid (configurable proportions).
- Ids: person ids FIRST_PERSON_ID (1000) + the person's ordinal, auction ids
  FIRST_AUCTION_ID (1000) + the auction's ordinal (lastBase0PersonId, lastBase0AuctionId).
  A seller is hot with probability 1 - 1/hotSellersRatio (3/4): the first person of the last
  block of HOT_SELLER_RATIO = 100 people; otherwise nextBase0PersonId, uniform over the last
  numActivePeople (1000) people and PERSON_ID_LEAD = 10 not yet created. A bidder likewise
  (1 - 1/hotBiddersRatio, the block's second person). A bid's auction is hot with probability
  1 - 1/hotAuctionRatio (1/2): the first of the last block of 100 auctions; otherwise
  nextBase0AuctionId, uniform over the last numInFlightAuctions (100) auctions and
  AUCTION_ID_LEAD = 10 ahead.
- Event time: dateTime = base_time_ms + (long)(eventNumber * interEventDelayUs) / 1000 with
  interEventDelayUs = 1e6 / rate (one generator), as the reference computes it in doubles.
- Auctions: category 10 + nextInt(5); initialBid = PriceGenerator.nextPrice,
  Math.round(10 ** (6 u) * 100) with u uniform in [0, 1); reserve = initialBid + nextPrice;
  expires = dateTime + 1 + nextLong(2 * horizon), horizon = the time to the event
  numInFlightAuctions * 50 / 3 events later (nextAuctionLengthMs).
- Bids: with probability 1/2 one of Google, Facebook, Baidu, Apple, each with one fixed URL;
  otherwise `channel-<n>`, n = nextInt(CHANNELS_NUMBER = 10,000), with a cached URL that
  ends in "&channel_id=" + Math.abs(Integer.reverse(n)) for 9 channels in 10 (Java ints, so
  channel 1's id is -2147483648, as in the reference). A URL is
  https://www.nexmark.com/<s>/<s>/<s>/item.htm?query=1 with s = nextString(5, '_').
- Strings: names from FIRST_NAMES x LAST_NAMES, US_CITIES, US_STATES; emails
  nextString(7) + "@" + nextString(5) + ".com"; credit cards four "%04d" groups; itemName
  nextString(20), description nextString(100) (length 3 + nextInt(max - 3), a space 1 time in
  13, then trim()). `extra` brings each event towards 200 / 500 / 100 bytes with exactly
  nextExtra(currentSize, desiredAverageSize)'s length distribution, in nextExactString's
  characters: 'a' + Java's signed `rnd % 26`, so 'H'..'z', not only lowercase.

Deviations, and why
-------------------
- Randomness. Beam seeds a java.util.Random with each event's id; the Flink port shares one
  unseeded Random (and builds its URL cache from more unseeded Randoms), so it is not
  reproducible at all. Java's Random cannot be replayed draw by draw in vectorized numpy, so
  every random field here is a SplitMix64 hash of (seed, event id, field): the same seed gives
  the same events however the output is batched, and any range of events can be generated
  alone (`start`). The distributions are the reference's; a bounded draw nextInt(n) is a
  32-bit multiply-shift (bias below n / 2**32), a double 53 bits.
- String pools. Strings come from per-seed pools built once with the reference's
  distributions: 65,536 item names, descriptions and emails each, the 10,004 channels and
  URLs (which the reference caches too), and 8 MiB of `extra` characters that repeat. Item
  names, descriptions and emails therefore recur in long runs, and person and auction extras of
  equal length share their bytes (32 variants per length). Lengths, hence sizes, are exact.
- Bid `extra` is zero-copy: a batch's column is one slice of the repeating characters, each
  bid's extra starting where the previous one's ends. To keep that independent of batching, a
  bid's position must be a closed form of its ordinal, so lengths come in pairs: the first bid
  of a pair draws L uniform in [54, 82) as nextExtra does, the second gets 135 - L. Each length
  keeps the reference's uniform distribution; the two in a pair are anti-correlated.
- Bidder ids: nexmark/nexmark's BidGenerator adds FIRST_PERSON_ID to the bidder twice (so
  bidders point 1000 past the person drawn and rarely join with `person`); Beam adds it once,
  as its comment "choose the second person" intends. Beam is the default;
  `NexmarkConfig(flink_bidder_quirk=True)` reproduces the Flink port.
- Time: the reference's base time is the wall clock at start (Beam: 2015-07-15 unless
  useWallclockEventTime); here it is `base_time_ms`, by default 2015-07-15 00:00:00 UTC
  (Beam's NexmarkUtils.BASE_TIME). Event ids start at 0 (Beam's standard config). One
  generator timeline; rate shapes, out-of-order groups and extended bids are not modelled
  (the reference's defaults leave them off).

Speed
-----
Everything is columnar: one numpy pass per field over a chunk, string columns gathered from
the pools by index (string_view headers gathered with numpy, then cast) or sliced zero-copy.
Bids, 92% of the rows, are computed in a grid of whole 50-event epochs, because their id
arithmetic depends on the epoch only, into work arrays reused across chunks.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Reference constants (GeneratorConfig, PersonGenerator, AuctionGenerator, BidGenerator).
FIRST_PERSON_ID = 1000
FIRST_AUCTION_ID = 1000
FIRST_CATEGORY_ID = 10
NUM_CATEGORIES = 5
PERSON_ID_LEAD = 10
AUCTION_ID_LEAD = 10
HOT_SELLER_RATIO = 100
HOT_AUCTION_RATIO = 100
HOT_BIDDER_RATIO = 100
HOT_CHANNELS_RATIO = 2
CHANNELS_NUMBER = 10_000
HOT_CHANNELS = ("Google", "Facebook", "Baidu", "Apple")
US_STATES = ("AZ", "CA", "ID", "OR", "WA", "WY")
US_CITIES = ("Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond",
             "Seattle", "Kent", "Cheyenne")
FIRST_NAMES = ("Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah",
               "Deiter", "Walter")
LAST_NAMES = ("Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones",
              "Noris")
MIN_STRING_LENGTH = 3
CREDIT_CARD_LENGTH = 19  # "dddd dddd dddd dddd"

BASE_TIME_MS = 1_436_918_400_000  # 2015-07-15T00:00:00Z, Beam's NexmarkUtils.BASE_TIME
DEFAULT_RATE = 10_000  # NexmarkConfiguration.firstEventRate, events per second
DEFAULT_BATCH_SIZE = 65_536  # events per chunk
MAX_BATCH_SIZE = 1 << 24  # keeps every string column's int32 offsets far from overflow
MAX_AVG_BYTE_SIZE = 8192  # an event's average size; the reference's are 100 to 500

SOURCES = ("person", "auction", "bid")
_TS = pa.timestamp("ms")
SCHEMAS: dict[str, pa.Schema] = {
    "person": pa.schema([
        ("id", pa.int64()), ("name", pa.string()), ("emailAddress", pa.string()),
        ("creditCard", pa.string()), ("city", pa.string()), ("state", pa.string()),
        ("dateTime", _TS), ("extra", pa.string()),
    ]),
    "auction": pa.schema([
        ("id", pa.int64()), ("itemName", pa.string()), ("description", pa.string()),
        ("initialBid", pa.int64()), ("reserve", pa.int64()), ("dateTime", _TS),
        ("expires", _TS), ("seller", pa.int64()), ("category", pa.int64()),
        ("extra", pa.string()),
    ]),
    "bid": pa.schema([
        ("auction", pa.int64()), ("bidder", pa.int64()), ("price", pa.int64()),
        ("channel", pa.string()), ("url", pa.string()), ("dateTime", _TS),
        ("extra", pa.string()),
    ]),
}
_SQL_TYPES = {pa.int64(): "BIGINT", pa.string(): "VARCHAR", _TS: "TIMESTAMP(3)"}


def ddl(watermark_delay_ms: int = 4000) -> str:
    """CREATE SOURCE statements for person, auction and bid, each with an event-time watermark
    `watermark_delay_ms` behind dateTime (Flink's Nexmark DDL uses 4 seconds)."""
    if watermark_delay_ms < 0:
        raise ValueError(f"watermark_delay_ms must be >= 0, not {watermark_delay_ms}")
    if watermark_delay_ms == 0:
        watermark = "dateTime"
    elif watermark_delay_ms % 1000 == 0:
        watermark = f"dateTime - INTERVAL '{watermark_delay_ms // 1000}' SECOND"
    else:
        watermark = f"dateTime - INTERVAL '{watermark_delay_ms}' MILLISECOND"
    statements = []
    for source in SOURCES:
        columns = [f"    {f.name} {_SQL_TYPES[f.type]}," for f in SCHEMAS[source]]
        statements.append(f"CREATE SOURCE {source} (\n" + "\n".join(columns)
                          + f"\n    WATERMARK FOR dateTime AS {watermark}\n);")
    return "\n".join(statements) + "\n"


NEXMARK_DDL = ddl()


@dataclass(frozen=True)
class NexmarkConfig:
    """The NexmarkConfiguration knobs the generator reads, with the reference's defaults."""

    person_proportion: int = 1
    auction_proportion: int = 3
    bid_proportion: int = 46
    avg_person_byte_size: int = 200
    avg_auction_byte_size: int = 500
    avg_bid_byte_size: int = 100
    hot_auction_ratio: int = 2
    hot_sellers_ratio: int = 4
    hot_bidders_ratio: int = 4
    num_in_flight_auctions: int = 100
    num_active_people: int = 1000
    # nexmark/nexmark's BidGenerator adds FIRST_PERSON_ID to the bidder twice; Beam once.
    flink_bidder_quirk: bool = False

    @property
    def total_proportion(self) -> int:
        return self.person_proportion + self.auction_proportion + self.bid_proportion

    def validate(self) -> None:
        for name in ("person_proportion", "auction_proportion", "bid_proportion",
                     "hot_auction_ratio", "hot_sellers_ratio", "hot_bidders_ratio",
                     "num_active_people"):
            if getattr(self, name) < 1:
                raise ValueError(f"NexmarkConfig.{name} must be >= 1, not {getattr(self, name)}")
        if self.num_in_flight_auctions < 0:
            raise ValueError("NexmarkConfig.num_in_flight_auctions must be >= 0")
        # Person and auction extras come from a pool with every length up to 1.2x the average.
        for name in ("avg_person_byte_size", "avg_auction_byte_size", "avg_bid_byte_size"):
            if not 0 <= getattr(self, name) <= MAX_AVG_BYTE_SIZE:
                raise ValueError(f"NexmarkConfig.{name} must be in [0, {MAX_AVG_BYTE_SIZE}]")
        # Random offsets are 32-bit multiply-shift draws.
        if self.num_active_people + PERSON_ID_LEAD >= 1 << 32:
            raise ValueError("NexmarkConfig.num_active_people is too large")
        if self.num_in_flight_auctions + AUCTION_ID_LEAD >= 1 << 32:
            raise ValueError("NexmarkConfig.num_in_flight_auctions is too large")


class SourceBatch(NamedTuple):
    """One batch of one source: `for source, batch in generate(...): db.insert(source, batch)`."""

    source: str
    batch: pa.RecordBatch


def generate(events: int, seed: int = 0, *, rate: float = DEFAULT_RATE,
             batch_size: int = DEFAULT_BATCH_SIZE, start: int = 0,
             base_time_ms: int = BASE_TIME_MS,
             config: NexmarkConfig | None = None) -> Iterator[SourceBatch]:
    """Events `start` .. `start + events - 1` as `SourceBatch(source, batch)` tuples.

    `rate` is events per second of event time (the reference's firstEventRate), `batch_size`
    the number of consecutive event ids per chunk (each chunk yields up to one batch per
    source), `base_time_ms` the dateTime of event 0 in epoch milliseconds. Every event is a
    function of (seed, event id, rate, base_time_ms, config) alone.
    """
    config = config or NexmarkConfig()
    config.validate()
    if events < 0 or start < 0:
        raise ValueError(f"events and start must be >= 0, not {events} and {start}")
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ValueError(f"batch_size must be in [1, {MAX_BATCH_SIZE}], not {batch_size}")
    if not rate > 0:
        raise ValueError(f"rate must be > 0 events per second, not {rate}")
    if not 0 <= seed < 1 << 64:
        raise ValueError(f"seed must be in [0, 2**64), not {seed}")
    # An auction expires by the time of the event 2 * ahead later; keep event times in int64.
    ahead = config.num_in_flight_auctions * config.total_proportion // config.auction_proportion
    if abs(base_time_ms) + (start + events + 2 * ahead + 1) * 1000.0 / rate >= 2.0 ** 62:
        raise ValueError("event times past 2**62 ms: lower start or events, or raise rate")
    generator = _Generator(seed, float(rate), int(base_time_ms), config,
                           min(batch_size, max(events, 1)))
    return generator.run(start, start + events, batch_size)


def generate_tables(events: int, seed: int = 0, **options) -> dict[str, pa.Table]:
    """All batches of `generate(events, seed, **options)` concatenated into one table per
    source (empty tables for sources without events)."""
    batches: dict[str, list[pa.RecordBatch]] = {source: [] for source in SOURCES}
    for source, batch in generate(events, seed, **options):
        batches[source].append(batch)
    return {s: pa.Table.from_batches(b, schema=SCHEMAS[s]) for s, b in batches.items()}


# ---------------------------------------------------------------------------------------------
# Counter-based randomness: word j of event e is SplitMix64(e * GOLDEN + key(seed, stream j)),
# i.e. SplitMix64's output at a position fixed by (seed, stream, e). No state crosses events.

_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_LOW32 = np.uint64(0xFFFFFFFF)
_UNIT53 = 2.0 ** -53
_LN_1E6 = 6.0 * math.log(10.0)  # 10 ** (6 u) == exp(u * ln(10 ** 6))


def _splitmix64(x: int) -> int:
    z = (x + _GOLDEN) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def _key(seed: int, stream: int) -> np.uint64:
    return np.uint64(_splitmix64(_splitmix64(seed) ^ (stream * 0xD1B54A32D192ED03 & _MASK64)))


# One stream per random word; the numbers only have to be distinct.
_PERSON_W = range(100, 105)
_AUCTION_W = range(200, 206)
_BID_W = range(300, 304)
_BID_EXTRA_PAIR = 310


def _mix64(z: np.ndarray, tmp: np.ndarray) -> np.ndarray:
    """SplitMix64's finalizer on uint64 `z`, in place (`tmp` is scratch of z's shape)."""
    for shift, multiplier in ((30, _MIX1), (27, _MIX2)):
        np.right_shift(z, shift, out=tmp)
        np.bitwise_xor(z, tmp, out=z)
        np.multiply(z, multiplier, out=z)
    np.right_shift(z, 31, out=tmp)
    np.bitwise_xor(z, tmp, out=z)
    return z


def _word(counter_golden: np.ndarray, key: np.uint64, out: np.ndarray,
          tmp: np.ndarray) -> np.ndarray:
    """Random 64-bit words for counters c, given c * GOLDEN."""
    np.add(counter_golden, key, out=out)
    return _mix64(out, tmp)


def _below(bits32: np.ndarray, n: int | np.ndarray, out: np.ndarray) -> np.ndarray:
    """Uniform integers in [0, n) from 32 random bits (uint64 `bits32` < 2**32, n < 2**32):
    Lemire's multiply-shift, the reference's nextInt(n) up to a bias below n / 2**32."""
    np.multiply(bits32, n, out=out)
    return np.right_shift(out, 32, out=out)


def _blend(out: np.ndarray, other: np.ndarray, mask: np.ndarray,
           tmp: np.ndarray) -> np.ndarray:
    """out = where(mask, other, out), in place (`other` may broadcast). Arithmetic, because a
    masked copy with a random mask is five times slower."""
    np.subtract(other, out, out=tmp)
    np.multiply(tmp, mask, out=tmp)
    return np.add(out, tmp, out=out)


def _hot_threshold(ratio: int) -> int:
    """nextInt(ratio) > 0 exactly when the 32 bits drawn are at least this."""
    return -(-(1 << 32) // ratio)


def _price(word: np.ndarray, out: np.ndarray, tmp: np.ndarray, f: np.ndarray) -> np.ndarray:
    """PriceGenerator.nextPrice: Math.round(10 ** (6 u) * 100), u from the top 53 bits."""
    np.right_shift(word, 11, out=tmp)
    np.multiply(tmp, _UNIT53 * _LN_1E6, out=f)
    np.exp(f, out=f)
    np.multiply(f, 100.0, out=f)
    np.add(f, 0.5, out=f)
    np.floor(f, out=f)
    np.copyto(out, f, casting="unsafe")
    return out


# ---------------------------------------------------------------------------------------------
# Per-seed string pools, built once with the reference's distributions.

STRING_POOL_SIZE = 1 << 16
EXTRA_PERIOD = 1 << 23  # bytes of random `extra` characters before they repeat
EXTRA_MARGIN = 1 << 23  # the period's head repeated after it, so most slices are zero-copy
EXTRA_VARIANTS = 32  # distinct person/auction extras of each length
_EXTRA_POOL_BUDGET = 1 << 26


def _next_strings(rng: np.random.Generator, count: int, max_length: int,
                  special: str = " ") -> pa.Array:
    """`count` draws of StringsGenerator.nextString(random, max_length, special): length
    3 + nextInt(max_length - 3), each character `special` 1 time in 13 and otherwise a-z,
    then Java's trim() (which strips spaces, never '_')."""
    width = max_length - 1
    lengths = MIN_STRING_LENGTH + rng.integers(0, max_length - MIN_STRING_LENGTH, count)
    chars = rng.integers(ord("a"), ord("a") + 26, (count, width), dtype=np.uint8)
    chars[rng.integers(0, 13, (count, width)) == 0] = ord(special)
    column = np.arange(width)
    inside = column < lengths[:, None]
    solid = inside & (chars != ord(" "))
    any_solid = solid.any(axis=1)
    first = np.argmax(solid, axis=1)
    last = width - 1 - np.argmax(solid[:, ::-1], axis=1)
    trimmed = np.where(any_solid, last - first + 1, 0)
    keep = (column >= first[:, None]) & (column < (first + trimmed)[:, None])
    offsets = np.zeros(count + 1, np.int32)
    np.cumsum(trimmed, out=offsets[1:])
    return pa.Array.from_buffers(pa.string(), count,
                                 [None, pa.py_buffer(offsets), pa.py_buffer(chars[keep])])


def _exact_string_bytes(rng: np.random.Generator, size: int) -> np.ndarray:
    """Characters as StringsGenerator.nextExactString makes them: 6 per random int, each
    'a' + (rnd % 26) with Java's truncating % and /, so negative ints give 'H'..'`'."""
    rnd = rng.integers(-(1 << 31), 1 << 31, -(-size // 6), dtype=np.int64)
    chars = np.empty((rnd.size, 6), np.uint8)
    for i in range(6):
        digit = np.fmod(rnd, 26)
        chars[:, i] = ord("a") + digit
        rnd = (rnd - digit) // 26
    return chars.ravel()[:size]


def _java_abs_reverse(n: int) -> int:
    """Math.abs(Integer.reverse(n)) in Java's 32-bit int arithmetic."""
    r = int(f"{n:032b}"[::-1], 2)
    r = r - (1 << 32) if r >= 1 << 31 else r
    return r if r == -(1 << 31) else abs(r)


def _lengths(strings: pa.Array) -> np.ndarray:
    return pc.utf8_length(strings).to_numpy().astype(np.int64)


def _periodic_slice(buf: np.ndarray, start: int, length: int) -> pa.Buffer:
    """Bytes start .. start + length of the infinite repetition of buf[:EXTRA_PERIOD]
    (`start` < EXTRA_PERIOD); zero-copy when they lie within `buf`."""
    if start + length <= buf.size:
        return pa.py_buffer(buf[start:start + length])
    parts = []
    while length:
        take = min(length, buf.size - start)
        parts.append(buf[start:start + take])
        length -= take
        start = (start + take) % EXTRA_PERIOD
    return pa.py_buffer(np.concatenate(parts))


class _Views:
    """A pool of strings that `take` copies out fastest: gathering its 16-byte string_view
    headers with numpy and casting them to string beats Arrow's string `take` by a quarter
    to a third."""

    def __init__(self, strings: list[str]) -> None:
        self.strings = pa.array(strings, pa.string())
        views = self.strings.cast(pa.string_view())
        self._headers = np.frombuffer(views.buffers()[1], np.uint64).reshape(-1, 2)
        self._data = views.buffers()[2:]

    def take(self, index: np.ndarray, scratch: np.ndarray) -> pa.Array:
        """strings[index]; `scratch` is a uint64 work array of at least 2 * len(index)."""
        n = index.size
        headers = scratch[:2 * n].reshape(n, 2)
        np.take(self._headers, index, axis=0, out=headers)
        views = pa.Array.from_buffers(pa.string_view(), n,
                                      [None, pa.py_buffer(headers), *self._data])
        return views.cast(pa.string())


@dataclass(frozen=True)
class _Pools:
    names: pa.Array  # FIRST_NAMES x LAST_NAMES, index f * len(LAST_NAMES) + l
    name_lengths: np.ndarray
    cities: pa.Array
    city_lengths: np.ndarray
    states: pa.Array
    state_lengths: np.ndarray
    emails: pa.Array
    email_lengths: np.ndarray
    item_names: pa.Array
    item_name_lengths: np.ndarray
    descriptions: pa.Array
    description_lengths: np.ndarray
    channels: _Views  # index n < CHANNELS_NUMBER: channel-n; CHANNELS_NUMBER + i: hot i
    urls: _Views
    extra_bytes: np.ndarray  # EXTRA_PERIOD random bytes, then their first EXTRA_MARGIN again


@functools.lru_cache(maxsize=4)
def _pools(seed: int) -> _Pools:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x4E45584D]))
    names = pa.array([f"{f} {last}" for f in FIRST_NAMES for last in LAST_NAMES])
    cities, states = pa.array(US_CITIES), pa.array(US_STATES)
    emails = pc.binary_join_element_wise(
        _next_strings(rng, STRING_POOL_SIZE, 7), _next_strings(rng, STRING_POOL_SIZE, 5),
        "@")
    emails = pc.binary_join_element_wise(emails, ".com", "")
    item_names = _next_strings(rng, STRING_POOL_SIZE, 20)
    descriptions = _next_strings(rng, STRING_POOL_SIZE, 100)
    # BidGenerator: the hot channels' URLs, then the channel cache (getBaseUrl, then
    # "&channel_id=" for nextInt(10) > 0).
    count = CHANNELS_NUMBER + len(HOT_CHANNELS)
    segments = _next_strings(rng, 3 * count, 5, "_").to_pylist()
    with_id = rng.integers(0, 10, CHANNELS_NUMBER) > 0
    urls = []
    for i in range(count):
        a, b, c = segments[3 * i:3 * i + 3]
        url = f"https://www.nexmark.com/{a}/{b}/{c}/item.htm?query=1"
        if i < CHANNELS_NUMBER and with_id[i]:
            url += f"&channel_id={_java_abs_reverse(i)}"
        urls.append(url)
    channels = [f"channel-{i}" for i in range(CHANNELS_NUMBER)] + list(HOT_CHANNELS)
    extra = np.empty(EXTRA_PERIOD + EXTRA_MARGIN, np.uint8)
    extra[:EXTRA_PERIOD] = _exact_string_bytes(rng, EXTRA_PERIOD)
    extra[EXTRA_PERIOD:] = extra[:EXTRA_MARGIN]
    return _Pools(names, _lengths(names), cities, _lengths(cities), states, _lengths(states),
                  emails, _lengths(emails), item_names, _lengths(item_names), descriptions,
                  _lengths(descriptions), _Views(channels), _Views(urls), extra)


@functools.lru_cache(maxsize=8)
def _extra_pool(seed: int, max_length: int) -> tuple[pa.Array, int]:
    """Strings of every length 0..max_length, `variants` of each at index length * variants + v,
    cut from the seed's random bytes; returns (pool, variants)."""
    per_variant = max_length * (max_length + 1) // 2
    variants = max(1, min(EXTRA_VARIANTS, _EXTRA_POOL_BUDGET // max(per_variant, 1)))
    lengths = np.repeat(np.arange(max_length + 1, dtype=np.int64), variants)
    offsets = np.zeros(lengths.size + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    data = _periodic_slice(_pools(seed).extra_bytes, 0, int(offsets[-1]))
    pool = pa.Array.from_buffers(pa.string(), lengths.size,
                                 [None, pa.py_buffer(offsets.astype(np.int32)), data])
    return pool, variants


# ---------------------------------------------------------------------------------------------
# The generator.

class _Scratch:
    """Work arrays reused across chunks. Fresh large numpy temporaries are returned to the OS
    when freed and page-faulted in again on the next chunk, which cost more than the
    arithmetic itself; so the bid path, which is 92% of the rows, writes into these."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._arrays: dict[tuple[str, type], np.ndarray] = {}

    def __call__(self, name: str, dtype: type, n: int) -> np.ndarray:
        array = self._arrays.get((name, dtype))
        if array is None or array.size < n:
            array = self._arrays[name, dtype] = np.empty(max(n, self._capacity), dtype)
        return array[:n]


def _column(dtype: type, n: int) -> tuple[np.ndarray, pa.Buffer]:
    """An output column's buffer from Arrow's allocator (which reuses freed memory without
    page faults), with a writable numpy view of it."""
    buffer = pa.allocate_buffer(n * np.dtype(dtype).itemsize)
    return np.frombuffer(buffer, dtype=dtype), buffer


def _array(type_: pa.DataType, buffer: pa.Buffer, n: int) -> pa.Array:
    return pa.Array.from_buffers(type_, n, [None, buffer])


class _Generator:
    def __init__(self, seed: int, rate: float, base_time_ms: int, config: NexmarkConfig,
                 capacity: int) -> None:
        self.seed = seed
        self.config = config
        self.base_time_ms = base_time_ms
        self.delay_us = 1_000_000.0 / rate  # GeneratorConfig.interEventDelayUs, one generator
        # n * delay_us / 1000 as the integer fraction n * numerator // denominator.
        self.integer_delay = self.delay_us.is_integer()
        if self.integer_delay:
            divisor = math.gcd(int(self.delay_us), 1000)
            self.delay_numerator = int(self.delay_us) // divisor
            self.delay_denominator = 1000 // divisor
            self.integer_delay_limit = (1 << 53) // int(self.delay_us)
        self.pools = _pools(seed)
        # Bid grids pad a chunk to whole epochs: up to two epochs more than its events.
        capacity += 2 * config.total_proportion
        self.scratch = _Scratch(capacity)
        self.arange = np.arange(capacity, dtype=np.int64)
        c = config
        # Source s holds the event ids e with offset_s <= e % total < offset_s + count_s.
        self.layout = {
            "person": (0, c.person_proportion),
            "auction": (c.person_proportion, c.auction_proportion),
            "bid": (c.person_proportion + c.auction_proportion, c.bid_proportion),
        }
        self.bidder_offset = FIRST_PERSON_ID * (2 if c.flink_bidder_quirk else 1)
        self.bid_keys = [_key(seed, stream) for stream in _BID_W]
        self.person_extra = _extra_pool(seed, _max_extra(c.avg_person_byte_size))
        self.auction_extra = _extra_pool(seed, _max_extra(c.avg_auction_byte_size))
        # Bid extras: currentSize is the constant 8 + 8 + 8 + 8, so the length is
        # minimum + nextInt(2 * delta) for every bid (see _bid_extra).
        desired = c.avg_bid_byte_size - 32
        delta = _java_round(desired * 0.2) if desired >= 0 else 0
        self.bid_extra_min = desired - delta if desired >= 0 else 0
        self.bid_extra_spread = 2 * delta

    def run(self, lo: int, hi: int, batch_size: int) -> Iterator[SourceBatch]:
        build = {"person": self._persons, "auction": self._auctions, "bid": self._bids}
        for chunk_lo in range(lo, hi, batch_size):
            chunk_hi = min(chunk_lo + batch_size, hi)
            for source in SOURCES:
                k0, k1 = self._ordinal(source, chunk_lo), self._ordinal(source, chunk_hi)
                if k1 > k0:
                    yield SourceBatch(source, build[source](k0, k1))

    def _ordinal(self, source: str, event_id: int) -> int:
        """How many events of `source` have ids below `event_id`."""
        offset, count = self.layout[source]
        epoch, rem = divmod(event_id, self.config.total_proportion)
        return epoch * count + min(max(rem - offset, 0), count)

    def _event_ids(self, source: str, k0: int, n: int, out: np.ndarray,
                   epoch: np.ndarray) -> np.ndarray:
        """Event ids of the source's events k0 .. k0 + n - 1 into `out`, their epochs
        k // count into `epoch`: e = epoch * total + offset + k % count."""
        offset, count = self.layout[source]
        tmp = self.scratch("event_ids", np.int64, n)
        np.add(self.arange[:n], k0, out=out)
        np.floor_divide(out, count, out=epoch)
        np.multiply(epoch, self.config.total_proportion - count, out=tmp)
        np.add(out, tmp, out=out)
        return np.add(out, offset, out=out)

    def _timestamps(self, event_ids: np.ndarray, out: np.ndarray, f: np.ndarray) -> np.ndarray:
        """GeneratorConfig.timestampForEvent: baseTime + (long)(n * interEventDelayUs) / 1000,
        in integers when that is exact (an integral delay and products below 2**53)."""
        if self.integer_delay and event_ids.reshape(-1)[-1] < self.integer_delay_limit:
            np.multiply(event_ids, self.delay_numerator, out=out)
            np.floor_divide(out, self.delay_denominator, out=out)
        else:
            np.multiply(event_ids, self.delay_us, out=f)
            np.copyto(out, f, casting="unsafe")  # truncates toward zero, as Java's (long) cast
            np.floor_divide(out, 1000, out=out)
        return np.add(out, self.base_time_ms, out=out)

    def _person_ref(self, last_person: np.ndarray, word: np.ndarray, hot_ratio: int,
                    block: int, hot_offset: int, first_id: int, out: np.ndarray,
                    s: _Scratch) -> np.ndarray:
        """Sellers (hot_offset 0) and bidders (hot_offset 1) as first_id + a base-0 person:
        with probability 1 - 1/hot_ratio person hot_offset of the last block of `block`
        people, otherwise PersonGenerator.nextBase0PersonId: numPeople - activePeople +
        nextLong(activePeople + PERSON_ID_LEAD). The high 32 bits of `word` pick hot or not,
        the low 32 bits the person. `last_person` (lastBase0PersonId) may broadcast."""
        u, tmp = s("ref_u", np.uint64, word.size), s("ref_tmp", np.int64, word.size)
        mask = s("ref_mask", np.bool_, word.size)
        u, tmp, mask = (a.reshape(word.shape) for a in (u, tmp, mask))
        num_people = last_person + 1
        active = np.minimum(num_people, self.config.num_active_people)
        np.bitwise_and(word, _LOW32, out=u)
        _below(u, (active + PERSON_ID_LEAD).astype(np.uint64), out=u)
        np.add(u.view(np.int64), num_people - active + first_id, out=out)
        np.right_shift(word, 32, out=u)
        np.greater_equal(u, _hot_threshold(hot_ratio), out=mask)
        hot = (last_person // block) * block + hot_offset + first_id
        return _blend(out, hot, mask, tmp)

    def _bids(self, k0: int, k1: int) -> pa.RecordBatch:
        """Bids k0 .. k1 - 1. Their ids and hot blocks depend on the epoch (50 events) alone,
        so the rows are laid out as a grid of whole epochs, one row per epoch, the reference's
        id arithmetic is done once per epoch and broadcast, and the batch is the slice of the
        grid that holds bids k0 .. k1 - 1."""
        c, s, width = self.config, self.scratch, self.config.bid_proportion
        q0, q1 = k0 // width, -(-k1 // width)
        shape, n, skip = (q1 - q0, width), k1 - k0, k0 - q0 * width
        size = shape[0] * width

        def grid(name: str, dtype: type) -> np.ndarray:
            return s(name, dtype, size).reshape(shape)

        def column(dtype: type) -> tuple[np.ndarray, pa.Buffer]:
            values, buffer = _column(dtype, size)
            return values.reshape(shape), buffer.slice(skip * 8, n * 8)

        epoch = np.arange(q0, q1, dtype=np.int64)[:, None]
        e, golden = grid("e", np.int64), grid("golden", np.uint64)
        w, u, tmp = grid("w", np.uint64), grid("u", np.uint64), grid("tmp", np.uint64)
        f, mask, blend = grid("f", np.float64), grid("mask", np.bool_), grid("blend", np.int64)
        first = epoch * c.total_proportion + c.person_proportion + c.auction_proportion
        np.add(first, self.arange[None, :width], out=e)
        np.multiply(e.view(np.uint64), np.uint64(_GOLDEN), out=golden)
        keys = self.bid_keys

        # Auction: the hot block's first auction, or nextBase0AuctionId: uniform over
        # [max(last - inFlight, 0), last + AUCTION_ID_LEAD].
        auction, auction_buf = column(np.int64)
        last = epoch * c.auction_proportion + (c.auction_proportion - 1)  # lastBase0AuctionId
        back = np.minimum(last, c.num_in_flight_auctions)  # last - minAuction
        _word(golden, keys[0], w, tmp)
        np.bitwise_and(w, _LOW32, out=u)
        _below(u, (back + 1 + AUCTION_ID_LEAD).astype(np.uint64), out=u)
        np.add(u.view(np.int64), last - back + FIRST_AUCTION_ID, out=auction)
        np.right_shift(w, 32, out=u)
        np.greater_equal(u, _hot_threshold(c.hot_auction_ratio), out=mask)
        hot = (last // HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO + FIRST_AUCTION_ID
        _blend(auction, hot, mask, blend)

        bidder, bidder_buf = column(np.int64)
        last = epoch * c.person_proportion + (c.person_proportion - 1)  # lastBase0PersonId
        _word(golden, keys[1], w, tmp)
        self._person_ref(last, w, c.hot_bidders_ratio, HOT_BIDDER_RATIO, 1, self.bidder_offset,
                         bidder, s)

        # Price from the top 53 bits; the channel choice from the low bits of the same word
        # (bit 0: nextInt(HOT_CHANNELS_RATIO = 2) > 0, bits 1-2: which hot channel).
        price, price_buf = column(np.int64)
        _word(golden, keys[2], w, tmp)
        _price(w, price, tmp, f)
        hot_channel = grid("hot_channel", np.int64)
        np.right_shift(w, 1, out=u)
        np.bitwise_and(u, len(HOT_CHANNELS) - 1, out=u)
        np.add(u.view(np.int64), CHANNELS_NUMBER, out=hot_channel)
        np.bitwise_and(w, 1, out=u)
        np.not_equal(u, 0, out=mask)
        _word(golden, keys[3], w, tmp)
        np.right_shift(w, 32, out=u)
        _below(u, CHANNELS_NUMBER, out=u)
        index = _blend(u.view(np.int64), hot_channel, mask, blend).reshape(-1)[skip:skip + n]
        headers = s("headers", np.uint64, 2 * n)
        channel = self.pools.channels.take(index, headers)
        url = self.pools.urls.take(index, headers)

        timestamps, ts_buf = column(np.int64)
        self._timestamps(e, timestamps, f)
        return pa.RecordBatch.from_arrays(
            [_array(pa.int64(), auction_buf, n), _array(pa.int64(), bidder_buf, n),
             _array(pa.int64(), price_buf, n), channel, url, _array(_TS, ts_buf, n),
             self._bid_extra(k0, k1)],
            schema=SCHEMAS["bid"])

    def _bid_extra(self, k0: int, k1: int) -> pa.Array:
        """Bid k's extra is bytes [P(k), P(k + 1)) of the repeating random buffer, so a batch's
        column is one slice of it. P(k) is a closed form of k, which keeps the bytes
        independent of batching: bids 2j and 2j + 1 have lengths m + r_j and
        m + spread - 1 - r_j, r_j uniform below `spread` (nextExtra's distribution for each),
        so P(k) = (k // 2) * (2m + spread - 1) + (k odd) * (m + r_{k // 2})."""
        s, n = self.scratch, k1 - k0
        m, spread = self.bid_extra_min, self.bid_extra_spread
        pair_total = 2 * m + max(spread - 1, 0)
        k, j = s("xk", np.int64, n + 1), s("xj", np.int64, n + 1)
        z, tmp = s("xz", np.uint64, n + 1), s("xt", np.uint64, n + 1)
        np.add(self.arange[:n + 1], k0, out=k)
        np.right_shift(k, 1, out=j)
        np.multiply(j.view(np.uint64), np.uint64(_GOLDEN), out=z)
        _word(z, _key(self.seed, _BID_EXTRA_PAIR), z, tmp)
        np.bitwise_and(z, _LOW32, out=z)
        _below(z, spread, out=z)
        np.add(z, m, out=z)  # length of the pair's first bid
        np.bitwise_and(k, 1, out=k)
        np.multiply(k, z.view(np.int64), out=k)
        np.multiply(j, pair_total, out=j)
        np.add(j, k, out=j)  # P(k)
        first = int(j[0])
        offsets, offsets_buf = _column(np.int32, n + 1)
        np.subtract(j, first, out=offsets, casting="unsafe")
        data = _periodic_slice(self.pools.extra_bytes, first % EXTRA_PERIOD, int(j[n]) - first)
        return pa.Array.from_buffers(pa.string(), n, [None, offsets_buf, data])

    def _extra(self, current_size: np.ndarray, average: int, word: np.ndarray,
               pool: tuple[pa.Array, int]) -> pa.Array:
        """StringsGenerator.nextExtra(currentSize, average) for person and auction events:
        "" when currentSize > average, else (average - currentSize) - delta +
        nextInt(2 * delta) characters, delta = round(0.2 * (average - currentSize)).
        The high 32 bits of `word` draw the length, the low bits the variant."""
        strings, variants = pool
        desired = np.maximum(average - current_size, 0)  # 0 gives delta 0 and so ""
        delta = np.floor(desired * 0.2 + 0.5).astype(np.int64)
        length = desired - delta + _below(word >> np.uint64(32), (2 * delta).astype(np.uint64),
                                          np.empty(word.size, np.uint64)).astype(np.int64)
        variant = (word & _LOW32) % np.uint64(variants)
        return strings.take(pa.array(length * variants + variant.astype(np.int64)))

    def _person_words(self, keys: range, event_ids: np.ndarray) -> list[np.ndarray]:
        golden = event_ids.view(np.uint64) * np.uint64(_GOLDEN)
        tmp = np.empty_like(golden)
        return [_word(golden, _key(self.seed, key), np.empty_like(golden), tmp) for key in keys]

    def _persons(self, k0: int, k1: int) -> pa.RecordBatch:
        n, p = k1 - k0, self.pools
        e = self._event_ids("person", k0, n, np.empty(n, np.int64), np.empty(n, np.int64))
        w = self._person_words(_PERSON_W, e)
        hi = [x >> np.uint64(32) for x in w]
        lo = [x & _LOW32 for x in w]
        u = np.empty(n, np.uint64)
        name = _below(hi[0], len(p.names), u).astype(np.int64)
        city = _below(lo[0], len(US_CITIES), u).astype(np.int64)
        state = _below(hi[1], len(US_STATES), u).astype(np.int64)
        email = (lo[1] % np.uint64(STRING_POOL_SIZE)).astype(np.int64)
        card = _credit_cards([_below(x, 10_000, np.empty(n, np.uint64))
                              for x in (hi[2], lo[2], hi[3], lo[3])])
        current_size = (8 + p.name_lengths[name] + p.email_lengths[email] + CREDIT_CARD_LENGTH
                        + p.city_lengths[city] + p.state_lengths[state])
        ts, ts_buf = _column(np.int64, n)
        self._timestamps(e, ts, np.empty(n, np.float64))
        return pa.RecordBatch.from_arrays(
            [pa.array(np.arange(k0, k1, dtype=np.int64) + FIRST_PERSON_ID),
             p.names.take(name), p.emails.take(email), card, p.cities.take(city),
             p.states.take(state), _array(_TS, ts_buf, n),
             self._extra(current_size, self.config.avg_person_byte_size, w[4],
                         self.person_extra)],
            schema=SCHEMAS["person"])

    def _auctions(self, k0: int, k1: int) -> pa.RecordBatch:
        n, p, c = k1 - k0, self.pools, self.config
        epoch = np.empty(n, np.int64)
        e = self._event_ids("auction", k0, n, np.empty(n, np.int64), epoch)
        w = self._person_words(_AUCTION_W, e)
        tmp, f = np.empty(n, np.uint64), np.empty(n, np.float64)
        last_person = epoch * c.person_proportion + (c.person_proportion - 1)
        seller = self._person_ref(last_person, w[0], c.hot_sellers_ratio, HOT_SELLER_RATIO, 0,
                                  FIRST_PERSON_ID, np.empty(n, np.int64), _Scratch(n))
        initial_bid = _price(w[1], np.empty(n, np.int64), tmp, f)
        reserve = initial_bid + _price(w[2], np.empty(n, np.int64), tmp, f)
        category = FIRST_CATEGORY_ID + _below(w[3] >> np.uint64(32), NUM_CATEGORIES,
                                              tmp).astype(np.int64)
        item = (w[3] & np.uint64(0xFFFF)).astype(np.int64)
        description = ((w[3] >> np.uint64(16)) & np.uint64(0xFFFF)).astype(np.int64)
        ts, ts_buf = _column(np.int64, n)
        self._timestamps(e, ts, f)
        # nextAuctionLengthMs: 1 + nextLong(max(2 * horizon, 1)), horizon = the time until the
        # auction numInFlightAuctions ahead, numInFlightAuctions * total / auction events on.
        ahead = c.num_in_flight_auctions * c.total_proportion // c.auction_proportion
        horizon = self._timestamps(e + ahead, np.empty(n, np.int64), f) - ts
        unit = (w[4] >> np.uint64(11)).astype(np.float64) * _UNIT53
        length = 1 + (unit * np.maximum(2 * horizon, 1)).astype(np.int64)
        current_size = 8 + p.item_name_lengths[item] + p.description_lengths[description] + 40
        return pa.RecordBatch.from_arrays(
            [pa.array(np.arange(k0, k1, dtype=np.int64) + FIRST_AUCTION_ID),
             p.item_names.take(pa.array(item)), p.descriptions.take(pa.array(description)),
             pa.array(initial_bid), pa.array(reserve), _array(_TS, ts_buf, n),
             pa.array(ts + length, type=_TS), pa.array(seller), pa.array(category),
             self._extra(current_size, c.avg_auction_byte_size, w[5], self.auction_extra)],
            schema=SCHEMAS["auction"])


def _java_round(x: float) -> int:
    """Math.round: floor(x + 0.5)."""
    return math.floor(x + 0.5)


def _max_extra(average: int) -> int:
    """The longest nextExtra(currentSize, average) for any currentSize >= 0."""
    return average + _java_round(average * 0.2)


def _credit_cards(groups: list[np.ndarray]) -> pa.Array:
    """Four "%04d" groups joined by spaces, as fixed-width 19-byte strings."""
    n = groups[0].size
    chars = np.full((n, CREDIT_CARD_LENGTH), ord(" "), np.uint8)
    for g, group in enumerate(groups):
        chars[:, 5 * g:5 * g + 4] = _CARD_GROUPS[group]
    offsets = np.arange(0, CREDIT_CARD_LENGTH * (n + 1), CREDIT_CARD_LENGTH, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n,
                                 [None, pa.py_buffer(offsets), pa.py_buffer(chars)])


# "%04d" of 0..9999 as 4 ASCII digits each (PersonGenerator.CREDIT_CARD_STRINGS).
_CARD_GROUPS = (ord("0") + np.arange(10_000)[:, None] // np.array([1000, 100, 10, 1]) % 10
                ).astype(np.uint8)
