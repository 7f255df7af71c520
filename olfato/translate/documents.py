"""Translate documents: plain text, HTML (markup kept), DOCX, and the text of PDFs.

One file or a whole folder. Each translation is written next to its input with the
target language before the extension (``informe.txt`` -> ``informe.en.txt``; a
language tag already there is replaced: ``informe.es.txt`` -> ``informe.en.txt``), or
under ``--out``. A PDF's translation is plain text (``acta.pdf`` -> ``acta.en.txt``):
olfato reads PDF text, it does not rebuild PDF layout. An input is never overwritten:
outputs are written to a temporary file and renamed, and a path that would replace
its input is refused. In a folder, a file that cannot be read is skipped and named
in the summary, and the other files are still translated.
"""

from __future__ import annotations

import html
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from olfato.progress import progress_bar
from olfato.translate import Translation, get_engine, translate_segments
from olfato.translate.engine import (
    LANGUAGES,
    Engine,
    TranslationError,
    check_language,
    other_language,
)
from olfato.translate.glossary import Glossary

#: the document kinds olfato translates, by extension
KINDS = {".txt": "text", ".text": "text", ".md": "text", ".html": "html", ".htm": "html",
         ".docx": "docx", ".pdf": "pdf"}  # fmt: skip
#: segments sent to the engine per call, so the progress bar moves on long documents
_CHUNK = 400


@dataclass
class DocumentResult:
    """What happened to one input file.

    Attributes
    ----------
    path : pathlib.Path
        The input file.
    output : pathlib.Path or None
        Where its translation was written.
    segments : int
        Non-blank segments (lines, paragraphs, cells) translated.
    unknown_words : list of str
        Source words the engine did not know.
    warnings : list of str
        Protected spans the engine dropped.
    skipped : str or None
        Why the file was skipped; None when it was translated.
    """

    path: Path
    output: Path | None = None
    segments: int = 0
    unknown_words: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: why the file was skipped (None when it was translated)
    skipped: str | None = None


@dataclass
class BatchResult:
    """What happened to every input file of one ``translate`` call.

    Attributes
    ----------
    results : list of DocumentResult
        One per input file, in the order they were read.
    """

    results: list[DocumentResult] = field(default_factory=list)

    @property
    def written(self) -> list[DocumentResult]:
        return [r for r in self.results if r.skipped is None]

    @property
    def skipped(self) -> list[DocumentResult]:
        return [r for r in self.results if r.skipped is not None]

    @property
    def unknown_words(self) -> list[str]:
        return list(dict.fromkeys(w for r in self.results for w in r.unknown_words))


def output_path(path: Path, to: str) -> Path:
    """Where the translation of ``path`` goes by default: beside it, language-tagged.

    Parameters
    ----------
    path : pathlib.Path
        The input document.
    to : str
        Target language, ``en`` or ``es``.

    Returns
    -------
    pathlib.Path
        ``informe.es.txt`` -> ``informe.en.txt``; a PDF's translation ends in ``.txt``.

    Raises
    ------
    TranslationError
        An unknown language.
    """
    to = check_language(to)
    kind = KINDS.get(path.suffix.lower())
    ext = ".txt" if kind == "pdf" else path.suffix
    stem = path.stem
    for lang in LANGUAGES:
        if stem.lower().endswith("." + lang):
            stem = stem[: -len(lang) - 1]
            break
    return path.with_name(f"{stem}.{to}{ext}")


def translate_path(
    path: Path,
    to: str,
    *,
    out: Path | None = None,
    source: str | None = None,
    engine: Engine | None = None,
    glossary: Glossary | None = None,
    quiet: bool = False,
) -> BatchResult:
    """Translate one document, or every document under a folder (recursively).

    Parameters
    ----------
    path : pathlib.Path
        A document or a folder; hidden files, earlier translations and files under
        ``out`` are left out of a folder.
    to : str
        Target language, ``en`` or ``es``.
    out : pathlib.Path, optional
        For a file: the output file, or a folder to write it in. For a folder: the
        folder that receives the translations, mirroring the input's tree. Beside
        each input when None.
    source : str, optional
        Source language; the other one of the pair when None.
    engine : Engine, optional
        Engine to use; the shared one from :func:`~olfato.translate.get_engine` when None.
    glossary : Glossary, optional
        Domain glossary; the shipped one when None.
    quiet : bool, default False
        Show no progress bar.

    Returns
    -------
    BatchResult
        One :class:`DocumentResult` per document; in a folder, a document that cannot
        be read is a skipped result rather than an error.

    Raises
    ------
    TranslationError
        ``path`` does not exist, a single file of an unsupported type or that cannot
        be translated, or a folder with no documents.
    """
    target = check_language(to, "target language", "to")
    source = check_language(source, "source language") if source else other_language(target)
    path = Path(path)
    if not path.exists():
        raise TranslationError(f"No such file or folder: {path}")
    engine = engine or get_engine(source=source, target=target)
    batch = BatchResult()
    if path.is_file():
        if path.suffix.lower() not in KINDS:
            raise TranslationError(
                f"{path}: olfato cannot translate '{path.suffix or 'extensionless'}' files.",
                hint=f"Supported: {', '.join(sorted(KINDS))}.",
            )
        dest = out if out is not None and not out.is_dir() else None
        if out is not None and out.is_dir():
            dest = out / output_path(path, target).name
        with progress_bar(f"Translating {path.name}", None, quiet=quiet) as advance:
            batch.results.append(
                translate_file(
                    path,
                    target,
                    dest,
                    source=source,
                    engine=engine,
                    glossary=glossary,
                    advance=advance,
                )
            )
        return batch

    files = _documents_in(path, target, out)
    if not files:
        raise TranslationError(
            f"{path} holds no documents to translate.",
            hint=f"Supported: {', '.join(sorted(KINDS))}.",
        )
    with progress_bar(f"Translating {len(files)} documents", len(files), quiet=quiet) as advance:
        for f in files:
            dest = None
            if out is not None:
                dest = out / f.relative_to(path).parent / output_path(f, target).name
            try:
                res = translate_file(
                    f, target, dest, source=source, engine=engine, glossary=glossary
                )
            except TranslationError as exc:
                res = DocumentResult(f, skipped=str(exc).split("\n")[0])
            batch.results.append(res)
            advance(1)
    return batch


def _documents_in(folder: Path, target: str, out: Path | None) -> list[Path]:
    out_resolved = out.resolve() if out is not None else None
    files = []
    for f in sorted(folder.rglob("*")):
        if not f.is_file() or f.suffix.lower() not in KINDS or f.name.startswith("."):
            continue
        if f.stem.lower().endswith("." + target):
            continue  # a translation written by an earlier run
        if out_resolved is not None and f.resolve().is_relative_to(out_resolved):
            continue
        files.append(f)
    return files


def translate_file(
    path: Path,
    to: str,
    out: Path | None = None,
    *,
    source: str | None = None,
    engine: Engine | None = None,
    glossary: Glossary | None = None,
    advance: Callable[[float], None] | None = None,
) -> DocumentResult:
    """Translate one document and write its translation; raises on unreadable input.

    Parameters
    ----------
    path : pathlib.Path
        A ``.txt``/``.md``, ``.html``, ``.docx`` or ``.pdf`` document.
    to : str
        Target language, ``en`` or ``es``.
    out : pathlib.Path, optional
        Output file; :func:`output_path` when None.
    source : str, optional
        Source language; the other one of the pair when None.
    engine : Engine, optional
        Engine to use; the shared one when None.
    glossary : Glossary, optional
        Domain glossary; the shipped one when None.
    advance : callable, optional
        Progress callback, called with the number of segments done.

    Returns
    -------
    DocumentResult
        The output path, segment count, unknown words and warnings.

    Raises
    ------
    TranslationError
        An unsupported or unreadable document, or an output that would overwrite
        the input (``parameter="out"``).
    """
    target = check_language(to, "target language", "to")
    source = check_language(source, "source language") if source else other_language(target)
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise TranslationError(f"{path}: unsupported file type '{path.suffix}'.")
    dest = out if out is not None else output_path(path, target)
    if dest.resolve() == path.resolve():
        raise TranslationError(
            f"{path}: the output would overwrite the input.",
            hint="Choose another output path.",
            parameter="out",
        )
    engine = engine or get_engine(source=source, target=target)
    result = DocumentResult(path, dest)
    seen: list[str] = []

    def run(segments: Sequence[str], markup: bool = False) -> list[Translation]:
        done: list[Translation] = []
        for i in range(0, len(segments), _CHUNK):
            part = segments[i : i + _CHUNK]
            done.extend(
                translate_segments(
                    part, target, source=source, engine=engine, glossary=glossary, markup=markup
                )
            )
            if advance is not None:
                advance(len(part))
        result.segments += sum(1 for s in segments if s.strip())
        seen.extend(s for s in segments if s.strip())
        for t in done:
            result.unknown_words.extend(w for w in t.unknown_words if w not in result.unknown_words)
            result.warnings.extend(t.warnings)
        return done

    if kind == "text":
        text = _read_text(path)
        lines = text.split("\n")
        _write_text(dest, "\n".join(t.text for t in run(lines)))
    elif kind == "html":
        parser = _HtmlSegments()
        try:
            parser.feed(_read_text(path))
            parser.close()
        except AssertionError as exc:  # html.parser's way of rejecting broken markup
            raise TranslationError(f"{path}: the HTML cannot be parsed ({exc}).") from exc
        done = run(parser.segments, markup=True)
        _write_text(dest, parser.render([t.text for t in done]))
    elif kind == "docx":
        _translate_docx(path, dest, run)
    else:
        pages = _pdf_pages(path)
        out_pages = []
        for page in pages:
            paragraphs = _reflow(page)
            out_pages.append("\n\n".join(t.text for t in run(paragraphs)))
        _write_text(dest, "\n\f\n".join(out_pages) + "\n")
    if not result.segments:
        result.warnings.append("the document holds no text: nothing was translated")
    elif looks_like(" ".join(seen)) == target:
        result.warnings.append(
            f"the text looks like {_LANGUAGE_NAMES[target]} already; "
            f"it was translated into {_LANGUAGE_NAMES[target]} (check the target language)"
        )
    return result


#: the commonest function words of each language (closed classes, so a short text
#: shows them); words spelled alike in both (a, no, me) are left out
_STOPWORDS = {
    "es": frozenset(
        "el la los las un una unos unas de del y en que por para con se su sus al es "
        "está están fue como pero más muy este esta estos estas ese esa hay sin sobre "
        "entre desde hasta también cuando donde lo le les".split()
    ),
    "en": frozenset(
        "the of and to in is are was were that this these those with for on by from at "
        "it its be has have had not but which who when where there their an or as".split()
    ),
}
_LANGUAGE_NAMES = {"es": "Spanish", "en": "English"}


def looks_like(text: str, *, min_words: int = 5) -> str | None:
    """The language a text is most likely in, by its function words.

    Parameters
    ----------
    text : str
        Any amount of running text.
    min_words : int
        Fewest function words to judge by.

    Returns
    -------
    str or None
        ``"es"`` or ``"en"`` when one language's function words are at least three
        times as common as the other's; None when the text is too short to tell.
    """
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", text)]
    counts = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    es, en = counts["es"], counts["en"]
    if es + en < min_words:
        return None
    if es >= 3 * max(en, 1):
        return "es"
    if en >= 3 * max(es, 1):
        return "en"
    return None


# --- plain text ------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TranslationError(
            f"{path} is not UTF-8 text (byte {exc.start} cannot be decoded); it was not "
            "translated.",
            hint=f"Convert it first, e.g. iconv -f latin1 -t utf-8 '{path}' > converted.txt",
        ) from exc


def _write_text(dest: Path, text: str) -> None:
    _atomic_write(dest, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def _atomic_write(dest: Path, write: Callable[[str], object]) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- HTML ------------------------------------------------------------------------------

#: tags that sit inside a sentence: they travel with its text (as protected markup)
INLINE = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i",
          "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time",
          "u", "var", "wbr"}  # fmt: skip
_KEEP_ENTITIES = {"lt", "gt", "amp", "quot", "apos"}


class _HtmlSegments(HTMLParser):
    """Split HTML into translatable segments (block text with its inline markup)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.parts: list[str | int] = []  # raw markup, or an index into segments
        self.segments: list[str] = []
        self._current: list[str] = []
        self._has_text = False
        self._raw_depth = 0  # inside <script>/<style>: copy, never translate

    def _flush(self) -> None:
        chunk = "".join(self._current)
        if self._has_text:
            self.parts.append(len(self.segments))
            self.segments.append(chunk)
        elif chunk:
            self.parts.append(chunk)
        self._current, self._has_text = [], False

    def _markup(self, raw: str, inline: bool) -> None:
        if inline and not self._raw_depth:
            self._current.append(raw)
        else:
            self._flush()
            self.parts.append(raw)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._markup(self.get_starttag_text() or f"<{tag}>", tag in INLINE)
        if tag in ("script", "style"):
            self._raw_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._markup(self.get_starttag_text() or f"<{tag}/>", tag in INLINE)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._raw_depth:
            self._raw_depth -= 1
        self._markup(f"</{tag}>", tag in INLINE)

    def handle_data(self, data: str) -> None:
        if self._raw_depth:
            self.parts.append(data)
            return
        self._current.append(data.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
        self._has_text = self._has_text or bool(data.strip())

    def handle_entityref(self, name: str) -> None:
        text = html.unescape(f"&{name};")
        if name in _KEEP_ENTITIES or text == f"&{name};":
            self._current.append(f"&{name};")  # stays an entity, protected as markup
        else:
            self.handle_data(text)

    def handle_charref(self, name: str) -> None:
        text = html.unescape(f"&#{name};")
        if text in "<>&\"'":
            self._current.append(f"&#{name};")
        else:
            self.handle_data(text)

    def handle_comment(self, data: str) -> None:
        self._markup(f"<!--{data}-->", False)

    def handle_decl(self, decl: str) -> None:
        self._markup(f"<!{decl}>", False)

    def handle_pi(self, data: str) -> None:
        self._markup(f"<?{data}>", False)

    def unknown_decl(self, data: str) -> None:
        self._markup(f"<![{data}]>", False)

    def close(self) -> None:
        super().close()
        self._flush()

    def render(self, translated: Sequence[str]) -> str:
        return "".join(p if isinstance(p, str) else translated[p] for p in self.parts)


# --- DOCX ------------------------------------------------------------------------------


def _translate_docx(
    path: Path, dest: Path, run: Callable[[Sequence[str]], list[Translation]]
) -> None:
    import docx

    if path.stat().st_size == 0:
        raise TranslationError(f"{path} is empty (0 bytes), not a Word document (.docx).")
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises zip, XML and key errors for broken files
        raise TranslationError(
            f"{path} cannot be read as a Word document (.docx): {type(exc).__name__}: {exc}"
        ) from exc
    paragraphs = [p for p in _docx_paragraphs(document) if p.text.strip() and p.runs]
    done = run([p.text for p in paragraphs])
    for p, t in zip(paragraphs, done, strict=True):
        # the paragraph keeps its style; its text goes into the first run (run-level
        # formatting inside a sentence cannot follow words the engine reorders)
        runs = p.runs
        runs[0].text = t.text
        for r in runs[1:]:
            r.text = ""
    _atomic_write(dest, document.save)


def _docx_paragraphs(document: Any) -> list[Any]:
    out: list[Any] = []

    def walk(container: Any) -> None:
        out.extend(getattr(container, "paragraphs", []))
        for table in getattr(container, "tables", []):
            for row in table.rows:
                for cell in row.cells:
                    walk(cell)

    walk(document)
    for section in getattr(document, "sections", []):
        for part in (section.header, section.footer):
            if not part.is_linked_to_previous:
                walk(part)
    # merged table cells repeat the same paragraph objects
    seen: set[int] = set()
    unique = []
    for p in out:
        key = id(p._p)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


# --- PDF -------------------------------------------------------------------------------


def _pdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise TranslationError(f"{path} is an encrypted PDF; decrypt it first.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except TranslationError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError) as exc:
        raise TranslationError(f"{path} cannot be read as a PDF: {exc}") from exc
    if not any(p.strip() for p in pages):
        raise TranslationError(
            f"{path} has no text layer (a scanned PDF?); nothing to translate.",
            hint="Run OCR on it first (e.g. ocrmypdf -l spa).",
        )
    return pages


def _reflow(page: str) -> list[str]:
    """A PDF page's lines joined into paragraphs (blank lines separate paragraphs)."""
    paragraphs: list[str] = []
    current = ""
    for line in page.splitlines():
        line = line.strip()
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
        elif current.endswith("-") and line[:1].islower():
            current = current[:-1] + line  # a word hyphenated across lines
        else:
            current = f"{current} {line}" if current else line
    if current:
        paragraphs.append(current)
    return paragraphs
