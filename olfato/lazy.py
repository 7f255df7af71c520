"""Public names that load on first use, so `olfato --help` imports no pandas or SciPy."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def exports(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` (PEP 562) importing each name from its submodule.

    ``where`` maps a public name to the submodule of ``package`` that defines it.

    Parameters
    ----------
    package : str
        Dotted name of the package (``"olfato.translate"``).
    where : Mapping[str, str]
        Public name -> submodule of ``package`` that defines it.

    Returns
    -------
    Callable[[str], Any]
        The ``__getattr__`` to assign in the package's ``__init__``; it raises
        AttributeError for a name not in ``where``.
    """

    def __getattr__(name: str) -> Any:
        if name in where:
            return getattr(import_module(f"{package}.{where[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
