"""Public functions carry numpydoc sections (the pvlib style), so pydoc and Sphinx render them.

Every module of the packages in :data:`DOCUMENTED` is parsed (``ast``, nothing is
imported). A public function, or a public method of a public class, that takes
parameters must have a ``Parameters`` section naming each of them; one that returns
something (its annotation is not ``None``) needs ``Returns`` (``Yields`` for a
generator); one that itself raises an ``...Error`` needs ``Raises`` naming it.
Command modules (``cli.py``, ``demo.py``) are left out: a Typer command's docstring
is its ``--help`` text.
"""

from __future__ import annotations

import ast
import importlib
import pydoc
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import olfato

ROOT = Path(olfato.__file__).parent.parent

#: packages and modules whose public API is documented; extend as more are completed
DOCUMENTED: tuple[str, ...] = (
    "olfato/errors.py",
    "olfato/progress.py",
    "olfato/lazy.py",
    "olfato/chemistry",
    "olfato/translate",
    "olfato/store",
    "olfato/casework",
    "olfato/report",
    "olfato/video",
    "olfato/output",
    "olfato/physics",
    "olfato/plan",
    "olfato/network",
    "olfato/batch",
    "olfato/detect",
    "olfato/survey",
    "olfato/simulate",
    "olfato/locate",
)
#: folders never audited (Alembic revisions)
SKIP_DIRS = {"migrations"}
#: command modules: their docstrings are the CLI's help text
SKIP_FILES = {"cli.py", "demo.py"}
#: decorators whose functions have no parameters of their own to document
SKIP_DECORATORS = {"property", "overload", "setter", "deleter", "cached_property"}

_HEADER = re.compile(r"^(?P<indent>\s*)(?P<name>[A-Z][A-Za-z ]+)\n(?P=indent)(?P<rule>-+)$", re.M)


def sections(doc: str) -> dict[str, str]:
    """Split a numpydoc docstring into ``{section title: body}`` (the summary is left out)."""
    found = [m for m in _HEADER.finditer(doc) if len(m["rule"]) == len(m["name"])]
    out: dict[str, str] = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(doc)
        out[m["name"]] = doc[m.end() : end]
    return out


def documented_names(body: str) -> set[str]:
    """Names of the entries of a Parameters/Raises body (``a, b : float`` gives a and b)."""
    lines = [line for line in body.splitlines() if line.strip()]
    if not lines:
        return set()
    indent = min(len(line) - len(line.lstrip()) for line in lines)
    names: set[str] = set()
    for line in lines:
        if len(line) - len(line.lstrip()) != indent:
            continue
        head = line.strip().split(" : ")[0]
        names.update(part.strip().lstrip("*") for part in head.split(","))
    return names


def _decorators(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = set()
    for dec in node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(target, ast.Attribute):
            names.add(target.attr)
        elif isinstance(target, ast.Name):
            names.add(target.id)
    return names


def _own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function's body, not descending into nested functions or classes."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        yield child
        yield from _own_nodes(child)


def parameters(node: ast.FunctionDef | ast.AsyncFunctionDef, *, method: bool) -> list[str]:
    """The parameters a caller passes (``self``/``cls`` left out)."""
    args = node.args
    names = [a.arg for a in args.posonlyargs + args.args]
    if method and "staticmethod" not in _decorators(node) and names:
        names = names[1:]
    names += [a.arg for a in args.kwonlyargs]
    names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
    return names


def returns_value(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether the function returns something: its annotation, or a ``return value``."""
    if node.returns is not None:
        return not (isinstance(node.returns, ast.Constant) and node.returns.value is None)
    return any(isinstance(n, ast.Return) and n.value is not None for n in _own_nodes(node))


def is_generator(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(n, ast.Yield | ast.YieldFrom) for n in _own_nodes(node))


def raised_errors(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Exception classes named ``...Error`` that the function's own body raises."""
    names = set()
    for n in _own_nodes(node):
        if isinstance(n, ast.Raise) and n.exc is not None:
            exc = n.exc.func if isinstance(n.exc, ast.Call) else n.exc
            name = exc.attr if isinstance(exc, ast.Attribute) else getattr(exc, "id", "")
            if name.endswith("Error") and name != "NotImplementedError":
                names.add(name)
    return names


def problems(
    node: ast.FunctionDef | ast.AsyncFunctionDef, *, method: bool, class_doc: str = ""
) -> list[str]:
    """What the docstring of one public function lacks (empty when complete)."""
    doc = ast.get_docstring(node) or ""
    if node.name == "__init__":
        # numpydoc documents a constructor's parameters in the class docstring
        doc = f"{class_doc}\n{doc}"
    found = sections(doc)
    out = []
    params = parameters(node, method=method)
    if params:
        if "Parameters" not in found:
            out.append("no Parameters section")
        else:
            missing = set(params) - documented_names(found["Parameters"])
            if missing:
                out.append(f"Parameters lacks {sorted(missing)}")
    if node.name != "__init__" and returns_value(node):
        wanted = "Yields" if is_generator(node) else "Returns"
        if wanted not in found:
            out.append(f"no {wanted} section")
    raised = raised_errors(node)
    if raised:
        if "Raises" not in found:
            out.append(f"no Raises section (raises {sorted(raised)})")
        else:
            missing = raised - documented_names(found["Raises"])
            if missing:
                out.append(f"Raises lacks {sorted(missing)}")
    return out


def modules(entries: tuple[str, ...] = DOCUMENTED) -> list[Path]:
    """The Python files the audit reads."""
    files: list[Path] = []
    for entry in entries:
        path = ROOT / entry
        candidates = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        files += [
            p
            for p in candidates
            if p.name not in SKIP_FILES and not SKIP_DIRS.intersection(p.relative_to(ROOT).parts)
        ]
    return files


def public_functions(
    tree: ast.Module,
) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef, str | None]]:
    """``(qualified name, node, class docstring or None)`` of each function to audit."""

    def wanted(node: ast.AST) -> bool:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return False
        public = not node.name.startswith("_") or node.name in ("__init__", "__call__")
        return public and not _decorators(node) & SKIP_DECORATORS

    for node in tree.body:
        if wanted(node):
            assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            yield node.name, node, None
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            class_doc = ast.get_docstring(node) or ""
            for item in node.body:
                if wanted(item):
                    assert isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                    yield f"{node.name}.{item.name}", item, class_doc


def audit(path: Path) -> list[str]:
    """Every shortfall in one module, as ``file:line name: problem``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(ROOT)
    out = []
    for name, node, class_doc in public_functions(tree):
        method = class_doc is not None
        for problem in problems(node, method=method, class_doc=class_doc or ""):
            out.append(f"{rel}:{node.lineno} {name}: {problem}")
    return out


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_public_functions_have_numpydoc_sections(path: Path) -> None:
    shortfalls = audit(path)
    assert not shortfalls, "\n".join(shortfalls)


def test_packages_listed_exist() -> None:
    for entry in DOCUMENTED:
        assert (ROOT / entry).exists(), entry


# --- the audit itself: it must catch what it is meant to catch --------------------------


def _audit_source(source: str) -> list[str]:
    """The problems :func:`problems` finds in the functions and methods of ``source``."""
    out = []
    for _, node, class_doc in public_functions(ast.parse(source)):
        out += problems(node, method=class_doc is not None, class_doc=class_doc or "")
    return out


GOOD = '''
def rate(mass_g: float, seconds_s: float, *, strict: bool = False) -> float:
    """Mean emission rate.

    Parameters
    ----------
    mass_g, seconds_s : float
        Mass emitted [g] and over how long [s].
    strict : bool, default False
        Refuse a zero duration.

    Returns
    -------
    float
        Rate [g/s].

    Raises
    ------
    OlfatoError
        When ``seconds_s`` is zero and ``strict``.
    """
    if strict and not seconds_s:
        raise OlfatoError("zero", parameter="seconds_s")
    return mass_g / seconds_s
'''


def test_audit_accepts_a_complete_docstring() -> None:
    assert _audit_source(GOOD) == []


def test_audit_names_what_is_missing() -> None:
    no_params = GOOD.replace("Parameters\n    ----------", "Notes\n    -----")
    assert _audit_source(no_params) == ["no Parameters section"]
    stale = GOOD.replace("strict : bool", "lenient : bool")
    assert _audit_source(stale) == ["Parameters lacks ['strict']"]
    no_returns = GOOD.replace("Returns\n    -------", "Notes\n    -----")
    assert _audit_source(no_returns) == ["no Returns section"]
    no_raises = GOOD.replace("Raises\n    ------", "Notes\n    -----")
    assert _audit_source(no_raises) == ["no Raises section (raises ['OlfatoError'])"]
    # an underline of the wrong length is not a numpydoc section
    short_rule = GOOD.replace("Returns\n    -------", "Returns\n    ----")
    assert _audit_source(short_rule) == ["no Returns section"]


def test_audit_reads_methods_and_constructors() -> None:
    source = '''
class Plume:
    """A plume.

    Parameters
    ----------
    rate_g_s : float
        Emission rate [g/s].
    """

    def __init__(self, rate_g_s: float) -> None:
        self.rate_g_s = rate_g_s

    def scaled(self, factor: float) -> "Plume":
        """A copy with the rate multiplied by ``factor``."""
        return Plume(self.rate_g_s * factor)

    @property
    def rate(self) -> float:
        """The rate [g/s]."""
        return self.rate_g_s
'''
    assert _audit_source(source) == ["no Parameters section", "no Returns section"]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_pydoc_renders_every_documented_module(path: Path) -> None:
    module = importlib.import_module(_module_name(path))
    text = pydoc.render_doc(module, renderer=pydoc.plaintext)
    # pydoc shows only the names in a module's __all__ when it has one
    shown = getattr(module, "__all__", None)
    for name, node, _ in public_functions(ast.parse(path.read_text(encoding="utf-8"))):
        if shown is not None and name.split(".")[0] not in shown:
            continue
        if parameters(node, method="." in name):
            assert f"{node.name}(" in text, name


def test_pydoc_renders_casework_surveys() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pydoc", "olfato.casework.surveys"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    text = done.stdout
    assert "Parameters" in text and "Returns" in text
