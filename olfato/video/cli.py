"""`olfato video info|footprints|tracks`: full-motion video on the map."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from olfato.errors import OlfatoError
from olfato.options import CaseArg, QuietOpt, WorkspaceOpt
from olfato.progress import console, say

video_app = typer.Typer(
    help="Full-motion video: KLV metadata (STANAG 4609 / MISB ST 0601), where each frame "
    "looks, what moves, and tracks on the map (GeoJSON, KML).",
    no_args_is_help=True,
)

VideoArg = Annotated[
    Path, typer.Argument(help="Video: MPEG-TS with ST 0601 KLV (STANAG 4609), or MP4/TS.")
]
TelemetryOpt = Annotated[
    Path | None,
    typer.Option(
        "--telemetry",
        help="Telemetry CSV (ArcGIS FMV Multiplexer columns) for a video without KLV.",
    ),
]
NoHudOpt = Annotated[
    bool,
    typer.Option("--no-hud", help="Do not read a burnt-in HUD (OCR) when there is no metadata."),
]
GroundOpt = Annotated[
    float | None,
    typer.Option(
        "--ground-elev",
        help="Ground elevation (m) for the camera model when the KLV lacks the frame centre's.",
    ),
]

RadiusOpt = Annotated[
    float, typer.Option("--radius", help="Radius (m) around each candidate source.")
]


def _out_error(exc: ValueError) -> OlfatoError:
    return OlfatoError(str(exc).replace("path must", "--out must"))


def _print_notes(notes: list[str]) -> None:
    for note in notes:
        say("note", note)


@video_app.command("info")
def info_cmd(
    file: VideoArg,
    telemetry: TelemetryOpt = None,
    no_hud: NoHudOpt = False,
    ground_elev: GroundOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON to stdout.")] = False,
) -> None:
    """Duration, frames, KLV coverage and the platform's track."""
    from rich.table import Table

    from olfato.video.pipeline import read_metadata, summarise

    meta = read_metadata(file, telemetry=telemetry, hud=not no_hud, ground_elev_m=ground_elev)
    info = summarise(meta)
    if as_json:
        typer.echo(json.dumps(info, indent=1))
        return
    table = Table(title=f"Video {file}", show_header=False, title_justify="left")
    for k, v in info.items():
        if k != "notes":
            table.add_row(k.replace("_", " "), "-" if v is None else str(v))
    console.print(table)
    _print_notes(meta.notes)


@video_app.command("footprints")
def footprints_cmd(
    file: VideoArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Write .geojson or .kml here.")],
    every: Annotated[
        float, typer.Option("--every", help="One footprint every so many seconds.")
    ] = 1.0,
    telemetry: TelemetryOpt = None,
    no_hud: NoHudOpt = False,
    ground_elev: GroundOpt = None,
) -> None:
    """Where the frames look on the ground, the platform's and the frame centre's tracks."""
    from olfato.video.export import footprints_geojson, write_features
    from olfato.video.pipeline import read_metadata

    if every <= 0:
        raise OlfatoError("--every must be positive")
    meta = read_metadata(file, telemetry=telemetry, hud=not no_hud, ground_elev_m=ground_elev)
    fc = footprints_geojson(meta.geometry, every_s=every, name=f"{file.name} footprints")
    try:
        path = write_features(fc, out)
    except ValueError as exc:
        raise _out_error(exc) from None
    n = sum(f["properties"]["role"] == "footprint" for f in fc["features"])
    console.print(
        f"{n} footprints ({meta.footprint_coverage:.0%} of frames have one, from {meta.source}) "
        f"-> {path}",
        highlight=False,
    )
    _print_notes(meta.notes)


@video_app.command("tracks")
def tracks_cmd(
    file: VideoArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Write .geojson or .kml here.")],
    telemetry: TelemetryOpt = None,
    no_hud: NoHudOpt = False,
    ground_elev: GroundOpt = None,
    detector: Annotated[
        Path | None,
        typer.Option("--detector", help="Your ONNX detector (rows x1,y1,x2,y2,score,class)."),
    ] = None,
    labels: Annotated[
        str | None, typer.Option("--labels", help="The detector's class names, comma-separated.")
    ] = None,
    baseline: Annotated[
        bool,
        typer.Option(
            "--frame-difference", help="Plain frame differencing, no motion compensation."
        ),
    ] = False,
    min_track: Annotated[float, typer.Option("--min-track", help="Shortest track kept (s).")] = 1.0,
    near: Annotated[
        str | None,
        typer.Option("--near", help="A case: activity at its candidate sources (by hour)."),
    ] = None,
    radius_m: RadiusOpt = 150.0,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Moving objects, tracked and put on the ground, with speed and heading."""
    from rich.table import Table

    from olfato.video.export import iso_time, tracks_geojson, write_features
    from olfato.video.pipeline import analyse_video

    if out.suffix.lower() not in (".geojson", ".json", ".kml"):
        raise OlfatoError(f"--out must end in .geojson, .json or .kml, not {out.name!r}")
    result = analyse_video(
        file,
        telemetry=telemetry,
        hud=not no_hud,
        ground_elev_m=ground_elev,
        method="frame_difference" if baseline else "compensated",
        detector_model=detector,
        labels=[s.strip() for s in labels.split(",")] if labels else None,
        min_track_s=min_track,
        quiet=quiet,
    )
    fc = tracks_geojson(result.tracks, name=f"{file.name} tracks")
    try:
        path = write_features(fc, out)
    except ValueError as exc:
        raise _out_error(exc) from None
    table = Table(title=f"Tracks in {file.name}", title_justify="left")
    for col in ("id", "label", "start", "duration s", "distance m", "speed m/s", "points"):
        table.add_column(col)
    for tr in result.tracks:
        start = iso_time(tr.time_us[0]) if tr.t_s.size else None
        table.add_row(
            str(tr.id),
            tr.label or "-",
            start or (f"{tr.t_s[0]:.1f} s" if tr.t_s.size else "not on the ground"),
            f"{tr.duration_s:.1f}",
            f"{tr.distance_m:.0f}",
            f"{tr.mean_speed_ms:.1f}",
            str(tr.image_points),
        )
    console.print(table)
    on_ground = sum(t.t_s.size >= 2 for t in result.tracks)
    console.print(
        f"{len(result.tracks)} tracks ({on_ground} on the ground) in {result.frames} frames, "
        f"{result.frames_per_second:.0f} frames/s -> {path}",
        highlight=False,
    )
    _print_notes(result.metadata.notes + result.problems)
    if near is not None:
        from olfato.casework.video import case_sites
        from olfato.store.db import open_store
        from olfato.video.activity import activity_near

        with open_store(workspace) as store:
            sites = case_sites(store, near)
        if not sites:
            console.print(f"case {near} has no located candidate source", highlight=False)
            return
        _print_activity(activity_near(sites, result.tracks, radius_m=radius_m))


def _print_activity(activity: list) -> None:  # list[SiteActivity]
    from rich.table import Table

    table = Table(title="Activity at candidate sources", title_justify="left")
    for col in ("source", "radius m", "tracks", "closest m", "by hour (UTC)"):
        table.add_column(col)
    for a in activity:
        table.add_row(
            a.site.label,
            f"{a.radius_m:g}",
            ", ".join(str(v.track_id) for v in a.visits) or "-",
            f"{min(v.closest_m for v in a.visits):.0f}" if a.visits else "-",
            ", ".join(f"{h}: {n}" for h, n in a.by_hour.items()) or "-",
        )
    console.print(table)


def add_video_command(
    case: CaseArg,
    file: VideoArg,
    radius_m: RadiusOpt = 150.0,
    telemetry: TelemetryOpt = None,
    ground_elev: GroundOpt = None,
    detector: Annotated[
        Path | None, typer.Option("--detector", help="Your ONNX detector (gives tracks a class).")
    ] = None,
    labels: Annotated[
        str | None, typer.Option("--labels", help="The detector's class names, comma-separated.")
    ] = None,
    quiet: QuietOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Add a video to CASE: footprints, tracks and activity at its candidate sources."""
    from olfato.casework.video import add_video
    from olfato.store.db import open_store

    with open_store(workspace) as store:
        added = add_video(
            store,
            case,
            file,
            radius_m=radius_m,
            telemetry=telemetry,
            detector_model=detector,
            labels=[x.strip() for x in labels.split(",")] if labels else None,
            ground_elev_m=ground_elev,
            quiet=quiet,
        )
    console.print(added.message, highlight=False, soft_wrap=True)
    if any(a.visits for a in added.activity):
        _print_activity(added.activity)
