"""`olfato plan area` and `olfato plan next`: survey patterns and the next flight as .plan files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from olfato.errors import OlfatoError
from olfato.options import MappingOpt, QuietOpt, StrictOpt, WindOpt
from olfato.plan import flight_defaults
from olfato.progress import console

if TYPE_CHECKING:
    from olfato.plan.followup import FollowUp
    from olfato.plan.sortie import Sortie

plan_app = typer.Typer(
    help="Plan flights: crosswind area coverage, and the follow-up flight that settles the "
    "candidates fastest. Writes QGroundControl .plan files (plus KML/GeoJSON, PNG preview).",
    no_args_is_help=True,
)

OutOpt = Annotated[
    Path,
    typer.Option(
        "--out", "-o", help="QGroundControl .plan to write (one per sortie: F_1.plan, ...)."
    ),
]
PlotOpt = Annotated[Path | None, typer.Option("--plot", help="Write a PNG preview here.")]
KmlOpt = Annotated[Path | None, typer.Option("--kml", help="Also write the plan as KML here.")]
GeoJsonOpt = Annotated[
    Path | None, typer.Option("--geojson", help="Also write the plan as GeoJSON here.")
]
SpeedOpt = Annotated[float, typer.Option("--speed", help="Cruise speed (m/s).")]
EnduranceOpt = Annotated[
    float, typer.Option("--endurance", help="Battery endurance, take-off to landing (s).")
]
ReserveOpt = Annotated[
    float, typer.Option("--reserve", help="Fraction of the endurance kept in reserve, 0 to <1.")
]
HomeOpt = Annotated[
    str | None,
    typer.Option("--home", help="Home point (take-off and landing) as LAT,LON (deg)."),
]
NoFlyOpt = Annotated[
    list[Path] | None,
    typer.Option("--no-fly", help="No-fly zone polygons (GeoJSON or KML); repeatable."),
]


def parse_home(text: str | None, frame: object) -> tuple[float, float] | None:
    """``LAT,LON`` [deg] -> (east, north) [m] in ``frame``; errors name --home."""
    from olfato.survey.projection import LocalFrame

    if text is None:
        return None
    try:
        lat_s, lon_s = text.split(",")
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        raise OlfatoError(
            f"--home must be LAT,LON in decimal degrees (e.g. 29.0950,-111.0420), got {text!r}"
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise OlfatoError(f"--home {text!r} is not a position (lat -90..90, lon -180..180)")
    assert isinstance(frame, LocalFrame)
    e, n = frame.to_local([lat], [lon])
    return float(e[0]), float(n[0])


def _report(sorties: list[Sortie], paths: list[Path]) -> None:
    for s, p in zip(sorties, paths, strict=True):
        console.print(
            f"{s.label}: {len(s.waypoints)} waypoints, {s.distance_m / 1000:.2f} km, "
            f"{s.flight_time_s / 60:.1f} min of {s.usable_s / 60:.1f} usable at "
            f"{s.altitude_m:g} m -> {p}",
            highlight=False,
        )


@plan_app.command("area")
def area_command(
    area: Annotated[Path, typer.Argument(help="Survey area polygon: .geojson or .kml.")],
    wind_from: Annotated[
        float, typer.Option("--wind-from", help="Wind direction FROM, clockwise from north (deg).")
    ],
    alt: Annotated[float, typer.Option("--alt", help="Flight altitude above home (m).")],
    spacing: Annotated[float, typer.Option("--spacing", help="Distance between lines (m).")],
    out: OutOpt,
    speed: SpeedOpt = flight_defaults.SPEED_MS,
    endurance: EnduranceOpt = flight_defaults.ENDURANCE_S,
    reserve: ReserveOpt = flight_defaults.RESERVE,
    home: HomeOpt = None,
    margin: Annotated[
        float, typer.Option("--margin", help="Keep line ends this far inside the area [m].")
    ] = 2.0,
    plot: PlotOpt = None,
    kml: KmlOpt = None,
    geojson: GeoJsonOpt = None,
) -> None:
    """Crosswind survey lines over AREA, downwind first, in sorties that fit one battery."""
    from olfato.plan import cover_area, read_area, write_geojson, write_kml, write_qgc_plan

    a = read_area(area)
    sorties = cover_area(
        a, wind_from, alt, spacing, speed, endurance, reserve, parse_home(home, a.frame), margin
    )
    paths = write_qgc_plan(sorties, out)
    _report(sorties, paths)
    if kml is not None:
        console.print(f"KML: {write_kml(sorties, kml, area=a)}", highlight=False)
    if geojson is not None:
        console.print(f"GeoJSON: {write_geojson(sorties, geojson)}", highlight=False)
    if plot is not None:
        from olfato.plan.plot import plot_plan

        png = plot_plan(
            sorties, plot, area=a, wind_from_deg=wind_from, title=f"area coverage: {area.name}"
        )
        console.print(f"preview: {png}", highlight=False)


@plan_app.command("next")
def next_command(
    survey_or_sources: Annotated[
        Path,
        typer.Argument(
            help="The last survey (.csv, .ulg, .tlog, .bin, .parquet; sources are located "
            "from it) or a Sources GeoJSON from `olfato locate --out`."
        ),
    ],
    out: OutOpt,
    survey: Annotated[
        Path | None,
        typer.Option(
            "--survey", help="With a Sources GeoJSON: the survey it came from (wind, home)."
        ),
    ] = None,
    home: HomeOpt = None,
    wind_from: Annotated[
        float | None, typer.Option("--wind-from", help="Wind FROM (deg) (default: survey's).")
    ] = None,
    wind_speed: Annotated[
        float | None, typer.Option("--wind-speed", help="Wind speed (m/s) (default: survey's).")
    ] = None,
    stability: Annotated[
        str | None, typer.Option("--stability", help="Pasquill class A..F (default: survey's).")
    ] = None,
    min_alt: Annotated[
        float, typer.Option("--min-alt", help="Lowest altitude (m).")
    ] = flight_defaults.MIN_ALT_M,
    max_alt: Annotated[
        float, typer.Option("--max-alt", help="Highest altitude (m).")
    ] = flight_defaults.MAX_ALT_M,
    speed: SpeedOpt = flight_defaults.SPEED_MS,
    endurance: EnduranceOpt = flight_defaults.ENDURANCE_S,
    reserve: ReserveOpt = flight_defaults.RESERVE,
    no_fly: NoFlyOpt = None,
    goal: Annotated[
        float,
        typer.Option("--goal", help="95% ellipse semi-major at which a source is settled (m)."),
    ] = flight_defaults.GOAL_M,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the Monte Carlo.")] = 0,
    plot: PlotOpt = None,
    kml: KmlOpt = None,
    geojson: GeoJsonOpt = None,
    mapping: MappingOpt = None,
    wind: WindOpt = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """The one-battery flight that most reduces the expected uncertainty of the candidates."""
    from olfato.plan import read_no_fly, write_geojson, write_kml, write_qgc_plan
    from olfato.plan.nextflight import load_sources_json, next_flight

    is_sources = survey_or_sources.suffix.lower() in (".geojson", ".json")
    sv = None
    if is_sources:
        given: object = load_sources_json(survey_or_sources)
        if survey is not None:
            from olfato.survey.io import read_survey

            sv = read_survey(survey, mapping=mapping, wind=wind, strict=strict, quiet=quiet)
    else:
        from olfato.locate import locate
        from olfato.survey.io import read_survey

        sv = read_survey(survey_or_sources, mapping=mapping, wind=wind, strict=strict, quiet=quiet)
        given = locate(sv)
    from olfato.plan.candidates import candidates_from_geojson

    if sv is not None:
        frame = sv.frame
    else:
        frame = candidates_from_geojson(given, str(survey_or_sources))[1]
    zones = read_no_fly(no_fly, frame)
    if isinstance(given, dict):
        given = candidates_from_geojson(given, str(survey_or_sources), frame)[0]
    fu = next_flight(
        given,
        sv,
        frame=frame,
        home=parse_home(home, frame),
        wind_from_deg=wind_from,
        wind_speed_ms=wind_speed,
        stability=stability,
        min_alt_m=min_alt,
        max_alt_m=max_alt,
        speed_ms=speed,
        endurance_s=endurance,
        reserve=reserve,
        no_fly=zones,
        goal_m=goal,
        seed=seed,
    )
    print_followup(fu)
    paths = write_qgc_plan(fu.sortie, out, no_fly=zones)
    _report([fu.sortie], paths)
    if kml is not None:
        path = write_kml([fu.sortie], kml, no_fly=zones, candidates=fu.candidates)
        console.print(f"KML: {path}", highlight=False)
    if geojson is not None:
        console.print(f"GeoJSON: {write_geojson([fu.sortie], geojson)}", highlight=False)
    if plot is not None:
        from olfato.plan.plot import plot_plan

        png = plot_plan(
            [fu.sortie],
            plot,
            no_fly=zones,
            candidates=fu.candidates,
            wind_from_deg=fu.wind_from_deg,
            title="follow-up flight (expected information gain)",
        )
        console.print(f"preview: {png}", highlight=False)


def print_followup(fu: FollowUp) -> None:
    """One line per candidate: its 95% semi-major axis now and expected after the flight."""
    for cid, now in fu.semi_major_now_m.items():
        console.print(
            f"{cid}: 95% ellipse semi-major {now:.0f} m now, {fu.semi_major_expected_m[cid]:.0f} m "
            f"expected after the flight (expected gain {fu.gain_nats[cid]:.2f} nats)",
            highlight=False,
        )
