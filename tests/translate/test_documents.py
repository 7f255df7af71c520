from __future__ import annotations

import zlib
from pathlib import Path

import docx
import pytest

from olfato.translate.documents import output_path, translate_path
from olfato.translate.engine import TranslationError
from tests.translate.conftest import WordEngine


def make_pdf(path: Path, lines: list[str]) -> Path:
    """A minimal one-page PDF with a text layer (Helvetica, WinAnsi)."""
    ops = ["BT", "/F1 12 Tf", "72 720 Td", "14 TL"]
    for line in lines:
        esc = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({esc}) Tj T*")
    ops.append("ET")
    stream = zlib.compress("\n".join(ops).encode("cp1252"))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def test_output_names() -> None:
    assert output_path(Path("d/informe.txt"), "en") == Path("d/informe.en.txt")
    assert output_path(Path("d/informe.es.html"), "en") == Path("d/informe.en.html")
    assert output_path(Path("d/acta.pdf"), "en") == Path("d/acta.en.txt")
    assert output_path(Path("d/report.docx"), "es") == Path("d/report.es.docx")


def test_text_file_translated_beside_input(tmp_path: Path, word_engine: WordEngine) -> None:
    src = tmp_path / "nota.txt"
    original = "Hola mundo\n\nEl dron cruzó la pluma en Tijuana.\n"
    src.write_text(original, encoding="utf-8")
    batch = translate_path(src, "en", engine=word_engine, quiet=True)
    out = tmp_path / "nota.en.txt"
    assert batch.written[0].output == out
    assert (
        out.read_text(encoding="utf-8")
        == "Hello world\n\nThe drone crossed the plume in Tijuana.\n"
    )
    assert src.read_text(encoding="utf-8") == original


def test_non_utf8_text_is_refused_and_nothing_written(
    tmp_path: Path, word_engine: WordEngine
) -> None:
    src = tmp_path / "latin1.txt"
    src.write_bytes("El dron cruzó la frontera".encode("latin-1"))
    with pytest.raises(TranslationError, match="latin1.txt is not UTF-8"):
        translate_path(src, "en", engine=word_engine, quiet=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latin1.txt"]


def test_html_markup_is_kept(tmp_path: Path, word_engine: WordEngine) -> None:
    src = tmp_path / "p.html"
    src.write_text(
        "<html><head><title>Hola mundo</title><style>p{color:red}</style></head>"
        '<body><p class="x">El <b>dron</b> cruzó la pluma &amp; el viento&nbsp;</p>'
        "<script>var dron = 1;</script><!-- el dron --></body></html>",
        encoding="utf-8",
    )
    translate_path(src, "en", engine=word_engine, quiet=True)
    out = (tmp_path / "p.en.html").read_text(encoding="utf-8")
    assert out == (
        "<html><head><title>Hello world</title><style>p{color:red}</style></head>"
        '<body><p class="x">The <b>drone</b> crossed the plume &amp; the wind\xa0</p>'
        "<script>var dron = 1;</script><!-- el dron --></body></html>"
    )


def test_docx_paragraphs_and_tables(tmp_path: Path, word_engine: WordEngine) -> None:
    src = tmp_path / "acta.docx"
    d = docx.Document()
    d.add_heading("El dron", level=1)
    p = d.add_paragraph("El ")
    p.add_run("dron").bold = True
    p.add_run(" cruzó la pluma.")
    d.add_table(rows=1, cols=2).rows[0].cells[1].text = "la pluma de acetona"
    d.save(str(src))
    translate_path(src, "en", engine=word_engine, quiet=True)
    out = docx.Document(str(tmp_path / "acta.en.docx"))
    assert [p.text for p in out.paragraphs] == ["The drone", "The drone crossed the plume."]
    assert out.paragraphs[0].style.name == "Heading 1"
    assert out.tables[0].rows[0].cells[1].text == "the plume of acetone"


def test_pdf_text_is_translated_to_a_text_file(tmp_path: Path, word_engine: WordEngine) -> None:
    src = make_pdf(tmp_path / "acta.pdf", ["El dron cruzo la pluma", "en Tijuana el 15/03/2024."])
    translate_path(src, "en", engine=word_engine, quiet=True)
    out = (tmp_path / "acta.en.txt").read_text(encoding="utf-8")
    assert "The drone cruzo the plume in Tijuana the 15/03/2024." in out


def test_folder_skips_corrupted_files_by_name(tmp_path: Path, word_engine: WordEngine) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ok.txt").write_text("Hola mundo\n", encoding="utf-8")
    (tmp_path / "roto.docx").write_bytes(b"PK\x03\x04 this is not a zip")
    (tmp_path / "roto.pdf").write_bytes(b"%PDF-1.4\n garbage")
    (tmp_path / "old.en.txt").write_text("an earlier output\n", encoding="utf-8")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    batch = translate_path(tmp_path, "en", engine=word_engine, quiet=True)
    assert [r.path.name for r in batch.written] == ["ok.txt"]
    skipped = {r.path.name: r.skipped for r in batch.skipped}
    assert set(skipped) == {"roto.docx", "roto.pdf"}
    assert "roto.docx cannot be read as a Word document" in str(skipped["roto.docx"])
    assert "roto.pdf cannot be read as a PDF" in str(skipped["roto.pdf"])
    assert (tmp_path / "sub" / "ok.en.txt").read_text(encoding="utf-8") == "Hello world\n"
    assert not (tmp_path / "roto.en.docx").exists()
    assert (tmp_path / "roto.docx").read_bytes() == b"PK\x03\x04 this is not a zip"


def test_folder_with_out_mirrors_the_tree(tmp_path: Path, word_engine: WordEngine) -> None:
    (tmp_path / "in" / "a").mkdir(parents=True)
    (tmp_path / "in" / "a" / "x.es.txt").write_text("Hola mundo", encoding="utf-8")
    translate_path(tmp_path / "in", "en", out=tmp_path / "out", engine=word_engine, quiet=True)
    assert (tmp_path / "out" / "a" / "x.en.txt").read_text(encoding="utf-8") == "Hello world"


def test_output_never_replaces_the_input(tmp_path: Path, word_engine: WordEngine) -> None:
    src = tmp_path / "n.txt"
    src.write_text("Hola", encoding="utf-8")
    with pytest.raises(TranslationError, match="overwrite the input"):
        translate_path(src, "en", out=src, engine=word_engine, quiet=True)
    assert src.read_text(encoding="utf-8") == "Hola"
