"""Open a video file (MPEG-TS / STANAG 4609, MP4, ...) with PyAV: its streams, frames and KLV.

Every failure a user's file can cause becomes a :class:`~olfato.errors.VideoError` naming
the file; a stream that breaks off part-way (a truncated or corrupt file) ends the frames
there and is reported in :attr:`FrameReader.problems`, not raised, so that what could be
read is still used.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from olfato.errors import VideoError
from olfato.video.klv import KlvReader, KlvSample, KlvStats


@dataclass(frozen=True)
class StreamInfo:
    """What a file holds, from its headers (no decoding)."""

    path: str
    format: str
    duration_s: float
    width: int
    height: int
    fps: float
    frames_estimate: int
    codec: str
    data_streams: int
    klv_streams: int


def _open(path: str | Path) -> Any:
    import av

    p = Path(path)
    if not p.exists():
        raise VideoError("no such file", path=str(p))
    if p.is_dir():
        raise VideoError("is a folder, not a video file", path=str(p))
    if p.stat().st_size == 0:
        raise VideoError("the file is empty", path=str(p))
    try:
        return av.open(str(p), metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        raise VideoError(
            f"not a video FFmpeg can read ({exc.strerror or exc})",
            path=str(p),
            hint="Expected MPEG-TS (STANAG 4609), MP4 or another FFmpeg container.",
        ) from None


def _is_klv(stream: Any) -> bool:
    name = (getattr(stream.codec_context, "name", None) if stream.codec_context else None) or ""
    codec_tag = str(getattr(stream, "codec_tag", "") or "")
    return stream.type == "data" and ("klv" in name.lower() or "KLVA" in codec_tag or not name)


def probe(path: str | Path) -> StreamInfo:
    """Read a file's headers: size, rate, duration and data streams.

    Parameters
    ----------
    path : path
        The video file.

    Returns
    -------
    StreamInfo

    Raises
    ------
    VideoError
        The file is missing, empty, not a container FFmpeg reads, or has no video stream.
    """
    with _open(path) as c:
        if not c.streams.video:
            raise VideoError("has no video stream", path=str(path))
        vs = c.streams.video[0]
        fps = float(vs.average_rate or vs.guessed_rate or 0) or math.nan
        duration = math.nan
        if vs.duration is not None and vs.time_base is not None:
            duration = float(vs.duration * vs.time_base)
        elif c.duration is not None:
            duration = c.duration / 1e6
        frames = (
            int(vs.frames)
            if vs.frames
            else (round(duration * fps) if math.isfinite(duration * fps) else 0)
        )
        data = list(c.streams.data)
        return StreamInfo(
            path=str(path),
            format=c.format.name,
            duration_s=duration,
            width=int(vs.codec_context.width),
            height=int(vs.codec_context.height),
            fps=fps,
            frames_estimate=frames,
            codec=vs.codec_context.name,
            data_streams=len(data),
            klv_streams=sum(_is_klv(s) for s in data),
        )


def read_klv(path: str | Path) -> tuple[list[KlvSample], KlvStats]:
    """The ST 0601 samples of every KLV data stream, checksums verified, in time order.

    Parameters
    ----------
    path : path
        The video file.

    Returns
    -------
    samples : list of KlvSample
    stats : KlvStats
        Packets used and skipped (bad checksum, no time, undecodable).

    Only the data streams are demuxed (no video decoding), so this is fast. Packet times
    (``pts_s``) are in seconds from the start of the video stream, like frame times.
    """
    import av

    reader = KlvReader()
    with _open(path) as c:
        streams = [s for s in c.streams.data if _is_klv(s)]
        if not streams:
            return [], reader.stats
        t0 = _video_start(c)
        try:
            for pkt in c.demux(*streams):
                if pkt.size == 0:
                    continue
                pts = math.nan
                if pkt.pts is not None and pkt.time_base is not None:
                    pts = float(pkt.pts * pkt.time_base) - t0
                reader.feed(bytes(pkt), pts_s=pts)
        except av.error.FFmpegError as exc:
            reader.stats.skip("undecodable", f"demuxing stopped: {exc.strerror or exc}")
        reader.finish()
    samples = sorted(reader.samples, key=lambda s: s.time_us)
    return samples, reader.stats


def frame_times(path: str | Path) -> NDArray[np.float64]:
    """Every frame's time from the start of the video [s], from the packets (no decoding).

    Parameters
    ----------
    path : path
        The video file.

    Returns
    -------
    ndarray
        Sorted presentation times [s]; a truncated file gives those before the break.

    Raises
    ------
    VideoError
        The file cannot be opened or has no video stream.
    """
    import av

    with _open(path) as c:
        if not c.streams.video:
            raise VideoError("has no video stream", path=str(path))
        vs = c.streams.video[0]
        t0 = _video_start(c)
        pts: list[float] = []
        try:
            for pkt in c.demux(vs):
                if pkt.pts is not None and pkt.size:
                    pts.append(float(pkt.pts * pkt.time_base) - t0)
        except av.error.FFmpegError:
            pass  # a truncated file: the frames before the break
    return np.sort(np.array(pts, dtype=float))


def _video_start(c: Any) -> float:
    if not c.streams.video:
        return 0.0
    vs = c.streams.video[0]
    if vs.start_time is not None and vs.time_base is not None:
        return float(vs.start_time * vs.time_base)
    return 0.0


@dataclass
class Frame:
    """One decoded frame: its index, time from the video's start [s] and pixels."""

    index: int
    t_s: float
    image: NDArray[np.uint8]  #: grey (H, W) or BGR (H, W, 3)


_LUMA_FORMATS = {
    "yuv420p",
    "yuvj420p",
    "yuv422p",
    "yuvj422p",
    "yuv444p",
    "yuvj444p",
    "nv12",
    "gray",
}


def _pixels(frame: Any, fmt: str) -> NDArray[np.uint8]:
    """The frame as grey or BGR pixels; grey is the luma plane itself when the frame has
    one (no colour conversion: 3-4x faster than asking FFmpeg to convert)."""
    if fmt == "gray" and frame.format.name in _LUMA_FORMATS:
        plane = frame.planes[0]
        buf = np.frombuffer(plane, np.uint8)
        img = buf.reshape(-1, plane.line_size)[: frame.height, : frame.width]
        return np.ascontiguousarray(img)
    out: NDArray[np.uint8] = frame.to_ndarray(format=fmt)
    return out


@dataclass
class FrameReader:
    """Iterate over the decoded frames of a file; problems are collected, not raised.

    Parameters
    ----------
    path : path
        The video file.
    color : bool
        BGR frames (for OCR or a detector) instead of grey.
    threads : int
        FFmpeg decoding threads (1: one core, as the benchmark measures).
    """

    path: str | Path
    color: bool = False
    threads: int = 1
    problems: list[str] = field(default_factory=list)
    frames_read: int = 0

    def __iter__(self) -> Iterator[Frame]:
        import av

        with _open(self.path) as c:
            if not c.streams.video:
                raise VideoError("has no video stream", path=str(self.path))
            vs = c.streams.video[0]
            vs.thread_type = "SLICE" if self.threads <= 1 else "AUTO"
            vs.codec_context.thread_count = max(1, self.threads)
            t0 = _video_start(c)
            fps = float(vs.average_rate or vs.guessed_rate or 30)
            fmt = "bgr24" if self.color else "gray"
            index = 0
            try:
                for frame in c.decode(vs):
                    if frame.pts is not None and frame.time_base is not None:
                        t = float(frame.pts * frame.time_base) - t0
                    else:
                        t = index / fps
                    yield Frame(index, t, _pixels(frame, fmt))
                    index += 1
                    self.frames_read = index
            except av.error.FFmpegError as exc:
                self.problems.append(
                    f"{self.path}: decoding stopped after frame {index} "
                    f"({exc.strerror or exc}); the file is truncated or corrupt"
                )
            if index == 0:
                raise VideoError(
                    "no frame could be decoded (corrupt or truncated video)", path=str(self.path)
                )
