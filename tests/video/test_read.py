"""Reading videos: KLV streams, footprints per frame, telemetry CSV, files without metadata."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from olfato.errors import VideoError
from olfato.video.container import probe, read_klv
from olfato.video.pipeline import read_metadata, summarise
from olfato.video.synthetic import T0_US, SyntheticClip, make_clip


def _corner_error_m(clip: SyntheticClip, meta) -> np.ndarray:  # type: ignore[no-untyped-def]
    g = meta.geometry
    e, n = clip.frame.to_local(g.corners_lat, g.corners_lon)
    return np.hypot(e - clip.corners_en[..., 0], n - clip.corners_en[..., 1])


def test_klv_corners_give_every_frame_its_footprint(klv_clip: SyntheticClip) -> None:
    meta = read_metadata(klv_clip.path)
    assert meta.source == "klv"
    assert meta.geometry.n == klv_clip.t_s.size == 60
    assert meta.coverage == 1.0 and meta.footprint_coverage == 1.0
    assert (meta.geometry.source == "klv corners").all()
    # ST 0601 Tags 82-89 are 4-byte: under 1 cm; the rest is the truth's own rounding
    assert _corner_error_m(klv_clip, meta).max() < 0.05
    np.testing.assert_allclose(meta.geometry.time_us - T0_US, klv_clip.t_s * 1e6, atol=1)


def test_camera_model_and_interpolation_without_corners(camera_clip: SyntheticClip) -> None:
    meta = read_metadata(camera_clip.path)
    assert (meta.geometry.source == "camera model").all()
    err = _corner_error_m(camera_clip, meta).max(axis=1)
    # one packet every third frame; the heading wobbles 3 deg: interpolation stays < 0.3 m
    last_packet = (camera_clip.t_s.size - 1) // 3 * 3
    assert err[: last_packet + 1].max() < 0.3
    # after the last packet the values are held, not extrapolated: off by the drone's travel
    held_s = camera_clip.t_s[-1] - camera_clip.t_s[last_packet]
    assert err[last_packet:].max() < 6.0 * held_s * 1.5 + 0.3


def test_bad_checksums_are_counted_and_the_rest_used(clip_dir: Path) -> None:
    clip = make_clip(clip_dir / "bad.ts", duration_s=1.0, bad_checksum_every=4)
    samples, stats = read_klv(clip.path)
    assert clip.klv_packets == 15
    assert stats.bad_checksum == 3 and len(samples) == 12
    meta = read_metadata(clip.path)
    assert meta.footprint_coverage == 1.0  # interpolated over the skipped packets
    assert any("3 bad checksum" in n for n in meta.notes)
    assert _corner_error_m(clip, meta).max() < 0.1


def test_video_without_metadata_has_unknown_footprint(plain_clip: SyntheticClip) -> None:
    info = probe(plain_clip.path)
    assert info.data_streams == 0 and info.format.startswith("mov")
    meta = read_metadata(plain_clip.path, hud=False)
    assert meta.source == "none" and meta.footprint_coverage == 0.0
    assert any("footprint is unknown" in n for n in meta.notes)
    assert summarise(meta)["metadata_coverage"] == 0.0


def _write_csv(path: Path, clip: SyntheticClip, every: int = 2) -> None:
    la, lo = clip.frame.to_wgs84(clip.sensor_en[:, 0], clip.sensor_en[:, 1])
    lines = [
        "UNIXTimeStamp,SensorLatitude,SensorLongitude,SensorTrueAltitude,PlatformHeadingAngle,"
        "PlatformPitchAngle,PlatformRollAngle,SensorRelativeAzimuthAngle,"
        "SensorRelativeElevationAngle,SensorRelativeRollAngle,HorizontalFOV,VerticalFOV,"
        "FrameCenterElevation"
    ]
    for i in sorted({*range(0, clip.t_s.size, every), clip.t_s.size - 1}):
        lines.append(
            f"{T0_US + round(clip.t_s[i] * 1e6)},{la[i]:.8f},{lo[i]:.8f},"
            f"{clip.altitude_m + clip.ground_elev_m},{clip.heading_deg[i]:.4f},0,0,0,-90,0,"
            f"{clip.hfov_deg},{clip.vfov_deg:.6f},{clip.ground_elev_m}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_telemetry_csv_for_a_plain_video(plain_clip: SyntheticClip, tmp_path: Path) -> None:
    csv = tmp_path / "telemetry.csv"
    _write_csv(csv, plain_clip)
    meta = read_metadata(plain_clip.path, telemetry=csv)
    assert meta.source == "telemetry csv"
    assert (meta.geometry.source == "camera model").all()
    assert _corner_error_m(plain_clip, meta).max() < 0.3


def test_telemetry_csv_errors_name_line_and_column(
    plain_clip: SyntheticClip, tmp_path: Path
) -> None:
    csv = tmp_path / "bad.csv"
    _write_csv(csv, plain_clip)
    lines = csv.read_text().splitlines()
    lines[3] = lines[3].replace(",0,0,0,-90,", ",0,zero,0,-90,", 1)
    csv.write_text("\n".join(lines))
    with pytest.raises(VideoError, match=r"line 4, column 'PlatformRollAngle': not a number"):
        read_metadata(plain_clip.path, telemetry=csv)
    csv.write_text("lat,lon\n1,2\n")
    with pytest.raises(VideoError, match="no time column"):
        read_metadata(plain_clip.path, telemetry=csv)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"this is not a video at all\n" * 50, "not a video FFmpeg can read"),
    ],
)
def test_unreadable_files_are_clear_errors(tmp_path: Path, content: bytes, message: str) -> None:
    p = tmp_path / "x.ts"
    p.write_bytes(content)
    with pytest.raises(VideoError, match=message):
        read_metadata(p)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match="no such file"):
        read_metadata(tmp_path / "nope.ts")


def test_truncated_transport_stream_reads_what_is_there(
    klv_clip: SyntheticClip, tmp_path: Path
) -> None:
    data = klv_clip.path.read_bytes()
    cut = tmp_path / "cut.ts"
    cut.write_bytes(data[: len(data) // 2 + 77])  # mid-packet
    meta = read_metadata(cut)
    assert 10 < meta.geometry.n < 60
    assert meta.footprint_coverage > 0.9


def test_corrupt_bytes_in_the_middle(klv_clip: SyntheticClip, tmp_path: Path) -> None:
    data = bytearray(klv_clip.path.read_bytes())
    rng = np.random.default_rng(0)
    mid = len(data) // 2
    data[mid : mid + 5000] = rng.integers(0, 256, 5000, dtype=np.uint8).tobytes()
    bad = tmp_path / "corrupt.ts"
    bad.write_bytes(bytes(data))
    meta = read_metadata(bad)
    assert meta.geometry.n > 30
    assert meta.klv_stats.packets > 30


def test_a_file_with_only_a_data_stream_is_refused(tmp_path: Path) -> None:
    import av

    from olfato.video.klv import encode_packet

    p = tmp_path / "klv_only.ts"
    with av.open(str(p), "w", format="mpegts") as out:
        ds = out.add_data_stream(codec_name="klv")
        pk = av.Packet(encode_packet({"sensor_lat": 1.0}, T0_US))
        pk.stream = ds
        pk.pts = pk.dts = 0
        out.mux(pk)
    with pytest.raises(VideoError, match="no video stream"):
        read_metadata(p)


def _synchronous_ts(path: Path, frames: int = 20) -> None:
    """H.264 + ST 1402 synchronous KLV (metadata access units, stream type 0x15), muxed
    with stanag4609's transport muxer: one ST 0601 packet per frame, same PTS."""
    from fractions import Fraction

    import av
    from stanag4609.transport.metadata import synchronous_klv_stream
    from stanag4609.transport.mpegts import ProgramClockReference
    from stanag4609.transport.mux import TransportMuxer, encode_pes_packet
    from stanag4609.transport.psi import ElementaryStreamInfo

    from olfato.video.klv import encode_packet

    klv_stream = synchronous_klv_stream(
        0x101, metadata_input_leak_rate=2500, metadata_buffer_size=1024
    )
    mux = TransportMuxer(
        transport_stream_id=1, program_number=1, program_map_pid=0x1000, pcr_pid=0x100,
        streams=[ElementaryStreamInfo(0x1B, 0x100, ()), klv_stream],
    )  # fmt: skip
    cc = av.CodecContext.create("libx264", "w")
    cc.width, cc.height, cc.pix_fmt = 160, 120, "yuv420p"
    cc.time_base, cc.framerate = Fraction(1, 10), 10
    cc.options = {"preset": "ultrafast", "bframes": "0"}
    out = bytearray()
    rng = np.random.default_rng(0)

    def emit(packets: list) -> None:  # type: ignore[type-arg]
        for p in packets:
            k = int(p.pts)
            pts = 126_000 + k * 9000  # 90 kHz
            out.extend(b"".join(mux.program_tables()))
            out.extend(mux.mux_pcr(ProgramClockReference(pts - 9000, 0)))
            out.extend(
                b"".join(mux.mux_pes(0x100, encode_pes_packet(bytes(p), stream_id=0xE0, pts=pts)))
            )
            klv = encode_packet(
                {"sensor_lat": 4.6 + k * 1e-5, "sensor_lon": -74.1}, T0_US + k * 100_000
            )
            out.extend(b"".join(mux.mux_sync_klv(0x101, klv, pts=pts)))

    for i in range(frames):
        f = av.VideoFrame.from_ndarray(
            rng.integers(0, 255, (120, 160, 3), dtype=np.uint8), format="rgb24"
        )
        f.pts = i
        emit(list(cc.encode(f)))
    emit(list(cc.encode(None)))
    path.write_bytes(bytes(out))


def test_synchronous_klv_stream(tmp_path: Path) -> None:
    p = tmp_path / "sync.ts"
    _synchronous_ts(p)
    samples, stats = read_klv(p)
    assert len(samples) == 20 and stats.skipped == 0
    np.testing.assert_allclose([s.pts_s for s in samples], np.arange(20) * 0.1, atol=1e-6)
    meta = read_metadata(p, hud=False)
    assert meta.source == "klv" and meta.coverage == 1.0
    np.testing.assert_allclose(meta.geometry.sensor_lat, 4.6 + np.arange(20) * 1e-5, atol=1e-7)
    assert meta.footprint_coverage == 0.0  # position only: no corners, no camera angles
    assert any("footprint is unknown" in n for n in meta.notes)
