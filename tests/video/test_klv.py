"""ST 0601 packets: encoding, checksum verification, skipped packets counted."""

from __future__ import annotations

import math

import pytest
from stanag4609.klv.checksum import running_sum_16

from olfato.video.klv import ST0601_KEY, KlvReader, encode_packet, samples_from_packets

T = 1_795_982_400_000_000


def test_round_trip_keeps_positions_to_a_centimetre() -> None:
    data = encode_packet(
        {"sensor_lat": 4.6012345, "sensor_lon": -74.1098765, "sensor_alt_m": 170.0,
         "platform_heading_deg": 359.5, "corner1_lat": 4.6, "corner1_lon": -74.1},
        T,
    )  # fmt: skip
    (s,), stats = samples_from_packets([data])
    assert stats.packets == 1 and stats.skipped == 0
    assert s.time_us == T
    # ST 0601 Tag 13 is 4 bytes over +-90 deg: 4.2e-8 deg = 5 mm
    assert s.sensor_lat == pytest.approx(4.6012345, abs=1e-7)
    assert s.sensor_lon == pytest.approx(-74.1098765, abs=1e-7)
    assert s.sensor_alt_m == pytest.approx(170.0, abs=0.5)  # 2 bytes over 19,900 m
    assert s.platform_heading_deg == pytest.approx(359.5, abs=0.01)
    assert math.isnan(s.hfov_deg)  # not sent


def test_bad_checksum_is_counted_and_skipped() -> None:
    good = encode_packet({"sensor_lat": 1.0, "sensor_lon": 2.0}, T)
    bad = good[:-1] + bytes([(good[-1] + 1) % 256])
    samples, stats = samples_from_packets([good, bad, good])
    assert len(samples) == 2
    assert stats.bad_checksum == 1 and stats.packets == 2
    assert "checksum" in stats.reasons[0]


def _raw_packet(items: list[tuple[int, bytes]]) -> bytes:
    """A hand-made ST 0601 packet (short BER lengths) with a correct checksum."""
    body = b"".join(bytes([tag, len(v)]) + v for tag, v in items) + b"\x01\x02"
    pkt = ST0601_KEY + bytes([len(body) + 2]) + body
    return pkt + running_sum_16(pkt).to_bytes(2, "big")


def test_packet_without_timestamp_is_skipped_as_such() -> None:
    pkt = _raw_packet([(65, b"\x13"), (13, (100).to_bytes(4, "big"))])
    samples, stats = samples_from_packets([pkt])
    assert samples == [] and stats.no_timestamp == 1


def test_synchronous_header_and_garbage_between_packets_are_skipped() -> None:
    a = encode_packet({"sensor_lat": 1.0}, T)
    b = encode_packet({"sensor_lat": 2.0}, T + 40_000)
    reader = KlvReader()
    # a metadata access-unit cell header (5 bytes) before each packet, and a packet split
    # across two PES payloads
    reader.feed(b"\x00\x01\x80\x00\x40" + a + b"\x00\x02\x80\x00\x40" + b[:20])
    reader.feed(b[20:])
    reader.finish()
    assert [s.sensor_lat for s in reader.samples] == pytest.approx([1.0, 2.0], abs=1e-6)
    assert reader.stats.skipped == 0


def test_truncated_last_packet_is_counted() -> None:
    a = encode_packet({"sensor_lat": 1.0}, T)
    reader = KlvReader()
    reader.feed(a + a[:30])
    reader.finish()
    assert len(reader.samples) == 1
    assert reader.stats.undecodable == 1


def test_encode_rejects_unknown_field_names() -> None:
    with pytest.raises(ValueError, match="unknown ST 0601 field"):
        encode_packet({"sensor_latitude": 1.0}, T)
