"""`olfato translate FILE_OR_DIR --to en|es`: translate documents offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from olfato.options import QuietOpt
from olfato.progress import console, say

_SHOW_UNKNOWN = 30


def translate_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="A document (.txt, .md, .html, .docx, .pdf) or a folder of them; "
            "'-' reads text from standard input and prints the translation."
        ),
    ],
    to: Annotated[str, typer.Option("--to", help="Target language: en or es.")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Output file (one document) or folder; default: beside each input, "
            "as NAME.<lang>.EXT.",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--from", help="Source language (default: the other one of en/es)."),
    ] = None,
    engine: Annotated[
        str | None,
        typer.Option("--engine", help="apertium (default) or ctranslate2 (needs --model)."),
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option(
            "--model",
            help="A CTranslate2 model folder for this direction (or OLFATO_TRANSLATE_MODEL).",
        ),
    ] = None,
    glossary: Annotated[
        list[Path] | None,
        typer.Option(
            "--glossary", "-g", help="Your glossary (YAML or TMX), added to the shipped one."
        ),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Translate documents between Spanish and English, offline, with the domain glossary.

    Glossary terms, names, numbers and units, coordinates, dates, plates and phone
    numbers come out fixed; words the engine did not know are listed for the analyst.
    """
    import sys

    from olfato.translate import get_engine, load_glossary, translate_text
    from olfato.translate.documents import translate_path
    from olfato.translate.engine import TranslationError, check_language, other_language

    target = check_language(to, "target language (--to)")
    src = check_language(source, "source language (--from)") if source else other_language(target)
    if str(path) != "-" and not path.exists():
        raise TranslationError(f"No such file or folder: {path}")
    gloss = load_glossary(glossary or [])
    eng = get_engine(engine, model=model, source=src, target=target)

    if str(path) == "-":
        t = translate_text(sys.stdin.read(), target, src, eng, glossary=gloss)
        typer.echo(t.text, nl=False)
        _report_unknown(t.unknown_words)
        return

    batch = translate_path(
        path, target, out=out, source=src, engine=eng, glossary=gloss, quiet=quiet
    )
    stdout = Console(highlight=False, soft_wrap=True)
    for r in batch.written:
        stdout.print(f"{r.path} -> {r.output} ({r.segments} segments)")
        for w in r.warnings:
            say("warning", f"{r.path}: {w}")
    for r in batch.skipped:
        say("skipped", str(r.skipped))
    _report_unknown(batch.unknown_words)
    if batch.skipped:
        raise typer.Exit(1)


def _report_unknown(words: list[str]) -> None:
    if not words:
        return
    shown = ", ".join(words[:_SHOW_UNKNOWN])
    more = f" and {len(words) - _SHOW_UNKNOWN} more" if len(words) > _SHOW_UNKNOWN else ""
    console.print(
        f"[yellow]unknown words[/] (passed through untranslated; check them): {shown}{more}",
        highlight=False,
        soft_wrap=True,
    )
