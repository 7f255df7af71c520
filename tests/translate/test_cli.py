from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from olfato.cli import app
from tests.translate.conftest import needs_apertium

runner = CliRunner()


@needs_apertium
def test_translate_a_file_and_flag_unknown_words(tmp_path: Path) -> None:
    src = tmp_path / "informe.txt"
    src.write_text("El laboratorio clandestino emite acetona y zorgumbal.\n", encoding="utf-8")
    res = runner.invoke(app, ["translate", str(src), "--to", "en", "--quiet"])
    assert res.exit_code == 0, res.output
    out = tmp_path / "informe.en.txt"
    assert out.read_text(encoding="utf-8").startswith("The clandestine lab")
    assert "informe.en.txt" in res.output
    assert "zorgumbal" in res.output  # the analyst is told


@needs_apertium
def test_translate_stdin_with_user_glossary(tmp_path: Path) -> None:
    g = tmp_path / "g.yaml"
    g.write_text("terms: [{es: halcón, en: lookout, gender: m}]\n", encoding="utf-8")
    res = runner.invoke(
        app, ["translate", "-", "--to", "en", "--glossary", str(g)], input="El halcón vio el dron."
    )
    assert res.exit_code == 0, res.output
    assert "lookout" in res.output and "drone" in res.output


def test_bad_input_is_one_paragraph_not_a_traceback(tmp_path: Path) -> None:
    src = tmp_path / "x.txt"
    src.write_text("hola", encoding="utf-8")
    for args, message in (
        (["translate", str(src), "--to", "fr"], "Spanish and English only"),
        (["translate", str(tmp_path / "missing.txt"), "--to", "en"], "No such file"),
        (["translate", str(src), "--to", "en", "--model", str(tmp_path)], "no model.bin"),
    ):
        res = runner.invoke(app, args)
        assert res.exit_code == 1, res.output
        assert message in res.output
        assert "Traceback" not in res.output
