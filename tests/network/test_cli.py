"""`olfato network ...` on files: the JSON a script reads and the errors a user sees."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from olfato.cli import app

runner = CliRunner()


@pytest.fixture
def florentine(tmp_path: Path) -> Path:
    p = tmp_path / "florentine.graphml"
    nx.write_graphml(nx.florentine_families_graph(), p)
    return p


def test_measures_json(florentine: Path) -> None:
    r = runner.invoke(app, ["network", "measures", str(florentine), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    first = data["nodes"][0]
    assert first["id"] == "Medici"
    assert set(first) == {
        "id", "type", "degree", "betweenness", "closeness", "eigenvector", "constraint",
        "community",
    }  # fmt: skip
    assert first["betweenness"] == pytest.approx(47.5 / 91)
    assert first["degree"] == pytest.approx(6 / 14)
    assert data["graph"]["entities"] == 15 and data["graph"]["links"] == 20
    assert data["graph"]["betweenness_approximate"] is False


def test_measures_table_and_approximate(florentine: Path) -> None:
    r = runner.invoke(
        app, ["network", "measures", str(florentine), "--approximate-above", "5", "--samples", "5"]
    )
    assert r.exit_code == 0, r.output
    assert "Medici" in r.output and "approximate, 5 sources" in r.output


def test_keyplayers_json(florentine: Path) -> None:
    r = runner.invoke(app, ["network", "keyplayers", str(florentine), "-k", "2", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert sorted(data["set"]) == ["Guadagni", "Medici"]
    # without them, 13 families: Barbadori-Castellani-Peruzzi-Strozzi-Bischeri-Ridolfi-
    # Tornabuoni, Albizzi-Ginori, Pazzi-Salviati, Acciaiuoli, Lamberteschi:
    # F = 1 - (7*6 + 2*1 + 2*1) / (13*12)
    assert data["fragmentation"] == pytest.approx(1 - 46 / 156)
    assert (data["components"], data["largest"]) == (5, 7)


def test_whatif_json_and_unknown_id(florentine: Path) -> None:
    r = runner.invoke(app, ["network", "whatif", str(florentine), "--remove", "Medici", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["components"] == [1, 3] and data["largest"] == [15, 11]
    r = runner.invoke(app, ["network", "whatif", str(florentine), "--remove", "Medici,Sforza"])
    assert r.exit_code == 1
    assert "removed: 'Sforza' not in the graph (15 entities) (option --remove)" in r.output
    assert "Traceback" not in r.output


def test_export_withholds_personal_data(florentine: Path, tmp_path: Path) -> None:
    out = tmp_path / "f.gexf"
    r = runner.invoke(
        app, ["network", "export", str(florentine), "--to", "gexf", "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert "15 personal entities withheld" in r.output
    assert nx.read_gexf(out).number_of_nodes() == 0
    r = runner.invoke(
        app,
        ["network", "export", str(florentine), "--to", "anx", "--out", str(tmp_path / "f.anx"),
         "--release", "all"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "15 entities, 20 links" in r.output and (tmp_path / "f.anx").exists()


def test_bad_input_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "calls.csv"
    bad.write_text("source,target,weight\na,b,lots\n", encoding="utf-8")
    r = runner.invoke(app, ["network", "measures", str(bad)])
    assert r.exit_code == 1
    assert "calls.csv, line 2, column 'weight': the weight is not a number" in r.output
    r = runner.invoke(app, ["network", "measures", str(tmp_path / "absent.csv")])
    assert r.exit_code == 1 and "no such file" in r.output
    r = runner.invoke(app, ["network", "export", str(bad), "--to", "pdf", "--out", "x.pdf"])
    assert r.exit_code == 1


def test_case_import_measures_export(tmp_path: Path) -> None:
    ws = ["--workspace", str(tmp_path / "ws")]
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "source,target,type,source_type,target_type\n"
        "P1,555-1,ownership,person,phone\n"
        "555-1,555-2,call,phone,phone\n"
        "555-2,555-3,call,phone,phone\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["case", "new", "sonora", *ws]).exit_code == 0
    r = runner.invoke(app, ["network", "import", "sonora", str(calls), *ws])
    assert r.exit_code == 0, r.output
    assert "network v1 recorded in case sonora: 4 entities (4 new), 3 links" in r.output
    r = runner.invoke(app, ["network", "measures", "sonora", "--json", *ws])
    assert r.exit_code == 0, r.output
    rows = {n["id"]: n for n in json.loads(r.stdout)["nodes"]}
    # a path P1 - 555-1 - 555-2 - 555-3: the two inner phones each carry 2 of 3 other pairs
    assert rows["555-1"]["betweenness"] == pytest.approx(2 / 3)
    assert rows["P1"]["type"] == "person"
    r = runner.invoke(
        app, ["network", "export", "sonora", "--to", "csv", "--out", str(tmp_path / "x.csv"), *ws]
    )
    assert r.exit_code == 0, r.output
    assert "1 personal entities withheld" in r.output
    assert "P1" not in (tmp_path / "x.csv").read_text(encoding="utf-8")
    r = runner.invoke(app, ["network", "places", "sonora", "--radius", "-1", *ws])
    assert r.exit_code == 1 and "(option --radius)" in r.output
    r = runner.invoke(app, ["network", "measures", "nosuchcase", *ws])
    assert r.exit_code == 1 and "no case called 'nosuchcase'" in r.output
