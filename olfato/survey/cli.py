"""`olfato survey ...`: read, check and convert a flight log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from olfato.errors import OlfatoError
from olfato.options import (
    FlightOpt,
    MappingOpt,
    QuietOpt,
    StrictOpt,
    SurveyArg,
    WindOpt,
    load_survey,
)
from olfato.progress import console

survey_app = typer.Typer(
    help="Read, check and convert survey logs (Survey CSV v1, vendor CSV, PX4 ULog, MAVLink).",
    no_args_is_help=True,
)


def print_summary(info: dict[str, Any]) -> None:
    """The survey summary as an analyst reads it."""
    out = console
    table = Table(title=f"Survey {info['source']}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    w = info["wind"]
    b = info["bbox"]
    alt = info["altitude_agl_m"]
    rows = [
        ("format", info["format"]),
        ("samples", f"{info['samples']:,}"),
        ("time (UTC)", f"{info['start_utc']} -> {info['end_utc']}"),
        ("duration", f"{info['duration_s'] / 60:.1f} min ({info['duration_s']:.0f} s)"),
        ("sample rate", f"{info['sample_rate_hz']:.2f} Hz"),
        ("track length", f"{info['track_length_m'] / 1000:.2f} km"),
        (
            "bounding box",
            f"lat {b['lat_min']:.5f}..{b['lat_max']:.5f}, "
            f"lon {b['lon_min']:.5f}..{b['lon_max']:.5f}",
        ),
        (
            "height AGL",
            f"{alt['min']:.0f} / {alt['median']:.0f} / {alt['max']:.0f} m (min / median / max)",
        ),
        ("gaps", f"{info['gaps']['count']} (longest {info['gaps']['longest_s']:.1f} s)"),
        (
            "wind",
            f"{w['mean_speed_ms']:.1f} m/s ({w['min_speed_ms']:.1f}-{w['max_speed_ms']:.1f})"
            f" from {round(w['mean_dir_from_deg']) % 360} deg, spread {w['dir_spread_deg']:.0f} deg"
            if w is not None
            else "none (detect works; locate needs a wind log)",
        ),
    ]
    flights = info.get("flights") or []
    if len(flights) > 1:
        for f in flights:
            rows.append(
                (
                    f"flight {f['flight']}",
                    f"{f['start_utc']} -> {f['end_utc']}, {f['samples']:,} samples "
                    f"(--flight {f['flight']})",
                )
            )
    if info["stability_classes"]:
        rows.append(
            ("stability", ", ".join(f"{k}: {v}" for k, v in info["stability_classes"].items()))
        )
    if info["extra_columns"]:
        rows.append(("ignored columns", ", ".join(info["extra_columns"])))
    v = info["validation"]
    rows.append(
        (
            "rows",
            f"{v['rows_read']:,} read, {v['rows_kept']:,} kept, "
            f"{v['rows_read'] - v['rows_kept']:,} dropped",
        )
    )
    for r in rows:
        table.add_row(*r)
    out.print(table)
    ch = Table(title="Gas channels (ppb)", title_justify="left")
    for col in ("channel", "unit in file", "background", "noise (1 sd)", "peak", "missing"):
        ch.add_column(col, justify="right" if col not in ("channel", "unit in file") else "left")
    for c in info["channels"]:
        ch.add_row(
            c["analyte"],
            c["unit_in_file"],
            f"{c['background_ppb']:.4g}",
            f"{c['noise_ppb']:.3g}",
            f"{c['peak_ppb']:.4g}",
            str(c["missing"]),
        )
    out.print(ch)
    dropped = v["dropped"]
    if dropped or v["warnings"]:
        out.print("[bold]Validation[/]")
        for reason, n in sorted(dropped.items(), key=lambda kv: -kv[1]):
            ex = v["examples"].get(reason) or []
            where = ", ".join(str(e["line"]) for e in ex if e["line"] is not None)
            out.print(
                f"  dropped {n:,}: {reason}" + (f" (lines {where}...)" if where else ""),
                highlight=False,
            )
        for wmsg in v["warnings"]:
            out.print(f"  warning: {wmsg}", highlight=False)
    for note in v.get("notes") or []:
        out.print(f"note: {note}", highlight=False)


@survey_app.command("info")
def info_cmd(
    survey: SurveyArg,
    mapping: MappingOpt = None,
    wind: WindOpt = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
    flight: FlightOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Duration, track, bounding box, sample rate, gaps, channels, wind, what was dropped."""
    from olfato.survey.summary import describe

    info = describe(load_survey(survey, mapping, wind, strict, quiet, flight, announce=False))
    if as_json:
        typer.echo(json.dumps(info, indent=2, default=str))
    else:
        print_summary(info)


@survey_app.command("convert")
def convert_cmd(
    survey: SurveyArg,
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="X.csv (Survey CSV v1) or X.parquet (keeps metadata)."),
    ],
    mapping: MappingOpt = None,
    wind: WindOpt = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
    flight: FlightOpt = None,
) -> None:
    """Write a survey as Survey CSV v1 or Parquet, after validation."""

    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise OlfatoError(f"{out}: --out must end in .csv or .parquet")
    if out.resolve() == survey.resolve():
        raise OlfatoError(f"{out}: --out is the input file; choose another name")
    s = load_survey(survey, mapping, wind, strict, quiet, flight)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    (s.to_csv if suffix == ".csv" else s.to_parquet)(tmp)
    tmp.replace(out)  # never leave a half-written file under the final name
    console.print(f"wrote {out} ({s.n_samples:,} samples, {len(s.channels)} gas channels)")
