"""Imports follow DESIGN.md's layer order.

Every module of the package is parsed (``ast``), imports inside functions and under
``TYPE_CHECKING`` included, and each ``olfato`` import is checked: a module imports
only from its own layer or lower ones, and nothing but a command-line module imports
a command-line module (``cli.py``, ``demo.py``, ``options.py``, a stage's ``cli``/``demo``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import olfato

PACKAGE = Path(olfato.__file__).parent

#: DESIGN.md "Layout": layers, lowest first
LAYERS: dict[str, int] = {
    "errors": 1,
    "progress": 1,
    "output": 1,
    "lazy": 1,
    "physics": 2,
    "chemistry": 2,
    "translate": 2,
    "survey": 3,
    "simulate": 4,
    "detect": 4,
    "locate": 5,
    "plan": 6,
    "video": 6,
    "network": 6,
    "store": 7,
    "casework": 8,
    "report": 9,
    "batch": 10,
    "server": 10,
}
CLI_LAYER = 11
#: top-level command-line modules
CLI_MODULES = {"cli", "demo", "options", "__main__"}


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_cli(module: str) -> bool:
    parts = module.split(".")[1:]
    if not parts:
        return False
    if len(parts) == 1:
        return parts[0] in CLI_MODULES
    # a stage's own command-line modules: olfato.<stage>.cli, olfato.<stage>.demo
    return parts[1] in {"cli", "demo"}


def layer(module: str) -> int:
    parts = module.split(".")[1:]
    if not parts:
        return 1  # the package root: version and the caveat
    if is_cli(module):
        return CLI_LAYER
    if parts[0] not in LAYERS:
        raise AssertionError(f"{module}: its folder is not in DESIGN.md's layer list")
    return LAYERS[parts[0]]


def imported_modules(path: Path, module: str) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            # `from olfato.x import y` may name a submodule y: check it as one
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if (PACKAGE.parent / Path(*sub.split("."))).with_suffix(".py").exists() or (
                    PACKAGE.parent / Path(*sub.split(".")) / "__init__.py"
                ).exists():
                    found.append((node.lineno, sub))
                else:
                    found.append((node.lineno, target))
    return [(line, name) for line, name in found if name == "olfato" or name.startswith("olfato.")]


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_stage_folder_has_a_layer() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert folders - set(LAYERS) == set()


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_go_down_the_layers(path: Path) -> None:
    module = module_name(path)
    if ".migrations." in module + ".":
        own = LAYERS["store"]
    else:
        own = layer(module)
    wrong = []
    for line, target in imported_modules(path, module):
        if is_cli(target) and not is_cli(module):
            wrong.append(f"line {line}: {target} is a command-line module")
        elif layer(target) > own:
            wrong.append(f"line {line}: {target} is layer {layer(target)}, above {own}")
    assert not wrong, f"{module} (layer {own}) imports upwards:\n" + "\n".join(wrong)


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    """The walk finds imports inside functions and relative ones."""
    src = tmp_path / "x.py"
    src.write_text("def f():\n    from olfato.locate.pipeline import locate\n", encoding="utf-8")
    assert imported_modules(src, "olfato.physics.x") == [(2, "olfato.locate.pipeline")]
