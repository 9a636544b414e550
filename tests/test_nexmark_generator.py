"""The Nexmark generator against the reference's arithmetic and distributions.

Expected values are recomputed here from the reference's formulas (GeneratorConfig,
PersonGenerator, AuctionGenerator, BidGenerator), not from the generator's helpers.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from laminarc.nexmark import (
    BASE_TIME_MS,
    FIRST_NAMES,
    HOT_CHANNELS,
    LAST_NAMES,
    NEXMARK_DDL,
    SCHEMAS,
    US_CITIES,
    US_STATES,
    NexmarkConfig,
    SourceBatch,
    _java_abs_reverse,
    ddl,
    generate,
    generate_tables,
)

N = 100_000  # 2,000 people, 6,000 auctions, 92,000 bids


@pytest.fixture(scope="module")
def tables() -> dict[str, pa.Table]:
    return generate_tables(N, seed=7)


def event_ids(count: int, offset: int, proportion: int, total: int = 50) -> np.ndarray:
    """Ids of the first `count` events of a source: offset <= id % total < offset + proportion."""
    k = np.arange(count)
    return (k // proportion) * total + offset + k % proportion


def epoch_ms(column: pa.ChunkedArray) -> np.ndarray:
    return column.cast(pa.int64()).to_numpy()


def lengths(column: pa.ChunkedArray) -> np.ndarray:
    return np.array([len(s) for s in column.to_pylist()])


BIGINT, VARCHAR, TIMESTAMP_3 = pa.int64(), pa.string(), pa.timestamp("ms")
FLINK_COLUMNS = {  # the Flink Nexmark DDL
    "person": [("id", BIGINT), ("name", VARCHAR), ("emailAddress", VARCHAR),
               ("creditCard", VARCHAR), ("city", VARCHAR), ("state", VARCHAR),
               ("dateTime", TIMESTAMP_3), ("extra", VARCHAR)],
    "auction": [("id", BIGINT), ("itemName", VARCHAR), ("description", VARCHAR),
                ("initialBid", BIGINT), ("reserve", BIGINT), ("dateTime", TIMESTAMP_3),
                ("expires", TIMESTAMP_3), ("seller", BIGINT), ("category", BIGINT),
                ("extra", VARCHAR)],
    "bid": [("auction", BIGINT), ("bidder", BIGINT), ("price", BIGINT), ("channel", VARCHAR),
            ("url", VARCHAR), ("dateTime", TIMESTAMP_3), ("extra", VARCHAR)],
}


def test_schemas_and_column_names(tables):
    for source, columns in FLINK_COLUMNS.items():
        assert [(f.name, f.type) for f in SCHEMAS[source]] == columns
        assert tables[source].schema == SCHEMAS[source]
        for name, _ in columns:
            assert tables[source].column(name).null_count == 0
    for source, batch in generate(120, seed=1, batch_size=50):
        assert isinstance(batch, pa.RecordBatch)
        assert batch.schema == SCHEMAS[source]


def test_yield_shape_and_order():
    out = list(generate(120, seed=1, batch_size=50))
    assert all(isinstance(b, SourceBatch) for b in out)
    # chunks [0, 50), [50, 100), [100, 120): person, auction, bid each
    assert [s for s, _ in out] == ["person", "auction", "bid"] * 3
    assert [b.num_rows for _, b in out] == [1, 3, 46, 1, 3, 46, 1, 3, 16]
    # a chunk without a source's event yields no batch for it
    assert [s for s, _ in generate(10, seed=1, start=5, batch_size=10)] == ["bid"]
    assert list(generate(0)) == []


def test_event_kinds_exactly_1_3_46_per_50_ids():
    for start in (0, 17):
        counts = {}
        for source, batch in generate(50 * 40, seed=3, start=start, batch_size=50):
            counts.setdefault(source, []).append(batch.num_rows)
        assert counts == {"person": [1] * 40, "auction": [3] * 40, "bid": [46] * 40}


def test_person_and_auction_ids_are_sequential(tables):
    assert tables["person"].column("id").to_pylist() == list(range(1000, 1000 + N // 50))
    assert tables["auction"].column("id").to_pylist() == list(range(1000, 1000 + 3 * N // 50))
    later = generate_tables(500, seed=7, start=10_000)
    assert later["person"].column("id").to_pylist() == list(range(1200, 1210))
    assert later["auction"].column("id").to_pylist() == list(range(1600, 1630))


def check_person_refs(refs: np.ndarray, last_person: np.ndarray, hot_offset: int,
                      hot_probability: float, first_id: int = 1000) -> None:
    """refs are the hot person (block of 100) or nextBase0PersonId: uniform over the last
    1000 people and 10 ahead."""
    base0 = refs - first_id
    hot = (last_person // 100) * 100 + hot_offset
    num_people = last_person + 1
    active = np.minimum(num_people, 1000)
    in_range = (base0 >= num_people - active) & (base0 < num_people + 10)
    assert np.all((base0 == hot) | in_range)
    # P(ref == hot) = p + (1 - p) / span once 1000 people exist
    late = num_people > 1000
    want = hot_probability + (1 - hot_probability) / 1010
    assert abs(np.mean(base0[late] == hot[late]) - want) < 0.015


def test_bid_auction_and_bidder_follow_reference_arithmetic(tables):
    bids = tables["bid"]
    e = event_ids(bids.num_rows, 4, 46)
    epoch = e // 50
    last_auction = epoch * 3 + 2  # lastBase0AuctionId for a bid
    last_person = epoch  # lastBase0PersonId for a bid
    auction = bids.column("auction").to_numpy() - 1000
    hot = (last_auction // 100) * 100
    low = np.maximum(last_auction - 100, 0)
    in_flight = (auction >= low) & (auction <= last_auction + 10)
    assert np.all((auction == hot) | in_flight)
    late = last_auction >= 100
    assert abs(np.mean(auction[late] == hot[late]) - (0.5 + 0.5 / 111)) < 0.01
    # bids mostly reference auctions that already exist; a few of the 10 "lead" ids ahead
    assert np.mean(auction <= last_auction) > 0.95
    check_person_refs(bids.column("bidder").to_numpy(), last_person, 1, 0.75)


def test_flink_bidder_quirk_adds_first_person_id_twice():
    beam = generate_tables(5000, seed=2)["bid"].column("bidder").to_numpy()
    flink = generate_tables(5000, seed=2, config=NexmarkConfig(flink_bidder_quirk=True))
    assert np.array_equal(flink["bid"].column("bidder").to_numpy(), beam + 1000)


def test_auction_seller_category_and_reserve(tables):
    auctions = tables["auction"]
    e = event_ids(auctions.num_rows, 1, 3)
    check_person_refs(auctions.column("seller").to_numpy(), e // 50, 0, 0.75)
    category = auctions.column("category").to_numpy()
    assert set(np.unique(category)) == {10, 11, 12, 13, 14}
    assert np.all(np.abs(np.bincount(category - 10) / category.size - 0.2) < 0.02)
    initial = auctions.column("initialBid").to_numpy()
    reserve = auctions.column("reserve").to_numpy()
    assert np.all(reserve >= initial + 100)


def test_prices_are_log_uniform(tables):
    for prices in (tables["bid"].column("price").to_numpy(),
                   tables["auction"].column("initialBid").to_numpy()):
        assert prices.min() >= 100 and prices.max() <= 100_000_000
        # price = round(10 ** (6 u) * 100): log10(price / 100) / 6 is uniform on [0, 1)
        u = np.log10(prices / 100) / 6
        deciles = np.histogram(u, bins=10, range=(0, 1))[0] / u.size
        assert np.all(np.abs(deciles - 0.1) < 0.01), deciles


def test_timestamps_advance_at_the_rate(tables):
    for source, offset, proportion in (("person", 0, 1), ("auction", 1, 3), ("bid", 4, 46)):
        table = tables[source]
        e = event_ids(table.num_rows, offset, proportion)
        ts = epoch_ms(table.column("dateTime"))
        # 10,000 events/s: interEventDelayUs = 100, dateTime = base + (e * 100) / 1000
        assert np.array_equal(ts, BASE_TIME_MS + e * 100 // 1000)
        assert np.all(np.diff(ts) >= 0)
    assert epoch_ms(tables["bid"].column("dateTime"))[-1] == BASE_TIME_MS + (N - 1) // 10
    for rate in (3, 7_000, 1_000_000):
        bids = generate_tables(2000, seed=1, rate=rate, base_time_ms=0)["bid"]
        delay_us = 1e6 / rate
        want = [int(i * delay_us) // 1000 for i in event_ids(bids.num_rows, 4, 46).tolist()]
        assert epoch_ms(bids.column("dateTime")).tolist() == want


def test_auction_expiry_horizon(tables):
    auctions = tables["auction"]
    e = event_ids(auctions.num_rows, 1, 3)
    ts = epoch_ms(auctions.column("dateTime"))
    length = epoch_ms(auctions.column("expires")) - ts
    # nextAuctionLengthMs: 1 + nextLong(2 * horizon), horizon to the event 100 * 50 / 3 ahead
    horizon = BASE_TIME_MS + (e + 1666) * 100 // 1000 - ts
    assert np.all((length >= 1) & (length <= 2 * horizon))
    assert abs(np.mean(length / (2 * horizon)) - 0.5) < 0.01


def test_extra_pads_to_the_standard_average_sizes(tables):
    person, auction, bid = tables["person"], tables["auction"], tables["bid"]
    person_size = 8 + sum(lengths(person.column(c)) for c in
                          ("name", "emailAddress", "creditCard", "city", "state"))
    auction_size = 8 + lengths(auction.column("itemName")) + lengths(
        auction.column("description")) + 40
    for size, table, average in ((person_size, person, 200), (auction_size, auction, 500),
                                 (np.full(bid.num_rows, 32), bid, 100)):
        extra = lengths(table.column("extra"))
        desired = average - size
        delta = np.floor(desired * 0.2 + 0.5).astype(int)
        # nextExtra: desired - delta + nextInt(2 * delta) characters
        assert np.all((extra >= desired - delta) & (extra < desired + np.maximum(delta, 1)))
        assert abs(np.mean(size + extra) - (average - 0.5)) < 1.5
    bid_extra = lengths(bid.column("extra"))
    assert np.all(np.abs(np.bincount(bid_extra - 54, minlength=28) / bid.num_rows - 1 / 28)
                  < 0.003)
    chars = set("".join(bid.column("extra").slice(0, 2000).to_pylist()))
    assert chars <= {chr(c) for c in range(ord("H"), ord("z") + 1)}


def test_person_strings(tables):
    person = tables["person"]
    names = {f"{f} {last}" for f in FIRST_NAMES for last in LAST_NAMES}
    assert set(person.column("name").to_pylist()) <= names
    assert set(person.column("city").to_pylist()) == set(US_CITIES)
    assert set(person.column("state").to_pylist()) == set(US_STATES)
    email = re.compile(r"^([a-z]([a-z ]{0,4}[a-z])?)?@([a-z]([a-z ]{0,2}[a-z])?)?\.com$")
    assert all(email.match(s) for s in person.column("emailAddress").to_pylist())
    card = re.compile(r"^\d{4} \d{4} \d{4} \d{4}$")
    assert all(card.match(s) for s in person.column("creditCard").to_pylist())
    assert len(set(person.column("creditCard").to_pylist())) == person.num_rows


def test_auction_strings(tables):
    auction = tables["auction"]
    for column, longest in (("itemName", 19), ("description", 99)):
        values = auction.column(column).to_pylist()
        assert all(len(s) <= longest and s == s.strip() for s in values)
        assert all(set(s) <= set("abcdefghijklmnopqrstuvwxyz ") for s in values)


def test_bid_channels_and_urls(tables):
    bid = tables["bid"]
    channels = bid.column("channel").to_pylist()
    urls = bid.column("url").to_pylist()
    hot = np.isin(channels, HOT_CHANNELS)
    assert abs(hot.mean() - 0.5) < 0.01
    base = r"https://www\.nexmark\.com/[a-z_]{3,4}/[a-z_]{3,4}/[a-z_]{3,4}/item\.htm\?query=1"
    hot_url, url_of = {}, {}
    with_id = 0
    for channel, url in zip(channels, urls, strict=True):
        if channel in HOT_CHANNELS:
            assert re.fullmatch(base, url)
            assert hot_url.setdefault(channel, url) == url  # one fixed URL per hot channel
            continue
        n = int(channel.removeprefix("channel-"))
        assert 0 <= n < 10_000 and channel == f"channel-{n}"
        assert url_of.setdefault(n, url) == url  # the URL cache
        match = re.fullmatch(base + r"(&channel_id=(-?\d+))?", url)
        assert match
        if match.group(2) is not None:
            assert int(match.group(2)) == _java_abs_reverse(n)
            with_id += 1
    assert abs(with_id / (~hot).sum() - 0.9) < 0.03
    assert len(url_of) > 9000
    # Java: Math.abs(Integer.reverse(1)) overflows to Integer.MIN_VALUE
    assert _java_abs_reverse(1) == -2147483648
    assert _java_abs_reverse(0) == 0
    assert _java_abs_reverse(6) == 1610612736


def test_same_events_however_batched():
    one = generate_tables(30_000, seed=11, batch_size=30_000)
    for batch_size in (1000, 7777, 49, 1):
        events = 30_000 if batch_size > 49 else 3000
        got = generate_tables(events, seed=11, batch_size=batch_size)
        for source in SCHEMAS:
            want = one[source].slice(0, got[source].num_rows)
            assert got[source].equals(want), (source, batch_size)
    # any range of events alone: events 12,345 .. 29,999 as a slice of the whole
    tail = generate_tables(30_000 - 12_345, seed=11, start=12_345, batch_size=4096)
    assert tail["bid"].equals(one["bid"].slice(one["bid"].num_rows - tail["bid"].num_rows))
    assert tail["auction"].equals(
        one["auction"].slice(one["auction"].num_rows - tail["auction"].num_rows))


LAYOUT = {"person": (0, 1), "auction": (1, 3), "bid": (4, 46)}


def below(source: str, event_id: int) -> int:
    """How many events of `source` have ids below `event_id`."""
    offset, count = LAYOUT[source]
    return event_id // 50 * count + min(max(event_id % 50 - offset, 0), count)


@pytest.fixture(scope="module")
def whole() -> dict[str, pa.Table]:
    return generate_tables(20_000, seed=4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])
@given(start=st.integers(0, 15_000), events=st.integers(0, 5000),
       batch_size=st.integers(1, 3000))
def test_any_range_any_cut_is_a_slice_of_the_whole(whole, start, events, batch_size):
    got = generate_tables(events, seed=4, start=start, batch_size=batch_size)
    for source, table in whole.items():
        lo, hi = below(source, start), below(source, start + events)
        assert got[source].equals(table.slice(lo, hi - lo)), source


def test_seeds_reproduce_and_differ():
    a = generate_tables(5000, seed=5)
    b = generate_tables(5000, seed=5)
    c = generate_tables(5000, seed=6)
    for source in SCHEMAS:
        assert a[source].equals(b[source])
        assert not a[source].equals(c[source])
        # ids and times do not depend on the seed
        assert a[source].column("dateTime").equals(c[source].column("dateTime"))
    assert np.mean(a["bid"].column("price").to_numpy() == c["bid"].column("price").to_numpy()) \
        < 0.01


def test_ddl_text():
    assert ddl(4000) == NEXMARK_DDL
    assert NEXMARK_DDL.count("CREATE SOURCE") == 3
    assert "CREATE SOURCE bid (\n    auction BIGINT,\n    bidder BIGINT,\n    price BIGINT,\n" \
        "    channel VARCHAR,\n    url VARCHAR,\n    dateTime TIMESTAMP(3),\n" \
        "    extra VARCHAR,\n    WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND\n);" \
        in NEXMARK_DDL
    assert "AS dateTime - INTERVAL '1500' MILLISECOND" in ddl(1500)
    assert "WATERMARK FOR dateTime AS dateTime\n" in ddl(0)
    with pytest.raises(ValueError):
        ddl(-1)


def test_feeds_the_engine(db):
    db.execute(NEXMARK_DDL + """
        CREATE STREAM bids AS SELECT auction, bidder, price, channel, dateTime FROM bid;
        CREATE STREAM people AS SELECT id, name, city FROM person;""")
    bids, people = db.subscribe("bids"), db.subscribe("people")
    want = generate_tables(5000, seed=1)
    for source, batch in generate(5000, seed=1, batch_size=1024):
        db.insert(source, batch)
    for source in SCHEMAS:
        db.end_input(source)
    got = bids.to_arrow()
    assert got.column("price").to_pylist() == want["bid"].column("price").to_pylist()
    assert got.column("channel").to_pylist() == want["bid"].column("channel").to_pylist()
    assert people.to_arrow().column("name").to_pylist() == \
        want["person"].column("name").to_pylist()


@pytest.mark.parametrize("options", [
    {"batch_size": 0}, {"events": -1}, {"rate": 0}, {"start": -5}, {"seed": -1},
    {"start": 10**16, "rate": 1},
    {"config": NexmarkConfig(bid_proportion=0)},
    {"config": NexmarkConfig(avg_bid_byte_size=1 << 20)},
])
def test_invalid_arguments(options):
    kwargs = {"events": 10} | options
    with pytest.raises(ValueError):
        generate(**kwargs)


def test_small_and_custom_configs():
    # tiny average sizes: currentSize exceeds them, so every extra is ""
    tiny = generate_tables(500, seed=1, config=NexmarkConfig(
        avg_person_byte_size=10, avg_auction_byte_size=10, avg_bid_byte_size=10))
    for table in tiny.values():
        assert set(table.column("extra").to_pylist()) == {""}
    # other proportions: 2 people, 1 auction, 7 bids in every 10 events
    odd = generate_tables(1000, seed=1, config=NexmarkConfig(
        person_proportion=2, auction_proportion=1, bid_proportion=7))
    assert [odd[s].num_rows for s in ("person", "auction", "bid")] == [200, 100, 700]
    assert odd["auction"].column("id").to_pylist() == list(range(1000, 1100))
    e = event_ids(700, 3, 7, total=10)
    assert np.array_equal(epoch_ms(odd["bid"].column("dateTime")), BASE_TIME_MS + e // 10)
