"""The planning step of `make demo`: the follow-up flight from the located sources."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from olfato.progress import console

if TYPE_CHECKING:
    from olfato.locate import Sources
    from olfato.plan.followup import FollowUp


def step_plan(
    sources: Sources,
    out: Path,
    *,
    quiet: bool = False,
    case: str | None = None,
    workspace: Path | None = None,
) -> FollowUp | None:
    """Plan the next flight from ``sources``; write next_flight.plan, .kml, .geojson, .png.

    Prints each candidate's 95% semi-major axis now and expected after the flight, and
    the sortie's length and time; with ``case`` (in ``workspace``) records the plan
    there as a plan run. Returns None (and says so) when there are no sources.
    """
    from olfato.plan.cli import print_followup
    from olfato.plan.export_geojson import write_geojson
    from olfato.plan.export_kml import write_kml
    from olfato.plan.export_qgc import write_qgc_plan
    from olfato.plan.nextflight import next_flight
    from olfato.plan.plot import plot_plan

    console.rule("[bold]Where to fly next (expected information gain)")
    if not sources.sources:
        console.print("no sources located, so no follow-up flight to plan", highlight=False)
        return None
    fu = next_flight(sources)
    print_followup(fu)
    s = fu.sortie
    plan = write_qgc_plan(s, out / "next_flight.plan")[0]
    kml = write_kml([s], out / "next_flight.kml", candidates=fu.candidates)
    geo = write_geojson([s], out / "next_flight.geojson")
    png = plot_plan(
        [s],
        out / "next_flight.png",
        candidates=fu.candidates,
        wind_from_deg=fu.wind_from_deg,
        title="follow-up flight (expected information gain)",
    )
    console.print(
        f"{s.label}: {len(fu.legs)} crosswind legs at {s.altitude_m:g} m, "
        f"{s.distance_m / 1000:.2f} km, {s.flight_time_s / 60:.1f} min of "
        f"{s.usable_s / 60:.1f} min usable; take-off and landing at the survey's home point\n"
        f"plan: {plan}\nKML: {kml}\nGeoJSON: {geo}\npreview: {png}",
        highlight=False,
    )
    if case is not None:
        from olfato.casework.plans import record_plan
        from olfato.plan import flight_defaults
        from olfato.store.db import open_store

        settings = {k.lower(): v for k, v in vars(flight_defaults).items() if k.isupper()}

        with open_store(workspace) as store:
            recorded = record_plan(
                store,
                case,
                [plan, kml, geo, png],
                parameters={**settings, "wind_from_deg": fu.wind_from_deg},
                inputs={"survey": sources.survey.source},
                survey=sources.survey.source,
                summary={"distance_m": s.distance_m, "gain_nats": fu.gain_nats},
            )
        console.print(recorded.message, highlight=False)
    return fu
