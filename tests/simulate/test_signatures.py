"""The signature library (olfato.chemistry.signatures)."""

from __future__ import annotations

import pytest

from olfato.chemistry.signatures import default_path, load_signatures
from olfato.errors import OlfatoError
from tests.conftest import shared_file

HEAD = "version: 1\nsignatures:\n  "


def test_default_library():
    lib = load_signatures()
    assert len(lib) == 7
    lab = lib["clandestine_lab"]
    assert lab.suspect and lab.reference == "acetone" and lab.ratios["voc"] == 2.2
    assert lab.spread == 0.4
    assert {s.name for s in lib.by_category("suspect")} == {"clandestine_lab"}


def test_shipped_copy_matches_the_shared_library():
    shared = shared_file("signatures", "default.yaml")
    assert default_path().read_bytes() == shared.read_bytes()


def test_unknown_signature_is_a_clear_error():
    with pytest.raises(OlfatoError, match=r"unknown signature 'meth'.*clandestine_lab"):
        load_signatures()["meth"]


def test_extra_file_adds_and_replaces(tmp_path):
    extra = tmp_path / "mine.yaml"
    extra.write_text(
        "version: 1\nsignatures:\n"
        "  tannery: {category: benign, reference: h2s, ratios: {h2s: 1, nh3: 3}, spread: 0.5}\n"
        "  fuel_station: {category: benign, reference: voc,"
        " ratios: {voc: 1, toluene: 0.2}, spread: 0.3}\n",
        encoding="utf-8",
    )
    lib = load_signatures(extra=extra)
    assert len(lib) == 8 and lib["tannery"].ratios == {"h2s": 1.0, "nh3": 3.0}
    assert lib["fuel_station"].ratios["toluene"] == 0.2
    only = load_signatures(extra)
    assert only.names == ["tannery", "fuel_station"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (
            HEAD + "x: {category: evil, reference: co, ratios: {co: 1}, spread: 0.1}\n",
            "signature 'x', field 'signatures.x.category'",
        ),
        (
            HEAD + "x: {category: benign, reference: co, ratios: {co: 1, nh3: -2}, spread: 0.1}\n",
            "ratio of 'nh3' must be > 0",
        ),
        (
            HEAD + "x: {category: benign, reference: co, ratios: {nh3: 1}, spread: 0.1}\n",
            "reference analyte 'co' is not among its ratios",
        ),
        (
            HEAD
            + "x: {category: benign, reference: co, ratios: {co: 1, unobtainium: 2}, spread: 0}\n",
            "unknown analyte 'unobtainium'",
        ),
        ("version: 2\nsignatures: {}\n", "field 'version'"),
        ("signatures: [oops\n", "not valid YAML"),
    ],
)
def test_bad_library_files(tmp_path, body, needle):
    p = tmp_path / "lib.yaml"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(OlfatoError) as err:
        load_signatures(p)
    assert str(p) in str(err.value) and needle in str(err.value)
