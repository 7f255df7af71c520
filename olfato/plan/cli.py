"""`olfato plan area` and `olfato plan next`: survey patterns and the next flight as .plan files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from olfato.options import MappingOpt, QuietOpt, StrictOpt, WindOpt, WorkspaceOpt
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
    wind_from_deg: Annotated[
        float, typer.Option("--wind-from", help="Wind direction FROM, clockwise from north (deg).")
    ],
    alt_m: Annotated[float, typer.Option("--alt", help="Flight altitude above home (m).")],
    spacing_m: Annotated[float, typer.Option("--spacing", help="Distance between lines (m).")],
    out: OutOpt,
    speed_ms: SpeedOpt = flight_defaults.SPEED_MS,
    endurance_s: EnduranceOpt = flight_defaults.ENDURANCE_S,
    reserve: ReserveOpt = flight_defaults.RESERVE,
    home: HomeOpt = None,
    margin_m: Annotated[
        float, typer.Option("--margin", help="Keep line ends this far inside the area [m].")
    ] = 2.0,
    plot: PlotOpt = None,
    kml: KmlOpt = None,
    geojson: GeoJsonOpt = None,
) -> None:
    """Crosswind survey lines over AREA, downwind first, in sorties that fit one battery."""
    from olfato.plan import cover_area, read_area, write_geojson, write_kml, write_qgc_plan
    from olfato.plan.inputs import parse_home

    a = read_area(area)
    sorties = cover_area(
        a,
        wind_from_deg,
        alt_m,
        spacing_m,
        speed_ms,
        endurance_s,
        reserve,
        parse_home(home, a.frame),
        margin_m,
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
            sorties, plot, area=a, wind_from_deg=wind_from_deg, title=f"area coverage: {area.name}"
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
    wind_from_deg: Annotated[
        float | None, typer.Option("--wind-from", help="Wind FROM (deg) (default: survey's).")
    ] = None,
    wind_speed_ms: Annotated[
        float | None, typer.Option("--wind-speed", help="Wind speed (m/s) (default: survey's).")
    ] = None,
    stability: Annotated[
        str | None, typer.Option("--stability", help="Pasquill class A..F (default: survey's).")
    ] = None,
    min_alt_m: Annotated[
        float, typer.Option("--min-alt", help="Lowest altitude (m).")
    ] = flight_defaults.MIN_ALT_M,
    max_alt_m: Annotated[
        float, typer.Option("--max-alt", help="Highest altitude (m).")
    ] = flight_defaults.MAX_ALT_M,
    speed_ms: SpeedOpt = flight_defaults.SPEED_MS,
    endurance_s: EnduranceOpt = flight_defaults.ENDURANCE_S,
    reserve: ReserveOpt = flight_defaults.RESERVE,
    no_fly: NoFlyOpt = None,
    goal_m: Annotated[
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
    case: Annotated[
        str | None,
        typer.Option("--case", help="Record the plan and its files in this case (a plan run)."),
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """The one-battery flight that most reduces the expected uncertainty of the candidates."""
    from olfato.plan import write_geojson, write_kml, write_qgc_plan
    from olfato.plan.inputs import followup_inputs
    from olfato.plan.nextflight import next_flight

    inp = followup_inputs(
        survey_or_sources,
        survey=survey,
        no_fly=no_fly,
        home=home,
        mapping=mapping,
        wind=wind,
        strict=strict,
        quiet=quiet,
    )
    fu = next_flight(
        inp.candidates,
        inp.survey,
        frame=inp.frame,
        home=inp.home,
        wind_from_deg=wind_from_deg,
        wind_speed_ms=wind_speed_ms,
        stability=stability,
        min_alt_m=min_alt_m,
        max_alt_m=max_alt_m,
        speed_ms=speed_ms,
        endurance_s=endurance_s,
        reserve=reserve,
        no_fly=inp.no_fly,
        goal_m=goal_m,
        seed=seed,
    )
    print_followup(fu)
    zones = inp.no_fly
    paths = write_qgc_plan(fu.sortie, out, no_fly=zones)
    _report([fu.sortie], paths)
    written = list(paths)
    if kml is not None:
        path = write_kml([fu.sortie], kml, no_fly=zones, candidates=fu.candidates)
        console.print(f"KML: {path}", highlight=False)
        written.append(path)
    if geojson is not None:
        written.append(write_geojson([fu.sortie], geojson))
        console.print(f"GeoJSON: {written[-1]}", highlight=False)
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
        written.append(png)
    if case is not None:
        from olfato.casework.plans import record_plan
        from olfato.plan.inputs import is_sources_file
        from olfato.store.db import open_store

        from_survey = survey if is_sources_file(survey_or_sources) else survey_or_sources
        kind = "sources" if is_sources_file(survey_or_sources) else "survey"
        inputs: dict[str, Path] = {kind: survey_or_sources}
        if survey is not None:
            inputs["survey"] = survey
        for k, zone in enumerate(no_fly or [], start=1):
            inputs[f"no_fly_{k}"] = zone
        with open_store(workspace) as store:
            recorded = record_plan(
                store,
                case,
                written,
                parameters=dict(
                    wind_from_deg=fu.wind_from_deg,
                    wind_speed_ms=wind_speed_ms,
                    stability=stability,
                    min_alt_m=min_alt_m,
                    max_alt_m=max_alt_m,
                    speed_ms=speed_ms,
                    endurance_s=endurance_s,
                    reserve=reserve,
                    goal_m=goal_m,
                    seed=seed,
                ),
                inputs=inputs,
                survey=from_survey,
                summary={
                    "distance_m": fu.sortie.distance_m,
                    "gain_nats": fu.gain_nats,
                    "semi_major_expected_m": fu.semi_major_expected_m,
                },
            )
        console.print(recorded.message, highlight=False)


def print_followup(fu: FollowUp) -> None:
    """One line per candidate: its 95% semi-major axis now and expected after the flight."""
    for cid, now in fu.semi_major_now_m.items():
        console.print(
            f"{cid}: 95% ellipse semi-major {now:.0f} m now, {fu.semi_major_expected_m[cid]:.0f} m "
            f"expected after the flight (expected gain {fu.gain_nats[cid]:.2f} nats)",
            highlight=False,
        )
