"""Reading, validating and projecting drone survey logs into a :class:`Survey`."""

from typing import TYPE_CHECKING

from olfato.lazy import exports

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

__getattr__ = exports(__name__, _MODULE)
