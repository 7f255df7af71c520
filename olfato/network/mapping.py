"""Declarative import mappings: which column of a records file is what, as i2 and Maltego
table imports say it.

A mapping is a small YAML file. For a call-records CSV::

    format: edges            # edges (edge list / records), matrix (UCINET), graphml, gexf
    delimiter: ";"
    source: {column: "Numero A", type: phone}
    target: {column: "Numero B", type: phone}
    link_type: call          # every row is a call ...
    date: {column: "Fecha", format: "%d/%m/%Y %H:%M"}
    weight: "Duracion (s)"
    source_ref: "Id registro"
    attributes: ["Celda"]    # other columns kept on the link

or, for a transfers file whose rows say their own type::

    source: {column: payer, type_column: payer_kind, label_column: payer_name}
    target: {column: payee, type: account}
    link_type_column: kind
    link_types: {TRANSFERENCIA: transfer, DEPOSITO: transfer}

An adjacency matrix (first row and first column are ids, cells are weights) needs
``format: matrix`` and gives ``entity_type`` and ``link_type`` for all of it. GraphML and
GEXF files carry their own attributes; ``type_attribute`` (default ``type``) says which
node attribute is the entity type, and ``entity_type`` is the type of nodes that have
none.

Without a mapping, an edge list's columns are read by their names: ``source``,
``target`` and, where present, ``type``, ``date``, ``weight``, ``source_ref``,
``source_type``, ``target_type``, ``source_label``, ``target_label``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from olfato.errors import NetworkError
from olfato.network.model import check_entity_type, check_link_type

FORMATS = ("edges", "matrix", "graphml", "gexf")
Format = Literal["edges", "matrix", "graphml", "gexf"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _as_value_error(check: Callable[..., str], value: str, **kw: str) -> str:
    """Run a type check, turning its NetworkError into the ValueError pydantic reports."""
    try:
        return check(value, **kw)
    except NetworkError as exc:
        raise ValueError(exc.message) from None


class EndMap(_Strict):
    """One end of a link: its id column and where its entity type and label come from."""

    column: str
    type: str | None = None
    """the entity type of every id in the column"""
    type_column: str | None = None
    """or the column that gives each row's entity type"""
    label_column: str | None = None

    @field_validator("type")
    @classmethod
    def _known(cls, v: str | None) -> str | None:
        return None if v is None else _as_value_error(check_entity_type, v)


class DateMap(_Strict):
    column: str
    format: str = "iso8601"
    """``iso8601`` or a strptime format such as ``%d/%m/%Y %H:%M``"""


class ImportMapping(_Strict):
    """How a file maps to entities and links (see the module's docstring)."""

    format: Format | None = None
    """None: from the file's extension (.csv -> edges, .graphml, .gexf)"""
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    source: EndMap | None = None
    target: EndMap | None = None
    link_type: str = "link"
    link_type_column: str | None = None
    link_types: dict[str, str] = {}
    """value in the file -> link type, for ``link_type_column``"""
    date: DateMap | None = None
    weight: str | None = None
    source_ref: str | None = None
    attributes: list[str] = []
    directed: bool = False
    entity_type: str = "unknown"
    """matrix: the type of every id; graphml/gexf: of nodes without a type attribute"""
    type_attribute: str = "type"
    """graphml/gexf: the node attribute that holds the entity type"""

    @field_validator("source", "target", mode="before")
    @classmethod
    def _short_end(cls, v: object) -> object:
        return {"column": v} if isinstance(v, str) else v

    @field_validator("date", mode="before")
    @classmethod
    def _short_date(cls, v: object) -> object:
        return {"column": v} if isinstance(v, str) else v

    @field_validator("link_type")
    @classmethod
    def _known_link(cls, v: str) -> str:
        return _as_value_error(check_link_type, v)

    @field_validator("entity_type")
    @classmethod
    def _known_entity(cls, v: str) -> str:
        return _as_value_error(check_entity_type, v)

    @field_validator("link_types")
    @classmethod
    def _known_links(cls, v: dict[str, str]) -> dict[str, str]:
        return {str(k): _as_value_error(check_link_type, t) for k, t in v.items()}


def load_mapping(path: str | Path | None) -> ImportMapping:
    """Read and check a mapping YAML.

    Parameters
    ----------
    path : str or Path or None
        The YAML file; ``None`` gives the defaults (standard column names).

    Returns
    -------
    ImportMapping

    Raises
    ------
    NetworkError
        A file that cannot be read, is not YAML (naming the line) or has a bad field
        (naming it).
    """
    if path is None:
        return ImportMapping()
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NetworkError(f"cannot read the mapping: {exc.strerror}", path=str(path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise NetworkError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            path=str(path),
            line=mark.line + 1 if mark is not None else None,
        ) from None
    if not isinstance(data, dict):
        raise NetworkError("a mapping is a YAML mapping (key: value)", path=str(path))
    try:
        return ImportMapping.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        msg = str(first["msg"]).removeprefix("Value error, ")
        raise NetworkError(f"mapping field '{where}': {msg}{more}", path=str(path)) from None
