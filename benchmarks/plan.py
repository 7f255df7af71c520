"""Follow-up planning in closed loop: information-driven sorties against denser lawnmower lines.

For each seed the simulator (turbulent puff plumes) flies a coarse first pass: the
scenario's own crosswind lines (80 m apart at 20 m in ``two_labs``). Sources are
located from it (:func:`olfato.locate.locate`). Then two strategies fly until every
TRUE source is settled: a located source lies within ``--match-m`` of it and its 95%
ellipse has a semi-major axis under ``--goal-m`` (25 m):

follow-up
    One sortie at a time from :func:`olfato.plan.next_flight`'s planner
    (:func:`olfato.plan.followup.plan_followup`) on the sources located from all the
    flights so far, exported to a QGroundControl .plan, read back, and flown by the
    simulator from the home point; then locate again.
lawnmower
    Re-fly the whole area with crosswind lines at half the first pass's spacing,
    split into battery-sized sorties (:func:`olfato.plan.cover_area`), each re-flight
    shifted by a golden-ratio fraction of the spacing so that the lines interleave;
    locate again after every sortie and stop as soon as the goal is met (the
    baseline is charged only for the batteries it needed).

Both fly from the first pass's take-off point, at the bottom of the same altitude
band (10 m), 6 m/s, with the same battery (20 min, 20% reserve), and are stopped
after ``--max-rounds`` follow-up sorties / whole re-flights. Flight distance and time exclude the
shared first pass; they include transit from and back to the home point, and the
flight time counts the climb and descent. A strategy that has not settled every
source by then is reported with ">" (at least that much flight), and the ratio
uses the baseline's lower bound (conservative for the follow-up).

Run: ``.venv/bin/python benchmarks/plan.py [--seeds N] [--first-seed S] [--quick]``;
``--quick`` runs 2 seeds; ``--first-seed`` checks on seeds other than 0, 1, ...;
``--verbose`` prints each follow-up sortie. About 1-2 minutes per seed on one core,
mostly in locate.
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from olfato.locate import Sources, locate
from olfato.plan import (
    Area,
    candidates_from_sources,
    conditions_from_survey,
    cover_area,
    plan_followup,
    read_qgc_plan,
    write_qgc_plan,
)
from olfato.plan.sortie import Sortie
from olfato.simulate import load_scenario, reflown, simulate
from olfato.survey.io import read_survey
from olfato.survey.model import Survey
from olfato.survey.projection import LocalFrame

REPO = Path(__file__).resolve().parents[1]
GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
#: battery swap and relaunch between sorties [s] (only shifts the simulated clock)
TURNAROUND_S = 300.0


@dataclass
class Outcome:
    """One strategy on one seed."""

    reached: bool
    distance_m: float
    time_s: float
    sorties: int
    semi_major_m: list[float] = field(default_factory=list)
    error_m: list[float] = field(default_factory=list)
    covered: list[bool] = field(default_factory=list)


def settled(
    sources: Sources, truth: dict, goal_m: float, match_m: float
) -> tuple[bool, list[float], list[float], list[bool]]:
    """Whether every true source has a located source within ``match_m`` whose 95% ellipse
    semi-major axis is under ``goal_m``; with each true source's semi-major, position
    error and whether the truth lies inside the ellipse."""
    frame = sources.survey.frame
    ok, semi, err, cov = True, [], [], []
    for t in truth["sources"]:
        e, n = frame.to_local([t["lat"]], [t["lon"]])
        best = None
        for s in sources.sources:
            d = float(np.hypot(s.east_m - e[0], s.north_m - n[0]))
            if d <= match_m and (best is None or d < best[0]):
                best = (d, s)
        if best is None:
            ok = False
            semi.append(math.inf)
            err.append(math.inf)
            cov.append(False)
            continue
        d, s = best
        el = s.ellipse95
        th = math.radians(el.azimuth_deg)
        de, dn = e[0] - s.east_m, n[0] - s.north_m
        a = de * math.sin(th) + dn * math.cos(th)
        b = de * math.cos(th) - dn * math.sin(th)
        inside = (a / max(el.semi_major, 1e-9)) ** 2 + (b / max(el.semi_minor, 1e-9)) ** 2 <= 1
        semi.append(float(el.semi_major))
        err.append(d)
        cov.append(bool(inside))
        ok = ok and el.semi_major < goal_m
    return ok, semi, err, cov


class Field:
    """The simulated world of one seed: flies routes, keeps every sample, locates."""

    def __init__(self, scenario_path: Path, seed: int, workdir: Path, tag: str) -> None:
        self.base = load_scenario(scenario_path)
        self.seed = seed
        self.workdir = workdir / f"{tag}_{seed}"
        self.workdir.mkdir(parents=True, exist_ok=True)
        sim = simulate(self.base, seed=seed)
        self.truth = sim.truth
        self.site_ratios = sim.site_ratios
        self.frame = LocalFrame(self.base.origin.lat, self.base.origin.lon)
        self.parts = [sim.samples]
        self.clock = float(sim.samples["time"].iloc[-1]) + TURNAROUND_S
        self.n_flown = 0
        first = sim.samples.iloc[0]
        e, n = self.frame.to_local([first["lat"]], [first["lon"]])
        self.home = (float(e[0]), float(n[0]))

    def survey(self) -> Survey:
        path = self.workdir / "survey.csv"
        pd.concat(self.parts, ignore_index=True).to_csv(path, index=False)
        return read_survey(path, quiet=True)

    def fly_plan(self, plan_path: Path) -> None:
        """Fly a QGroundControl .plan in the simulator: take-off at home, waypoints, RTL."""
        mission = read_qgc_plan(plan_path)
        lat = np.concatenate([[mission.home[0]], mission.waypoints[1:, 0], [mission.home[0]]])
        lon = np.concatenate([[mission.home[1]], mission.waypoints[1:, 1], [mission.home[1]]])
        e, n = self.frame.to_local(lat, lon)
        sortie = reflown(
            self.base,
            list(zip(e, n, strict=True)),
            altitude_m=float(mission.waypoints[0, 2]),
            speed_ms=mission.cruise_speed_ms,
            start_time_s=self.clock,
            site_ratios=self.site_ratios,
        )
        self.n_flown += 1
        sim = simulate(sortie, seed=1000 * self.seed + self.n_flown)
        self.parts.append(sim.samples)
        self.clock = float(sim.samples["time"].iloc[-1]) + TURNAROUND_S

    def fly(self, sortie: Sortie) -> None:
        path = write_qgc_plan(sortie, self.workdir / f"sortie_{self.n_flown + 1}.plan")[0]
        self.fly_plan(path)


def run_followup(
    scenario: Path, seed: int, first: Sources, args: argparse.Namespace, workdir: Path
) -> Outcome:
    world = Field(scenario, seed, workdir, "followup")
    sources = first
    dist = tsec = 0.0
    for k in range(args.max_rounds + 1):
        ok, semi, err, cov = settled(sources, world.truth, args.goal_m, args.match_m)
        if ok or k == args.max_rounds:
            return Outcome(ok, dist, tsec, k, semi, err, cov)
        cands, frame = candidates_from_sources(sources)
        survey = sources.survey
        cond = conditions_from_survey(survey)
        lat, lon = world.frame.to_wgs84([world.home[0]], [world.home[1]])
        he, hn = frame.to_local(lat, lon)
        fu = plan_followup(
            cands,
            cond,
            frame,
            home=(float(he[0]), float(hn[0])),
            min_alt_m=args.alt,
            speed_ms=args.speed,
            endurance_s=args.endurance,
            reserve=args.reserve,
            goal_m=args.goal_m,
            seed=seed * 100 + k,
        )
        if args.verbose:
            print(
                f"  seed {seed} follow-up {k + 1}: {fu.sortie.flight_time_s / 60:.1f} of "
                f"{fu.sortie.usable_s / 60:.1f} min, {len(fu.legs)} legs at "
                f"{fu.sortie.altitude_m:g} m; a95 now -> expected: "
                + ", ".join(
                    f"{c.id}({c.n_hits} hits) {fu.semi_major_now_m[c.id]:.0f}->"
                    f"{fu.semi_major_expected_m[c.id]:.0f}"
                    for c in cands
                ),
                flush=True,
            )
        world.fly(fu.sortie)
        dist += fu.sortie.distance_m
        tsec += fu.sortie.flight_time_s
        sources = locate(world.survey())
    raise AssertionError("unreachable")


def run_lawnmower(
    scenario: Path, seed: int, first: Sources, args: argparse.Namespace, workdir: Path
) -> Outcome:
    world = Field(scenario, seed, workdir, "lawnmower")
    sc = world.base
    e0, e1, n0, n1 = sc.area.bounds
    rect = np.array([[e0, n0], [e1, n0], [e1, n1], [e0, n1]])
    area = Area((rect,), world.frame, f"{sc.name} area")
    spacing = sc.flight.line_spacing_m / 2.0
    sources = first
    dist = tsec = 0.0
    n_sorties = 0
    ok, semi, err, cov = settled(sources, world.truth, args.goal_m, args.match_m)
    for k in range(args.max_rounds):
        if ok:
            break
        sorties = cover_area(
            area,
            sc.wind.direction_deg,
            args.alt,
            spacing,
            args.speed,
            args.endurance,
            args.reserve,
            home=world.home,
            offset_m=((k + 1) * GOLDEN % 1.0) * spacing,
        )
        for s in sorties:
            world.fly(s)
            dist += s.distance_m
            tsec += s.flight_time_s
            n_sorties += 1
            sources = locate(world.survey())
            ok, semi, err, cov = settled(sources, world.truth, args.goal_m, args.match_m)
            if ok:
                break
    return Outcome(ok, dist, tsec, n_sorties, semi, err, cov)


def _fmt(o: Outcome) -> str:
    mark = "" if o.reached else ">"
    return f"{mark}{o.distance_m / 1000:.2f} km / {mark}{o.time_s / 60:.1f} min ({o.sorties})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default="two_labs", help="a scenario in scenarios/")
    ap.add_argument("--seeds", type=int, default=8, help="number of seeds")
    ap.add_argument("--first-seed", type=int, default=0, help="first seed (fresh seeds: e.g. 100)")
    ap.add_argument("--quick", action="store_true", help="2 seeds, for a quick check")
    ap.add_argument("--verbose", action="store_true", help="print each follow-up sortie")
    ap.add_argument("--goal-m", type=float, default=25.0, help="95%% semi-major goal [m]")
    ap.add_argument("--match-m", type=float, default=50.0, help="truth matching radius [m]")
    ap.add_argument("--alt", type=float, default=10.0, help="re-flight altitude [m]")
    ap.add_argument("--speed", type=float, default=6.0, help="cruise speed [m/s]")
    ap.add_argument("--endurance", type=float, default=1200.0, help="battery endurance [s]")
    ap.add_argument("--reserve", type=float, default=0.2, help="battery reserve [-]")
    ap.add_argument("--max-rounds", type=int, default=4, help="follow-up sorties / re-flights")
    args = ap.parse_args()
    n_seeds = 2 if args.quick else args.seeds
    scenario = REPO / "scenarios" / f"{args.scenario}.yaml"
    print(
        f"scenario {args.scenario}, goal: every true source's 95% ellipse semi-major < "
        f"{args.goal_m:g} m; battery {args.endurance:g} s, reserve {args.reserve:.0%}, "
        f"{args.speed:g} m/s, re-flights at {args.alt:g} m"
    )
    header = (
        f"{'seed':>4}  {'first pass a95 [m]':>20}  {'follow-up km/min (sorties)':>28}  "
        f"{'lawnmower km/min (sorties)':>28}  {'ratio':>6}  {'final a95 [m] fu | lm':>24}"
    )
    print(header)
    ratios, fu_d, lm_d, fu_ok, lm_ok = [], [], [], 0, 0
    t_start = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for seed in range(args.first_seed, args.first_seed + n_seeds):
            first_world = Field(scenario, seed, work, "first")
            first = locate(first_world.survey())
            _, semi0, _, _ = settled(first, first_world.truth, args.goal_m, args.match_m)
            fu = run_followup(scenario, seed, first, args, work)
            lm = run_lawnmower(scenario, seed, first, args, work)
            ratio = fu.distance_m / lm.distance_m if fu.reached and lm.distance_m > 0 else math.inf
            ratios.append(ratio)
            fu_d.append(fu.distance_m)
            lm_d.append(lm.distance_m)
            fu_ok += fu.reached
            lm_ok += lm.reached
            a0 = ", ".join(f"{v:.0f}" for v in semi0)
            af = ", ".join(f"{v:.0f}" for v in fu.semi_major_m)
            al = ", ".join(f"{v:.0f}" for v in lm.semi_major_m)
            print(
                f"{seed:>4}  {a0:>20}  {_fmt(fu):>28}  {_fmt(lm):>28}  {ratio:>6.2f}  "
                f"{af + ' | ' + al:>24}",
                flush=True,
            )
    print(
        f"\nreached the goal: follow-up {fu_ok}/{n_seeds}, lawnmower {lm_ok}/{n_seeds}; "
        f"median flight distance: follow-up {statistics.median(fu_d) / 1000:.2f} km, "
        f"lawnmower {statistics.median(lm_d) / 1000:.2f} km; median ratio "
        f"{statistics.median(ratios):.2f} (goal <= 0.5); {time.time() - t_start:.0f} s"
    )


if __name__ == "__main__":
    main()
