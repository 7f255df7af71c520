from __future__ import annotations

from pathlib import Path

import pytest

from olfato.translate.engine import TranslationError
from olfato.translate.glossary import load_glossary, pluralise_en, pluralise_es
from olfato.translate.protect import Masked, Span, find_protected, mask, restore


def targets(text: str, source: str) -> list[str]:
    return [s.target for s in load_glossary().find(text, source)]


def test_shipped_glossary_has_the_case_terms_both_ways() -> None:
    pairs = [
        ("laboratorio clandestino", "clandestine lab"),
        ("dron", "drone"),
        ("precursor químico", "chemical precursor"),
        ("pista clandestina", "clandestine airstrip"),
        ("gasolinera", "fuel station"),
        ("granja ganadera", "livestock farm"),
        ("relleno sanitario", "landfill"),
        ("quema a cielo abierto", "open burning"),
        ("aguas residuales", "wastewater"),
        ("cloruro de hidrógeno", "hydrogen chloride"),
        ("compuestos orgánicos volátiles", "volatile organic compounds"),
        ("tasa de emisión", "emission rate"),
        ("confirmación en tierra", "ground confirmation"),
        ("pluma", "plume"),
    ]
    for es, en in pairs:
        assert targets(es, "es") == [en], es
        assert targets(en, "en") == [es], en


def test_plurals_case_and_accents_are_matched() -> None:
    assert targets("Los laboratorios clandestinos y dos drones", "es") == [
        "clandestine labs",
        "drones",
    ]
    assert targets("PRECURSORES QUIMICOS", "es") == ["CHEMICAL PRECURSORS"]
    assert targets("Two clandestine laboratories", "en") == ["laboratorios clandestinos"]
    assert targets("the emission rates", "en") == ["tasas de emisión"]


def test_acronyms_match_only_in_capitals_and_not_inside_codes() -> None:
    assert targets("El SARS-CoV-2 y el virus", "es") == []
    assert targets("niveles de COV", "es") == ["VOC"]


def test_pluralisation_rules() -> None:
    assert pluralise_es("tasa de emisión") == "tasas de emisión"
    assert pluralise_es("emisión") == "emisiones"
    assert pluralise_es("luz") == "luces"
    assert pluralise_en("port of entry") == "ports of entry"
    assert pluralise_en("emission rate") == "emission rates"


def test_user_yaml_extends_and_overrides(tmp_path: Path) -> None:
    user = tmp_path / "mine.yaml"
    user.write_text(
        "terms:\n"
        "  - {es: pluma, en: gas plume, gender: f}\n"
        "  - {es: halcón, en: lookout, gender: m}\n"
        "keep: [Sonoita]\n",
        encoding="utf-8",
    )
    g = load_glossary([user])
    assert [s.target for s in g.find("la pluma y el halcón", "es")] == ["gas plume", "lookout"]
    assert [s.target for s in g.find("el dron", "es")] == ["drone"]  # shipped terms stay
    assert "Sonoita" in g.keep and "Tijuana" in g.keep


def test_tmx_glossary(tmp_path: Path) -> None:
    tmx = tmp_path / "terms.tmx"
    tmx.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><body>'
        '<tu><prop type="gender">f</prop><tuv xml:lang="es"><seg>narcoavioneta</seg></tuv>'
        '<tuv xml:lang="en-US"><seg>drug plane</seg></tuv></tu></body></tmx>',
        encoding="utf-8",
    )
    g = load_glossary([tmx], include_default=False)
    assert [(s.target, s.gender) for s in g.find("una narcoavioneta", "es")] == [
        ("drug plane", "f")
    ]
    assert [s.target for s in g.find("the drug planes", "en")] == ["narcoavionetas"]


@pytest.mark.parametrize(
    "content, message",
    [("terms: [{es: dron}]\n", "needs both"), ("terms: [unclosed\n", "cannot be read")],
)
def test_bad_glossary_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(TranslationError, match=message):
        load_glossary([bad])
    with pytest.raises(TranslationError, match="not found"):
        load_glossary([tmp_path / "missing.yaml"])


def test_protected_tokens_are_found() -> None:
    text = (
        "Vimos la camioneta BCN-4521-A en 32.5149, -117.0382 y en 31°19'48\"N 110°56'24\"W "
        "y en 29.0961 N, 111.0443 O; la fuerza fue de 5 N "
        "el 15/03/2024 a las 14:30; llamó al +52 664 123 4567 y escribió a a.b@ejemplo.mx "
        "desde https://ejemplo.mx/x. Emite 3.5 g/s y pesa 40 kg en Tijuana; 5 in Europe."
    )
    found = {(s.kind, s.source) for s in find_protected(text, load_glossary().keep)}
    assert {
        ("plate", "BCN-4521-A"),
        ("coordinate", "32.5149, -117.0382"),
        ("coordinate", "31°19'48\"N 110°56'24\"W"),
        ("coordinate", "29.0961 N, 111.0443 O"),
        ("date", "15/03/2024"),
        ("time", "14:30"),
        ("phone", "+52 664 123 4567"),
        ("email", "a.b@ejemplo.mx"),
        ("url", "https://ejemplo.mx/x"),
        ("quantity", "3.5 g/s"),
        ("quantity", "40 kg"),
        ("name", "Tijuana"),
    } <= found
    assert ("quantity", "5 in") not in found  # "in" after a number is a word here
    assert not any(s.startswith("5 N") for k, s in found if k == "coordinate")


def term(target: str, gender: str, number: str = "sg") -> Span:
    return Span(0, 1, "term", "x", target, gender, number)


def test_restore_makes_spanish_articles_agree() -> None:
    spans = [term("pluma", "f"), term("laboratorios clandestinos", "m", "pl"), term("fuente", "f")]
    masked = Masked("", "QZX", spans)
    out, warnings = restore("El QZX0 detectado cerca de los QZX1 del QZX2.", masked, "es")
    assert out == "La pluma detectada cerca de los laboratorios clandestinos de la fuente."
    assert warnings == []


def test_restore_fixes_english_a_an_and_never_drops_a_term() -> None:
    masked = mask("una tasa de emisión y 3.5 g/s", [
        Span(4, 19, "term", "tasa de emisión", "emission rate", "f", "sg"),
        Span(22, 29, "quantity", "3.5 g/s", "3.5 g/s"),
    ])  # fmt: skip
    assert masked.text == "una QZX0 y QZX1"
    out, warnings = restore("a QZX0 and", masked, "en")
    assert out == "an emission rate and [3.5 g/s]"
    assert len(warnings) == 1 and "3.5 g/s" in warnings[0]
