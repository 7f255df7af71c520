"""Adding a full-motion video to a case: analyse it, record a ``video`` run and its observations.

Two steps, like surveys:

1. :func:`analyse_video_file` reads the video, its metadata and footprints, tracks what
   moves and puts the tracks on the ground (:func:`olfato.video.analyse_video`); it
   touches no database and returns plain data.
2. :func:`record_video` records, in one transaction, the video (once per file, by
   SHA-256; the file stays where it is), a new ``video`` run on ``video:<id>`` with its
   parameters and warnings, and its observations: one ``footprint`` per second of
   video, one ``track`` per ground track, and one ``activity`` per candidate source
   of the case that a track came near (tracks within the radius, by hour).

:func:`add_video` is the two together, as ``olfato case add-video`` runs them;
:func:`case_sites` gives a case's candidate sources as sites to watch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from olfato.errors import OlfatoError
from olfato.store import models as m
from olfato.store import records
from olfato.store.audit import record
from olfato.store.cases import get_case, load_case
from olfato.store.db import Store, lock_case
from olfato.store.workspace import actor, sha256_file
from olfato.video.activity import Site, SiteActivity, activity_near
from olfato.video.export import footprints_geojson, tracks_geojson
from olfato.video.geolocate import GroundTrack


@dataclass
class VideoRun:
    """What :func:`analyse_video_file` found, as plain data (no database)."""

    path: Path
    sha256: str
    format: str
    n_frames: int
    start_time: float | None  #: UTC [s since 1970] when the metadata says
    end_time: float | None
    parameters: dict[str, Any]
    summary: dict[str, Any]
    warnings: list[str]
    footprints: list[dict[str, Any]]  #: GeoJSON Features
    tracks: list[dict[str, Any]]  #: GeoJSON Features
    ground_tracks: list[GroundTrack] = field(repr=False, default_factory=list)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: the stage's full result (image tracks, frame geometry), for key frames; it stays in
    #: the process that analysed the video
    analysis: Any = field(repr=False, default=None)


def analyse_video_file(
    path: str | Path,
    *,
    telemetry: str | Path | None = None,
    detector_model: str | Path | None = None,
    labels: list[str] | None = None,
    ground_elev_m: float | None = None,
    quiet: bool = True,
) -> VideoRun:
    """Run the video stage on a file (see the module docstring); no database.

    Parameters
    ----------
    path : path
        The video.
    telemetry : path, optional
        A telemetry CSV for a video without KLV (ArcGIS FMV Multiplexer layout).
    detector_model : path, optional
        A user-supplied ONNX detector (gives tracks a class).
    labels : list of str, optional
        The detector's class names.
    ground_elev_m : float, optional
        Ground elevation [m] for the camera model when the KLV lacks the frame centre's.
    quiet : bool
        No progress bar.

    Returns
    -------
    VideoRun
    """
    from olfato.video.pipeline import analyse_video, summarise

    started = datetime.now(UTC)
    p = Path(path)
    result = analyse_video(
        p,
        telemetry=telemetry,
        detector_model=detector_model,
        labels=labels,
        ground_elev_m=ground_elev_m,
        quiet=quiet,
    )
    meta = result.metadata
    g = meta.geometry
    known = [t for t in g.time_us if math.isfinite(t)]
    summary = summarise(meta)
    summary.update(
        {
            "tracks": len(result.tracks),
            "tracks_on_ground": sum(t.t_s.size >= 2 for t in result.tracks),
            "frames_per_second_processed": round(result.frames_per_second, 1),
            "unregistered_frames": result.unregistered_frames,
        }
    )
    return VideoRun(
        path=p,
        sha256=sha256_file(p),
        format=meta.info.format,
        n_frames=g.n,
        start_time=known[0] / 1e6 if known else None,
        end_time=known[-1] / 1e6 if known else None,
        parameters={
            "telemetry": str(telemetry) if telemetry else None,
            "detector_model": str(detector_model) if detector_model else None,
            "labels": labels,
            "ground_elev_m": ground_elev_m,
            "method": "compensated",
        },
        summary=summary,
        warnings=list(meta.notes) + list(result.problems),
        footprints=[
            f
            for f in footprints_geojson(g, every_s=1.0)["features"]
            if f["properties"]["role"] == "footprint"
        ],
        tracks=tracks_geojson(result.tracks)["features"],
        ground_tracks=result.tracks,
        started_at=started,
        analysis=result,
    )


def case_sites(store: Store, case_name: str) -> list[Site]:
    """The case's located candidate sources (newest locate run of each survey) as sites.

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.

    Returns
    -------
    list of Site
        Labelled ``<survey file>:<source label>``.
    """
    view = load_case(store, case_name)
    return [Site(f"{sv.survey.name}:{src.label}", src.lat, src.lon) for sv, src in view.sources]


def key_frames(run: VideoRun, activity: Sequence[SiteActivity]) -> dict[str, tuple[bytes, Any]]:
    """One key frame per site with activity, as PNG bytes with overlays.

    The frame where a visiting track came closest to the site
    (:func:`olfato.video.keyframe.choose_key_frames`), drawn with the tracks, the frame's
    UTC time and a footprint inset (:func:`olfato.video.keyframe.render_key_frame`).

    Parameters
    ----------
    run : VideoRun
        From :func:`analyse_video_file` in this process (it holds the full analysis).
    activity : sequence of SiteActivity
        The visits to each site.

    Returns
    -------
    dict
        Site label -> (PNG bytes, :class:`olfato.video.keyframe.KeyFrame`); empty when the
        analysis is not at hand or no site had a visit.
    """
    if run.analysis is None:
        return {}
    import cv2

    from olfato.video.keyframe import choose_key_frames, render_key_frame

    sites = {a.site.label: a for a in activity}
    out: dict[str, tuple[bytes, Any]] = {}
    for kf in choose_key_frames(run.analysis, list(activity)):
        act = sites[kf.site]
        img = render_key_frame(
            str(run.path),
            run.analysis,
            kf.frame,
            site=(act.site.lat, act.site.lon, act.radius_m),
        )
        ok, png = cv2.imencode(".png", img)
        if ok:
            out[kf.site] = (png.tobytes(), kf)
    return out


def _save_key_frame(store: Store, png: bytes) -> tuple[str, str]:
    """Write a key frame into the workspace, named by its SHA-256; (relative path, sha)."""
    import hashlib

    digest = hashlib.sha256(png).hexdigest()
    folder = store.workspace.root / "keyframes"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{digest}.png"
    if not path.exists():
        tmp = folder / f".{digest}.png.tmp"
        tmp.write_bytes(png)
        tmp.chmod(0o600)
        tmp.replace(path)
    return store.workspace.relative(path), digest


def _observations(
    run: VideoRun,
    activity: Sequence[SiteActivity],
    frames: Mapping[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    obs: list[dict[str, Any]] = []
    for f in run.footprints:
        ring = f["geometry"]["coordinates"][0][:4]
        t = f["properties"].get("time")
        ts = datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp() if t else None
        obs.append(
            {
                "kind": "footprint",
                "start_time": ts,
                "end_time": ts,
                "lon": sum(c[0] for c in ring) / 4,
                "lat": sum(c[1] for c in ring) / 4,
                "geometry": f["geometry"],
                "properties": f["properties"],
            }
        )
    by_id = {t.id: t for t in run.ground_tracks}
    for f in run.tracks:
        tr = by_id[f["properties"]["id"]]
        known = [t for t in tr.time_us if math.isfinite(t)]
        mid = tr.lat.size // 2
        obs.append(
            {
                "kind": "track",
                "start_time": known[0] / 1e6 if known else None,
                "end_time": known[-1] / 1e6 if known else None,
                "lat": float(tr.lat[mid]),
                "lon": float(tr.lon[mid]),
                "geometry": f["geometry"],
                "properties": {k: v for k, v in f["properties"].items() if k != "times_s"},
            }
        )
    for act in activity:
        if not act.visits:
            continue
        times = [v.first_time_us / 1e6 for v in act.visits if math.isfinite(v.first_time_us)]
        obs.append(
            {
                "kind": "activity",
                "start_time": min(times) if times else None,
                "end_time": max(times) if times else None,
                "lat": act.site.lat,
                "lon": act.site.lon,
                "geometry": {"type": "Point", "coordinates": [act.site.lon, act.site.lat]},
                "properties": {
                    "site": act.site.label,
                    "radius_m": act.radius_m,
                    "tracks": [v.track_id for v in act.visits],
                    "by_hour": act.by_hour,
                    "closest_m": round(min(v.closest_m for v in act.visits), 1),
                    **(
                        {"key_frame": frames[act.site.label]}
                        if frames and act.site.label in frames
                        else {}
                    ),
                },
            }
        )
    return obs


@dataclass(frozen=True)
class VideoRecorded:
    """What recording a video wrote."""

    case: str
    video_id: int
    run_id: int
    version: int
    observations: int
    activity: list[SiteActivity]
    new_video: bool

    @property
    def message(self) -> str:
        busy = [a for a in self.activity if a.visits]
        return (
            f"video {self.video_id} {'added to' if self.new_video else 'analysed again in'} case "
            f"{self.case}: video v{self.version}, {self.observations} observations; "
            f"activity near {len(busy)} of {len(self.activity)} candidate source(s)"
        )


def record_video(
    store: Store, case_name: str, run: VideoRun, *, radius_m: float = 150.0
) -> VideoRecorded:
    """Record the video, a ``video`` run and its observations in one transaction.

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.
    run : VideoRun
        From :func:`analyse_video_file`.
    radius_m : float
        Radius around each candidate source for the ``activity`` observations [m].

    Returns
    -------
    VideoRecorded
    """
    activity = activity_near(case_sites(store, case_name), run.ground_tracks, radius_m=radius_m)
    frames: dict[str, dict[str, Any]] = {}
    for label, (png, kf) in key_frames(run, activity).items():
        rel, digest = _save_key_frame(store, png)
        frames[label] = {
            "path": rel,
            "sha256": digest,
            "frame": kf.frame,
            "track": kf.track_id,
            "distance_m": round(kf.distance_m, 1),
        }
    with store.write() as s:
        case = get_case(s, case_name)
        lock_case(s, case.id)
        row = s.scalar(
            select(m.Video).where(m.Video.case_id == case.id, m.Video.sha256 == run.sha256)
        )
        new = row is None
        if row is None:
            row = m.Video(
                case_id=case.id,
                name=run.path.name,
                input_path=str(run.path.resolve()),
                sha256=run.sha256,
                format=run.format,
                start_time=run.start_time,
                end_time=run.end_time,
                n_frames=run.n_frames,
                properties=records.jsonable(run.summary),
                added_by=actor(),
            )
            s.add(row)
            s.flush()
            record(s, "video.add", case.id, {"video_id": row.id, "sha256": run.sha256})
        db_run = records.add_run(
            s,
            case,
            stage="video",
            subject=f"video:{row.id}",
            parameters={**run.parameters, "radius_m": radius_m},
            inputs={"video": run.sha256},
            warnings=run.warnings,
            summary=run.summary,
            started_at=run.started_at,
        )
        n = records.add_observations(s, db_run, _observations(run, activity, frames))
        return VideoRecorded(case_name, row.id, db_run.id, db_run.version, n, activity, new)


def add_video(
    store: Store,
    case_name: str,
    path: str | Path,
    *,
    radius_m: float = 150.0,
    telemetry: str | Path | None = None,
    detector_model: str | Path | None = None,
    labels: list[str] | None = None,
    ground_elev_m: float | None = None,
    quiet: bool = True,
) -> VideoRecorded:
    """Analyse a video and record it in a case (``olfato case add-video``).

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case (checked before the slow work).
    path : path
        The video.
    radius_m : float
        Radius around each candidate source [m].
    telemetry, detector_model, labels, ground_elev_m, quiet
        As for :func:`analyse_video_file`.

    Returns
    -------
    VideoRecorded

    Raises
    ------
    OlfatoError
        ``radius_m`` is not positive, the case does not exist, or the video cannot be read.
    """
    if not (radius_m > 0 and math.isfinite(radius_m)):  # before the slow work
        raise OlfatoError(f"radius_m must be positive, got {radius_m}", parameter="radius_m")
    with store.read() as s:
        get_case(s, case_name)  # an unknown case fails before the slow work
    run = analyse_video_file(
        path,
        telemetry=telemetry,
        detector_model=detector_model,
        labels=labels,
        ground_elev_m=ground_elev_m,
        quiet=quiet,
    )
    return record_video(store, case_name, run, radius_m=radius_m)
