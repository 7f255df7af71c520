"""Reading, validating and projecting drone survey logs into a :class:`Survey`."""

from olfato.survey.model import Problem, Survey, ValidationReport
from olfato.survey.projection import LocalFrame

__all__ = ["LocalFrame", "Problem", "Survey", "ValidationReport"]
