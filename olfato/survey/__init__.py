"""Reading, validating and projecting drone survey logs into a :class:`Survey`."""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from olfato.survey.model import Problem, Survey, ValidationReport
    from olfato.survey.projection import LocalFrame

__all__ = ["LocalFrame", "Problem", "Survey", "ValidationReport"]

#: where each export lives; loaded on first use (PEP 562), so that `olfato --help`
#: does not import pandas and pyproj
_MODULE = {
    "Problem": "model",
    "Survey": "model",
    "ValidationReport": "model",
    "LocalFrame": "projection",
}


def __getattr__(name: str) -> Any:
    if name in _MODULE:
        return getattr(import_module(f"olfato.survey.{_MODULE[name]}"), name)
    raise AttributeError(f"module 'olfato.survey' has no attribute {name!r}")
