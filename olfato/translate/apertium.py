"""Apertium (rule-based, offline) as olfato's default translation engine.

Apertium's eng-spa pair (Debian package ``apertium-eng-spa``) translates with a pipe of
about ten small programs. Starting that pipe costs far more than translating one
sentence, so the engine keeps one pipe per direction alive in null-flush mode
(``apertium -z``): a request ends with a NUL byte, and every stage flushes its output
when it sees one, so the answer comes back without closing the pipe.

We feed Apertium its own stream format (``-f none``) rather than plain text, which
lets us mark where one segment ends and the next begins with "superblanks"
(``[...]``, which every stage passes through untouched), so a whole batch goes through
in one request. Unknown words come back marked (``*word``: not in the source
dictionary, ``@word``: no bilingual entry); we strip the marks and report the words.
"""

from __future__ import annotations

import os
import re
import selectors
import shutil
import signal
import subprocess
import tempfile
import threading
import weakref
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from olfato.translate.engine import Engine, EngineOutput, TranslationError, check_language

#: Apertium mode for each (source, target)
MODES = {("es", "en"): "spa-eng", ("en", "es"): "eng-spa"}
INSTALL_HINT = (
    "Install Apertium's English-Spanish pair: 'apt-get install apertium-eng-spa' as root "
    "(or 'make system-deps'), or use the ctranslate2 engine with a model folder."
)

# Characters that are syntax in Apertium's stream format and must be escaped in text.
_SPECIAL = re.compile(r"([\\\[\]^$@/<>{}])")
_SEG = "[<olfato:seg>]"
_DOT = "[<olfato:dot>]"
#: a request is cut into pieces of about this many characters, so no pipe buffer fills
_REQUEST_CHARS = 16_000
_SENTENCE_END = ".!?…:;"


def encode_segment(segment: str) -> str:
    """A plain-text segment in Apertium stream format, ending with the segment mark.

    A segment without closing punctuation gets a full stop, as apertium-destxt does,
    so the transfer rules never join the words of two segments; the stop is
    followed by a mark that tells :func:`decode_stream` to take it out again.

    Parameters
    ----------
    segment : str
        Plain text; NUL bytes are dropped, stream-format syntax is escaped.

    Returns
    -------
    str
        The segment in stream format, followed by the segment mark.
    """
    text = segment.replace("\0", "")
    text = _SPECIAL.sub(r"\\\1", text)
    # line breaks inside a segment (wrapped PDF lines) become blanks Apertium keeps
    text = text.replace("\r\n", "\n").replace("\n", "[\n]")
    stripped = segment.rstrip()
    dot = "" if stripped and stripped[-1] in _SENTENCE_END else "." + _DOT
    return text + dot + _SEG


_MARKS = {"*": "unknown", "@": "no-bilingual", "#": "no-generation"}


def decode_segment(raw: str) -> EngineOutput:
    """Apertium's output for one segment as plain text, with its unknown words.

    Parameters
    ----------
    raw : str
        Apertium's stream-format output for one segment, without the segment mark.

    Returns
    -------
    EngineOutput
        The plain text (escapes and marks removed, the added full stop taken out) and
        the words marked unknown (``*``) or without a bilingual entry (``@``).
    """
    out: list[str] = []
    unknown: list[str] = []
    i, n = 0, len(raw)
    while i < n:
        c = raw[i]
        if c == "\\" and i + 1 < n:
            out.append(raw[i + 1])
            i += 2
        elif c == "[":
            j = i + 1
            while j < n and raw[j] != "]":
                j += 2 if raw[j] == "\\" else 1
            content = raw[i + 1 : j]
            if content == "<olfato:dot>":
                # the full stop encode_segment added; Apertium may have put a space before it
                while out and out[-1].isspace():
                    out.pop()
                if out and out[-1] == ".":
                    out.pop()
            else:
                out.append(content.replace("\\]", "]").replace("\\\\", "\\"))
            i = j + 1
        elif (
            c in _MARKS
            and i + 1 < n
            and (raw[i + 1].isalpha() if c == "#" else raw[i + 1].isalnum())
            and (not out or not out[-1][-1:].isalnum())
        ):
            j = i + 1
            while j < n and (raw[j].isalnum() or raw[j] in "-'’_"):
                j += 1
            word = raw[i + 1 : j]
            if c != "#":  # '#': a known word whose inflection failed; not unknown to analysts
                unknown.append(word)
            out.append(word)
            i = j
        else:
            out.append(c)
            i += 1
    return EngineOutput(text="".join(out).strip(), unknown_words=unknown)


#: where Debian (and a source build) put the language pairs' mode files
DATA_DIRS = ("/usr/share/apertium", "/usr/local/share/apertium")


def _mode_file(mode: str) -> Path | None:
    dirs = [os.environ["APERTIUM_DATADIR"]] if os.environ.get("APERTIUM_DATADIR") else []
    for d in [*dirs, *DATA_DIRS]:
        path = Path(d) / "modes" / f"{mode}.mode"
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=4)
def pipeline_command(mode: str) -> str:
    """The shell pipeline of one Apertium mode, every stage in null-flush mode.

    We run the pipeline ourselves rather than through the ``apertium`` script: its
    gawk wrapper splits records on a regular expression and so waits for bytes after
    the NUL before it flushes, which stalls a persistent process.

    Parameters
    ----------
    mode : str
        Apertium mode name, ``spa-eng`` or ``eng-spa``.

    Returns
    -------
    str
        The bash pipeline, each stage with ``-z``.

    Raises
    ------
    TranslationError
        Apertium (``lt-proc``) or the mode's file is not installed.
    """
    if shutil.which("lt-proc") is None:
        raise TranslationError(
            "Apertium is not installed (no 'lt-proc' command).", hint=INSTALL_HINT
        )
    path = _mode_file(mode)
    if path is None:
        raise TranslationError(
            f"Apertium's {mode} mode is not installed (no {mode}.mode under "
            f"{', '.join(DATA_DIRS)}).",
            hint=INSTALL_HINT,
        )
    line = ""
    if shutil.which("apertium-wblank-mode"):
        # wblank-mode inserts the word-bound-blank stages of newer pipes and adds -z
        res = subprocess.run(
            ["apertium-wblank-mode", "-z", str(path)], capture_output=True, text=True, env=_env()
        )
        line = res.stdout.strip() if res.returncode == 0 else ""
    if not line:
        text = path.read_text(encoding="utf-8").strip()
        line = " | ".join(re.sub(r"^(\S+)", r"\1 -z", stage.strip()) for stage in text.split("|"))
    # $1: lt-proc generation flag (-g marks unknown words); $2: tagger option (none)
    return line.replace("$1", "-g").replace("$2", "")


def apertium_available() -> bool:
    """True when Apertium and both eng-spa modes are installed.

    Returns
    -------
    bool
        Whether :class:`ApertiumEngine` can start.
    """
    try:
        for mode in MODES.values():
            pipeline_command(mode)
    except TranslationError:
        return False
    return True


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["LC_ALL"] = "C.UTF-8"  # Apertium's tools read and write UTF-8 only
    return env


class _Pipe:
    """One long-running ``apertium -z -f none MODE`` process group."""

    def __init__(self, mode: str, timeout_s: float) -> None:
        self.mode = mode
        self.timeout_s = timeout_s
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            ["bash", "-c", pipeline_command(mode)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=_env(),
            start_new_session=True,  # its own process group, so close() ends every stage
        )
        self._requests = 0
        self._finalizer = weakref.finalize(self, _kill_group, self.proc, self._stderr)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stderr_tail(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace").strip()[-500:]

    def request(self, payload: str) -> str:
        """Send one NUL-terminated request and read until its end mark comes back."""
        self._requests += 1
        end = f"[<olfato:end:{self._requests}>]"
        data = (payload + end + "\0").encode("utf-8")
        end_b = end.encode("utf-8")
        assert self.proc.stdin is not None and self.proc.stdout is not None
        fd_in, fd_out = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        os.set_blocking(fd_in, False)
        received = bytearray()
        written = 0
        # Write and read together: a large request would otherwise fill the pipes and
        # deadlock, Apertium waiting for us to read while we wait for it to read.
        with selectors.DefaultSelector() as sel:
            sel.register(fd_out, selectors.EVENT_READ)
            sel.register(fd_in, selectors.EVENT_WRITE)
            while True:
                events = sel.select(timeout=self.timeout_s)
                if not events:
                    raise TimeoutError(f"no answer from Apertium within {self.timeout_s:.0f} s")
                for key, _ in events:
                    if key.fd == fd_in:
                        written += os.write(fd_in, data[written : written + 65536])
                        if written >= len(data):
                            sel.unregister(fd_in)
                    else:
                        chunk = os.read(fd_out, 65536)
                        if not chunk:
                            raise BrokenPipeError("Apertium closed its output")
                        received += chunk
                if end_b in received:
                    # stages each echo the flush NUL; the strays arrive with this answer
                    # or at the start of the next, and text never contains NULs
                    text = received.replace(b"\0", b"").decode("utf-8", "replace")
                    return text[: text.index(end)]

    def close(self) -> None:
        self._finalizer()


def _kill_group(proc: subprocess.Popen[bytes], stderr: object) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            stream.close()
    close = getattr(stderr, "close", None)
    if close is not None:
        close()


class ApertiumEngine(Engine):
    """Apertium eng-spa through one persistent null-flush process per direction.

    Thread-safe: requests to one direction are serialised by a lock. A process that
    died (killed, crashed) is restarted once, transparently, on the next request.

    Parameters
    ----------
    timeout_s : float, default 120.0
        Longest wait for one answer from a pipe [s].

    Raises
    ------
    TranslationError
        Apertium or one of its eng-spa modes is not installed.
    """

    name = "apertium"
    reports_unknown_words = True
    keeps_numbers = True  # Apertium tags digits as <num> and copies them

    def __init__(self, *, timeout_s: float = 120.0) -> None:
        for mode in MODES.values():
            pipeline_command(mode)  # fails now, clearly, when Apertium is missing
        self.timeout_s = timeout_s
        self._pipes: dict[str, _Pipe] = {}
        self._locks = {mode: threading.Lock() for mode in MODES.values()}

    def _pipe(self, mode: str) -> _Pipe:
        pipe = self._pipes.get(mode)
        if pipe is None or not pipe.alive():
            if pipe is not None:
                pipe.close()
            pipe = self._pipes[mode] = _Pipe(mode, self.timeout_s)
        return pipe

    def process_id(self, source: str, target: str) -> int | None:
        """The pid of the running pipe for a direction (None before first use).

        Parameters
        ----------
        source, target : str
            Language codes of the direction, ``es`` or ``en``.

        Returns
        -------
        int or None
            Process id of the pipe's process group leader.
        """
        pipe = self._pipes.get(MODES[(source, target)])
        return pipe.proc.pid if pipe is not None and pipe.alive() else None

    def translate_batch(
        self, segments: Sequence[str], source: str, target: str
    ) -> list[EngineOutput]:
        """Translate each segment; the result has one entry per segment, in order.

        Parameters
        ----------
        segments : sequence of str
            Plain-text segments; placeholders in them are opaque words to keep.
        source, target : str
            Language codes, ``es`` or ``en``.

        Returns
        -------
        list of EngineOutput
            One per segment, in order, with the words the engine did not know.

        Raises
        ------
        TranslationError
            The pipe stopped answering twice (crashed, timed out).
        """
        mode = MODES[(check_language(source), check_language(target))]
        results: list[EngineOutput] = []
        with self._locks[mode]:
            for chunk in _chunks([encode_segment(s) for s in segments]):
                results.extend(self._translate_chunk(mode, chunk))
        return results

    def _translate_chunk(self, mode: str, encoded: list[str]) -> list[EngineOutput]:
        payload = "".join(encoded)
        for attempt in (1, 2):
            pipe = self._pipe(mode)
            try:
                raw = pipe.request(payload)
                break
            except (BrokenPipeError, TimeoutError, OSError) as exc:
                detail = pipe.stderr_tail()
                pipe.close()
                if attempt == 2:
                    raise TranslationError(
                        f"Apertium ({mode}) stopped answering: {exc}."
                        + (f" It said: {detail}" if detail else ""),
                        hint=INSTALL_HINT,
                    ) from exc
        pieces = raw.split(_SEG)
        if len(pieces) == len(encoded) + 1 and not pieces[-1].strip():
            return [decode_segment(p) for p in pieces[:-1]]
        # A segment mark went missing (never seen, but cheap to survive): one by one.
        if len(encoded) == 1:
            return [decode_segment(raw.replace(_SEG, ""))]
        return [out for seg in encoded for out in self._translate_chunk(mode, [seg])]

    def close(self) -> None:
        for pipe in self._pipes.values():
            pipe.close()
        self._pipes.clear()


def _chunks(encoded: list[str]) -> list[list[str]]:
    chunks: list[list[str]] = [[]]
    size = 0
    for seg in encoded:
        if chunks[-1] and size + len(seg) > _REQUEST_CHARS:
            chunks.append([])
            size = 0
        chunks[-1].append(seg)
        size += len(seg)
    return [c for c in chunks if c]
