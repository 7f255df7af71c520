"""MISB ST 0601 (UAS Datalink Local Set) KLV packets: find, verify, decode, encode.

A STANAG 4609 file carries the platform's telemetry as KLV packets keyed by the ST 0601
Universal Key ``06 0E 2B 34 02 0B 01 01 0E 01 03 01 01 00 00 00``, each ending with a
16-bit running-sum checksum (MISB ST 0601.19, sec. 6.3 and Tag 1). The byte work is done by
:mod:`stanag4609` (maintained, pure Python); this module turns its packets into plain
:class:`KlvSample` records with the fields the footprint and geolocation need, and counts
what it had to skip: a packet with a bad checksum or without the Precision Time Stamp
(Tag 2) is never used.

Field values are in the units ST 0601 defines: angles in degrees, heights in metres above
the WGS84 ellipsoid or MSL as the tag says, time in microseconds since 1970 (MISP time).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

#: the ST 0601 Universal Key (MISB ST 0601, sec. 6.2)
ST0601_KEY = bytes.fromhex("060E2B34020B01010E01030101000000")

#: KlvSample attribute -> ST 0601 tag (the "Full" corner and attitude tags preferred,
#: the short ones read when only they are present, MISB ST 0601 Tags 26-33, 82-91)
TAGS: dict[str, int] = {
    "platform_heading_deg": 5,
    "platform_pitch_deg": 90,
    "platform_roll_deg": 91,
    "sensor_lat": 13,
    "sensor_lon": 14,
    "sensor_alt_m": 15,
    "hfov_deg": 16,
    "vfov_deg": 17,
    "sensor_rel_az_deg": 18,
    "sensor_rel_el_deg": 19,
    "sensor_rel_roll_deg": 20,
    "slant_range_m": 21,
    "frame_center_lat": 23,
    "frame_center_lon": 24,
    "frame_center_elev_m": 25,
    "corner1_lat": 82,
    "corner1_lon": 83,
    "corner2_lat": 84,
    "corner2_lon": 85,
    "corner3_lat": 86,
    "corner3_lon": 87,
    "corner4_lat": 88,
    "corner4_lon": 89,
}
#: short (2-byte) pitch and roll, read when the Full ones (90, 91) are absent
_SHORT_ATTITUDE = {"platform_pitch_deg": 6, "platform_roll_deg": 7}
#: offset corners (Tags 26-33): degrees from the frame centre, an older way to send corners
_OFFSET_CORNERS = {
    "corner1_lat": 26,
    "corner1_lon": 27,
    "corner2_lat": 28,
    "corner2_lon": 29,
    "corner3_lat": 30,
    "corner3_lon": 31,
    "corner4_lat": 32,
    "corner4_lon": 33,
}


@dataclass(frozen=True)
class KlvSample:
    """One ST 0601 packet's geometry. NaN where the packet did not carry the field.

    Corners are numbered as in ST 0601: 1 upper-left, 2 upper-right, 3 lower-right,
    4 lower-left of the image.
    """

    time_us: int  #: Precision Time Stamp [microseconds since 1970-01-01 UTC]
    platform_heading_deg: float = math.nan
    platform_pitch_deg: float = math.nan
    platform_roll_deg: float = math.nan
    sensor_lat: float = math.nan
    sensor_lon: float = math.nan
    sensor_alt_m: float = math.nan  #: sensor true altitude [m MSL]
    hfov_deg: float = math.nan
    vfov_deg: float = math.nan
    sensor_rel_az_deg: float = math.nan
    sensor_rel_el_deg: float = math.nan
    sensor_rel_roll_deg: float = math.nan
    slant_range_m: float = math.nan
    frame_center_lat: float = math.nan
    frame_center_lon: float = math.nan
    frame_center_elev_m: float = math.nan
    corner1_lat: float = math.nan
    corner1_lon: float = math.nan
    corner2_lat: float = math.nan
    corner2_lon: float = math.nan
    corner3_lat: float = math.nan
    corner3_lon: float = math.nan
    corner4_lat: float = math.nan
    corner4_lon: float = math.nan
    pts_s: float = math.nan  #: presentation time of the packet in its stream [s], if any
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def has_corners(self) -> bool:
        return all(
            math.isfinite(getattr(self, f"corner{k}_{c}"))
            for k in range(1, 5)
            for c in ("lat", "lon")
        )

    @property
    def has_camera(self) -> bool:
        """Enough to compute the footprint with the camera model (no corners needed)."""
        need = (
            "sensor_lat sensor_lon sensor_alt_m hfov_deg vfov_deg platform_heading_deg "
            "sensor_rel_el_deg"
        ).split()
        return all(math.isfinite(getattr(self, n)) for n in need)


#: the float fields of a KlvSample, in order
NUMERIC_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(KlvSample) if f.name not in ("time_us", "extra", "pts_s")
)


@dataclass
class KlvStats:
    """What reading KLV found: packets used, and packets skipped and why."""

    packets: int = 0
    bad_checksum: int = 0
    undecodable: int = 0
    no_timestamp: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return self.bad_checksum + self.undecodable + self.no_timestamp

    def skip(self, kind: str, reason: str) -> None:
        """Count a skipped packet.

        Parameters
        ----------
        kind : {"bad_checksum", "undecodable", "no_timestamp"}
            Why.
        reason : str
            The parser's message (the first 20 are kept).
        """
        setattr(self, kind, getattr(self, kind) + 1)
        if len(self.reasons) < 20:
            self.reasons.append(reason)


def _number(value: Any) -> float:
    """A decoded ST 0601 value as a float; special values ("out of range") -> NaN."""
    if isinstance(value, bool):
        return math.nan
    if isinstance(value, int | float):
        return float(value)
    return math.nan


def sample_from_fields(values: Mapping[int, Any], *, pts_s: float = math.nan) -> KlvSample:
    """A :class:`KlvSample` from decoded ST 0601 values by tag.

    Parameters
    ----------
    values : mapping
        ``{tag: decoded value}`` (Tag 2, the time, a datetime or microseconds).
    pts_s : float
        The packet's time in its stream [s].

    Returns
    -------
    KlvSample

    Raises
    ------
    ValueError
        No Tag 2.
    """
    stamp = values.get(2)
    if stamp is None:
        raise ValueError("ST 0601 packet without Precision Time Stamp (tag 2)")
    if hasattr(stamp, "timestamp"):
        time_us = round(stamp.timestamp() * 1e6)
    else:
        time_us = int(stamp)
    kw: dict[str, float] = {}
    for name, tag in TAGS.items():
        kw[name] = _number(values.get(tag))
    for name, tag in _SHORT_ATTITUDE.items():
        if not math.isfinite(kw[name]):
            kw[name] = _number(values.get(tag))
    if not all(math.isfinite(kw[n]) for n in _OFFSET_CORNERS):
        lat0, lon0 = kw["frame_center_lat"], kw["frame_center_lon"]
        for name, tag in _OFFSET_CORNERS.items():
            off = _number(values.get(tag))
            kw[name] = off + (lat0 if name.endswith("lat") else lon0)
    return KlvSample(time_us, pts_s=pts_s, **kw)  # type: ignore[arg-type]


def decode_packet(packet: Any, *, pts_s: float = math.nan) -> KlvSample:
    """Decode one ST 0601 packet, checksum verified.

    Parameters
    ----------
    packet : bytes or stanag4609.KLVPacket
        One whole packet.
    pts_s : float
        Its time in its stream [s].

    Returns
    -------
    KlvSample

    Raises
    ------
    stanag4609.errors.ChecksumError
        The packet's checksum (Tag 1) does not match its bytes.
    stanag4609.errors.DecodeError
        The packet is malformed or lacks Tag 2 (time) or Tag 65 (version).
    """
    from stanag4609.st0601 import FieldDecodingMode, decode_uas_local_set

    uas = decode_uas_local_set(packet, field_decoding=FieldDecodingMode.PRESERVE)
    values = {f.definition.tag: f.value for f in uas.fields}
    return sample_from_fields(values, pts_s=pts_s)


#: an ST 0601 packet is at most a few kilobytes; a longer declared length is corruption
_MAX_PACKET = 1 << 16


class KlvReader:
    """Feed the bytes of a KLV data stream in any pieces; collect verified samples.

    Packets split across PES packets are joined; bytes before a key (a synchronous
    stream's metadata access-unit header, ISO/IEC 13818-1 sec. 2.12.4, or garbage) are
    skipped, so the same reader takes synchronous and asynchronous streams.
    """

    def __init__(self) -> None:
        from stanag4609.klv.stream import KLVStreamParser

        self._parser = KLVStreamParser(
            key_prefix=ST0601_KEY, recover=True, max_value_length=_MAX_PACKET
        )
        self.samples: list[KlvSample] = []
        self.stats = KlvStats()

    def feed(self, data: bytes, *, pts_s: float = math.nan) -> None:
        """Parse ``data`` (bytes of the stream) and keep the packets that verify.

        Parameters
        ----------
        data : bytes
            The next bytes of the stream (a PES payload).
        pts_s : float
            Their time [s], given to the packets completed by them.
        """
        from stanag4609.errors import Stanag4609Error as KLVError

        try:
            packets = self._parser.feed(data)
        except KLVError as exc:  # a corrupt length: start again at the next key
            self.stats.skip("undecodable", f"unreadable KLV bytes: {exc}")
            self._reset()
            return
        for packet in packets:
            self._decode(packet, pts_s)
        if self._parser.buffered_bytes > _MAX_PACKET:  # a length that never completes
            self.stats.skip("undecodable", "KLV packet longer than any ST 0601 packet")
            self._reset()

    def _reset(self) -> None:
        from stanag4609.klv.stream import KLVStreamParser

        self._parser = KLVStreamParser(
            key_prefix=ST0601_KEY, recover=True, max_value_length=_MAX_PACKET
        )

    def _decode(self, packet: Any, pts_s: float) -> None:
        from stanag4609.errors import ChecksumError
        from stanag4609.errors import Stanag4609Error as KLVError

        try:
            sample = decode_packet(packet, pts_s=pts_s)
        except ChecksumError as exc:
            self.stats.skip("bad_checksum", str(exc))
            return
        except (KLVError, ValueError, TypeError, OverflowError) as exc:
            kind = "no_timestamp" if "tag 2" in str(exc).lower() else "undecodable"
            self.stats.skip(kind, str(exc))
            return
        self.stats.packets += 1
        self.samples.append(sample)

    def finish(self) -> None:
        """Flush the parser at the end of the stream (a truncated last packet is counted)."""
        from stanag4609.errors import Stanag4609Error as KLVError

        try:
            rest = self._parser.finish()
        except KLVError as exc:
            self.stats.skip("undecodable", f"truncated last packet: {exc}")
            return
        for packet in rest:
            self._decode(packet, math.nan)


def encode_packet(values: Mapping[str, float], time_us: int, *, version: int = 19) -> bytes:
    """One ST 0601 packet (with its checksum) from KlvSample-named ``values``.

    Parameters
    ----------
    values : mapping
        ``{KlvSample field name: value}``; NaN values are left out.
    time_us : int
        Precision Time Stamp [microseconds since 1970-01-01 UTC].
    version : int
        UAS Datalink LS version number (Tag 65).

    Returns
    -------
    bytes
        The packet, as :func:`stanag4609.st0601.encode_uas_local_set` writes it.

    Raises
    ------
    ValueError
        An unknown field name, or a value ST 0601 cannot carry.
    """
    from stanag4609.st0601 import encode_uas_local_set

    tagged: dict[int, Any] = {2: int(time_us), 65: int(version)}
    for name, value in values.items():
        if name not in TAGS:
            raise ValueError(f"unknown ST 0601 field name {name!r}")
        if value is None or not math.isfinite(float(value)):
            continue
        v = float(value)
        if name in ("platform_heading_deg", "sensor_rel_az_deg", "sensor_rel_roll_deg"):
            v %= 360.0
        tagged[TAGS[name]] = v
    return bytes(encode_uas_local_set(tagged))


def samples_from_packets(packets: Iterable[bytes]) -> tuple[list[KlvSample], KlvStats]:
    """Decode a sequence of whole packets (e.g. from a file of concatenated KLV).

    Parameters
    ----------
    packets : iterable of bytes
        The packets.

    Returns
    -------
    samples : list of KlvSample
    stats : KlvStats
    """
    reader = KlvReader()
    for p in packets:
        reader.feed(p)
    reader.finish()
    return reader.samples, reader.stats
