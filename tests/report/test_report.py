"""The bilingual reports, looked at as a reader would: rendered pages, their text, their map."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from typer.testing import CliRunner

from olfato import CAVEAT
from olfato.report.catalog import extract, read, untranslated
from olfato.report.i18n import CAVEAT_MSG, Formatter
from tests.report.conftest import CASE, INTERNAL_NOTE, SPANISH_NOTE, Made

#: where the rendered pages are kept for a person to look at ($OLFATO_REPORT_PNG_DIR)
PNG_DIR_ENV = "OLFATO_REPORT_PNG_DIR"


def pdf_text(path: Path) -> str:
    doc = pdfium.PdfDocument(str(path))
    try:
        text = " ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()
    return re.sub(r"\s+", " ", text)


def render_pages(path: Path, out: Path, scale: float = 1.5) -> list[tuple[Path, list[tuple]]]:
    """Each page as PNG, with the pixel boxes of its images (left, top, right, bottom)."""
    doc = pdfium.PdfDocument(str(path))
    pages = []
    try:
        for i in range(len(doc)):
            page = doc[i]
            height = page.get_height()
            boxes = []
            for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]):
                left, bottom, right, top = obj.get_bounds()
                boxes.append(
                    tuple(int(v * scale) for v in (left, height - top, right, height - bottom))
                )
            png = out / f"{path.stem}.p{i + 1}.png"
            page.render(scale=scale).to_pil().save(png)
            pages.append((png, boxes))
    finally:
        doc.close()
    return pages


@pytest.mark.parametrize("lang", ["en", "es"])
def test_pdf_pages_render_and_the_map_is_drawn(made: Made, lang: str, tmp_path: Path) -> None:
    from PIL import Image

    pdf = made.released[(lang, "pdf")]
    keep = Path(__import__("os").environ.get(PNG_DIR_ENV, tmp_path))
    keep.mkdir(parents=True, exist_ok=True)
    pages = render_pages(pdf, keep)
    assert len(pages) >= 3  # summary, a site per suspect source, notes and provenance
    png, boxes = pages[0]
    assert boxes, "the first page has no image: the map is missing"
    left, top, right, bottom = max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
    img = np.asarray(Image.open(png).convert("RGB")).astype(int)
    assert right - left > 0.6 * img.shape[1]  # a map across most of the page
    panel = img[top:bottom, left:right]
    # not blank: many colours, plenty of ink, and the suspect ellipses' red is drawn
    assert len(np.unique(panel.reshape(-1, 3), axis=0)) > 200
    ink = (panel.sum(axis=2) < 600).mean()
    assert ink > 0.02
    red = (panel[..., 0] > 150) & (panel[..., 1] < 90) & (panel[..., 2] < 90)
    assert red.sum() > 100, "no suspect (red) ellipse or marker on the map"
    # the posterior raster is drawn (yellow-orange cells of the YlOrRd colour map)
    orange = (panel[..., 0] > 230) & (panel[..., 1] > 120) & (panel[..., 2] < 140)
    assert orange.sum() > 50, "no posterior probability on the map"


def _literal_fragments(message: str) -> list[str]:
    """The literal pieces of a message id between its %(name)s placeholders."""
    parts = re.split(r"%\(\w+\)[sd]", message.replace("%%", "%"))
    return [p.strip(" .,;:()–") for p in parts if len(p.strip().split()) >= 2]


def test_spanish_report_has_no_english_fixed_text(made: Made) -> None:
    es = pdf_text(made.released[("es", "pdf")])
    en = pdf_text(made.released[("en", "pdf")])
    cat = read("es")
    checked = 0
    for msg in extract():
        if not msg.id:
            continue
        ids = msg.id if isinstance(msg.id, tuple) else (msg.id,)
        strings = cat[msg.id].string
        strings = strings if isinstance(strings, tuple) else (strings,)
        for mid, translated in zip(ids, strings, strict=False):
            for frag in _literal_fragments(mid):
                if frag in translated.replace("%%", "%"):
                    continue  # the same words in both languages
                assert frag not in es, f"English fixed text in the Spanish report: {frag!r}"
                checked += frag in en
    # the check has teeth: the English report shows many of these fragments
    assert checked >= 25
    assert "olfato detecta e informa" in es and "confirmación en tierra" in es
    assert "Declaración de confianza" in es and "Procedencia" in es


def test_both_reports_carry_the_caveat_and_provenance(made: Made) -> None:
    en = pdf_text(made.released[("en", "pdf")])
    assert CAVEAT in en
    assert "needs ground confirmation" in en
    sha = made.workspace.root  # provenance lists the input's checksum
    from olfato.store.workspace import sha256_file

    digest = sha256_file(made.analysis.csv)
    # the checksum wraps in a table cell: compare without spaces
    assert digest in en.replace(" ", "")
    assert "Confidence:" in en and sha.exists()


def test_numbers_and_dates_follow_the_locale(made: Made) -> None:
    en, es = Formatter("en"), Formatter("es")
    assert en.number(1234.5, 1) == "1,234.5"
    assert es.number(12345.5, 1) == "12.345,5"
    assert es.number(29.09609, 5) == "29,09609"
    assert en.datetime(1710455400) == "Mar 14, 2024, 10:30:00\u202fPM UTC"
    assert es.datetime(1710455400) == "14 mar 2024, 22:30:00 UTC"
    src = made.analysis.sources.sources[0]
    lat_es = es.coordinate(src.lat, "lat")
    assert lat_es in pdf_text(made.released[("es", "pdf")])
    assert "," in lat_es and "." not in lat_es


def test_catalogues_are_complete_and_carry_the_caveat() -> None:
    assert untranslated("es") == []
    assert untranslated("en") == []
    assert CAVEAT_MSG == CAVEAT


def test_notes_machine_translated_and_internal_notes_kept_in(made: Made) -> None:
    released_en = made.released[("en", "html")].read_text()
    released_es = made.released[("es", "html")].read_text()
    internal = made.internal_html.read_text()
    # the Spanish note: as written in the Spanish report, translated and marked in English
    assert SPANISH_NOTE in released_es
    if shutil.which("apertium"):
        assert "machine-translated from Spanish by apertium" in released_en
        assert "solvent" in released_en
    else:
        assert "not translated" in released_en
    # internal notes: in the internal report only
    assert INTERNAL_NOTE in internal
    assert INTERNAL_NOTE not in released_en and INTERNAL_NOTE not in released_es
    assert "K-7" not in pdf_text(made.released[("en", "pdf")])


def test_html_fetches_nothing(made: Made) -> None:
    html = made.released[("en", "html")].read_text()
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)
    assert "@import" not in html and "url(http" not in html


def test_report_cli_and_unknown_case(made: Made, tmp_path: Path) -> None:
    from olfato.cli import app

    runner = CliRunner()
    env = {"OLFATO_WORKSPACE": str(made.workspace.root), "OLFATO_DATABASE_URL": ""}
    env["OLFATO_DATABASE_URL"] = made.workspace.database_url
    r = runner.invoke(app, ["report", "nosuch", "--lang", "es"], env=env)
    assert r.exit_code == 1
    assert "no case called 'nosuch'" in r.output
    r = runner.invoke(
        app,
        [
            "report",
            CASE,
            "--lang",
            "es",
            "--format",
            "html",
            "--out",
            str(tmp_path),
            "--no-exports",
        ],
        env=env,
    )
    assert r.exit_code == 0, r.output
    made_files = sorted(p.name for p in tmp_path.iterdir())
    assert made_files == [f"{CASE}.report.v2.es.html"]  # v1 was the session's; never overwritten
    r = runner.invoke(app, ["report", CASE, "--lang", "fr"], env=env)
    assert r.exit_code == 1 and "'en' or 'es'" in r.output


def test_a_detection_is_listed_apart_with_its_bearing_and_never_suspect(tmp_path: Path) -> None:
    import dataclasses

    from olfato.casework.surveys import record_analysis
    from olfato.locate import locate
    from olfato.report.make import make_report
    from olfato.store.cases import new_case
    from olfato.store.db import Store
    from olfato.store.workspace import Workspace
    from tests.store.analysis import demo_analysis

    a = demo_analysis(tmp_path)
    k = int(a.hits.table["snr"].to_numpy().argmax())
    one = dataclasses.replace(
        a.hits,
        table=a.hits.table.iloc[[k]].reset_index(drop=True),
        fingerprints=[a.hits.fingerprints[k]],
    )
    found = locate(a.survey, one)
    assert not found.sources and len(found.detections) == 1
    ws = Workspace.locate(tmp_path / "ws", f"sqlite:///{tmp_path / 'ws' / 'case.db'}")
    with Store(ws) as store:
        new_case(store, "single")
        record_analysis(store, "single", a.csv, a.survey, one, found)
        made = make_report(store, "single", lang="es", fmt="html")
        html = store.workspace.resolve(made[0].path).read_text(encoding="utf-8")
    assert "Plumas vistas pero no localizadas" in html
    assert "D1" in html and "desde " in html
    assert "Probabilidad de que exista" in html
