"""Errors a user sees: one clear paragraph, never a traceback.

Every error that bad input can cause is an :class:`OlfatoError`; the CLI prints its
message and exits with :attr:`OlfatoError.exit_code`.
"""

from __future__ import annotations


class OlfatoError(Exception):
    """An error caused by the user's input or environment, with a readable message.

    Parameters
    ----------
    message : str
        What went wrong, in one readable paragraph.
    hint : str, optional
        What the user can do about it; printed on the line after ``message``.
    parameter : str, optional
        Name of the function parameter at fault (``home``, ``spacing_m``), so a
        command line can name its flag and a server its field.

    Attributes
    ----------
    exit_code : int
        Process exit status the CLI uses for this error (1).
    """

    exit_code = 1

    def __init__(
        self, message: str, *, hint: str | None = None, parameter: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        #: the name of the function parameter at fault (``home``, ``spacing_m``), so a
        #: command line can name its flag and a server its field; None when no one is
        self.parameter = parameter

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


def located(
    message: str,
    path: str | None = None,
    line: int | None = None,
    column: str | None = None,
    value: str | None = None,
) -> str:
    """``message`` prefixed with where it happened: ``"FILE, line N, column 'C': message"``.

    Parameters
    ----------
    message : str
        What is wrong.
    path : str, optional
        The file.
    line : int, optional
        1-based line number in the file.
    column : str, optional
        Column (field) name.
    value : str, optional
        The offending value, quoted after the message.

    Returns
    -------
    str
        The located message.
    """
    where = []
    if path is not None:
        where.append(str(path))
    if line is not None:
        where.append(f"line {line}")
    if column is not None:
        where.append(f"column '{column}'")
    prefix = ", ".join(where)
    text = f"{prefix}: {message}" if prefix else message
    if value is not None:
        text += f" (value: {value!r})"
    return text


class LocatedError(OlfatoError):
    """An error in a file, located by path, line and column, with the offending value.

    The message is prefixed with where the problem is (``path, line 12, column
    'ch4_ppm'``) and followed by the value (:func:`located`). The readers' errors
    (:class:`SurveyError`, :class:`NetworkError`) are these.

    Parameters
    ----------
    message : str
        What is wrong.
    path : str, optional
        The file.
    line : int, optional
        1-based line number in the file.
    column : str, optional
        Column (field) name.
    value : str, optional
        The offending value, quoted after the message.
    hint : str, optional
        What the user can do about it.
    exit_code : int, default 1
        Process exit status the CLI uses.
    parameter : str, optional
        The library function's parameter at fault (the CLI names its flag).
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: str | None = None,
        value: str | None = None,
        hint: str | None = None,
        exit_code: int = 1,
        parameter: str | None = None,
    ) -> None:
        super().__init__(
            located(message, path, line, column, value), hint=hint, parameter=parameter
        )
        self.path = path
        self.line = line
        self.column = column
        self.value = value
        self.exit_code = exit_code


class SurveyError(LocatedError):
    """A survey file that cannot be read, or that fails validation in strict mode.

    The message is prefixed with where the problem is (``path, line 12, column
    'ch4_ppm'``) and followed by the offending value.

    Its parameters are :class:`LocatedError`'s; ``path`` is the survey file.
    """


class StrictValidationError(SurveyError):
    """Validation found bad rows and the caller asked for strict reading (exit code 2).

    Parameters
    ----------
    message : str
        What validation found.
    **kwargs
        ``path``, ``line``, ``column``, ``value`` and ``hint``, as for
        :class:`SurveyError`; the exit code is always 2.
    """

    def __init__(self, message: str, **kwargs: object) -> None:
        super().__init__(message, exit_code=2, **kwargs)  # type: ignore[arg-type]


class NetworkError(LocatedError):
    """Entities and links that cannot be read or used (a records file, a mapping, a graph file,
    an id that is not in the graph); names the file, line and column where there are ones.

    Its parameters are :class:`LocatedError`'s.
    """


class VideoError(OlfatoError):
    """A video, its KLV metadata, its telemetry CSV or a detector model that cannot be used.

    Parameters
    ----------
    message : str
        What is wrong (with the line and column for a CSV).
    path : str, optional
        The file; the message is prefixed with it.
    hint : str, optional
        What the user can do, printed on the next line.
    """

    def __init__(self, message: str, *, path: str | None = None, hint: str | None = None) -> None:
        super().__init__(f"{path}: {message}" if path is not None else message, hint=hint)
        self.path = path
