"""Edge-list and record CSVs (call records, transfers): one link per row.

Which column is what comes from an :class:`~olfato.network.mapping.ImportMapping`;
without one the columns are read by their names (``source``, ``target``, ``type``,
``date``, ``weight``, ``source_ref``, ``source_type``, ``target_type``, ``source_label``,
``target_label``). Every error names the file, the line and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import networkx as nx

from olfato.errors import NetworkError
from olfato.network.mapping import EndMap, ImportMapping
from olfato.network.model import (
    Entity,
    Link,
    build_graph,
    check_entity_type,
    check_link_type,
    iso_date,
)


def _auto(m: ImportMapping, header: list[str]) -> ImportMapping:
    """Fill what a mapping leaves out from the standard column names present in ``header``."""
    has = set(header)
    upd: dict[str, Any] = {}
    for end in ("source", "target"):
        if getattr(m, end) is None:
            upd[end] = EndMap(
                column=end,
                type_column=f"{end}_type" if f"{end}_type" in has else None,
                label_column=f"{end}_label" if f"{end}_label" in has else None,
            )
    if m.link_type_column is None and "type" in has:
        upd["link_type_column"] = "type"
    if m.date is None and "date" in has:
        upd["date"] = {"column": "date"}
    for key in ("weight", "source_ref"):
        if getattr(m, key) is None and key in has:
            upd[key] = key
    return m.model_validate({**m.model_dump(), **upd}) if upd else m


def _parse_date(text: str, fmt: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if fmt == "iso8601":
        try:
            return iso_date(text)
        except NetworkError:
            raise ValueError(text) from None
    return dt.datetime.strptime(text, fmt).isoformat()


class _Entities:
    """The entities seen so far, each with the line that first typed it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.types: dict[str, tuple[str, int]] = {}
        self.labels: dict[str, str] = {}

    def see(self, eid: str, etype: str, label: str | None, line: int, column: str) -> None:
        if eid in self.types and self.types[eid][0] != etype:
            if self.types[eid][0] == "unknown":
                self.types[eid] = (etype, line)
            elif etype != "unknown":
                raise NetworkError(
                    f"entity {eid!r} is a {etype} here but a {self.types[eid][0]} on line "
                    f"{self.types[eid][1]}",
                    path=self.path,
                    line=line,
                    column=column,
                )
        self.types.setdefault(eid, (etype, line))
        if label:
            self.labels.setdefault(eid, label)

    def entities(self) -> list[Entity]:
        return [Entity(i, t, label=self.labels.get(i)) for i, (t, _) in self.types.items()]


def read_edges(path: str | Path, mapping: ImportMapping | None = None) -> nx.MultiGraph:
    """Read an edge-list or record CSV into the meta-network (one link per row).

    Parameters
    ----------
    path : str or Path
        The CSV, with a header row.
    mapping : ImportMapping, optional
        Which column is what (default: the standard column names).

    Returns
    -------
    networkx.MultiGraph
        See :func:`olfato.network.model.build_graph`; each link's ``source_ref`` is the
        mapping's column or ``FILE:LINE``.

    Raises
    ------
    NetworkError
        A file that cannot be read, a missing column, or a bad row (naming its line and
        column).
    """
    path = Path(path)
    where = str(path)
    m = mapping or ImportMapping()
    try:
        fh = path.open(encoding=m.encoding, newline="")
    except OSError as exc:
        raise NetworkError(f"cannot read: {exc.strerror}", path=where) from None
    with fh:
        reader = csv.reader(fh, delimiter=m.delimiter)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise NetworkError("the file is empty (a header row is needed)", path=where) from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise NetworkError(f"not a {m.encoding} CSV: {exc}", path=where, line=1) from None
        m = _auto(m, header)
        assert m.source is not None and m.target is not None
        wanted = [
            m.source.column,
            m.target.column,
            m.source.type_column,
            m.target.type_column,
            m.source.label_column,
            m.target.label_column,
            m.link_type_column,
            m.date.column if m.date else None,
            m.weight,
            m.source_ref,
            *m.attributes,
        ]
        missing = [c for c in wanted if c is not None and c not in header]
        if missing:
            raise NetworkError(
                f"no column {', '.join(repr(c) for c in missing)} in the header "
                f"({', '.join(header)})",
                path=where,
                line=1,
            )
        col = {h: i for i, h in enumerate(header)}
        ents = _Entities(where)
        links: list[Link] = []
        try:
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                links.append(_row_link(row, line, col, m, ents, where))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise NetworkError(
                f"not a {m.encoding} CSV: {exc}", path=where, line=reader.line_num + 1
            ) from None
    return build_graph(ents.entities(), links, directed=m.directed)


def _row_link(
    row: list[str],
    line: int,
    col: dict[str, int],
    m: ImportMapping,
    ents: _Entities,
    where: str,
) -> Link:
    def cell(name: str) -> str:
        i = col[name]
        if i >= len(row):
            raise NetworkError(
                f"the row has {len(row)} fields, the header {len(col)}",
                path=where,
                line=line,
                column=name,
            )
        return row[i].strip()

    def fail(msg: str, name: str, value: str | None = None) -> NetworkError:
        return NetworkError(msg, path=where, line=line, column=name, value=value)

    ends = []
    for end in (m.source, m.target):
        assert end is not None
        eid = cell(end.column)
        if not eid:
            raise fail("the id is empty", end.column)
        etype = end.type or "unknown"
        if end.type_column is not None:
            raw = cell(end.type_column)
            try:
                etype = check_entity_type(raw) if raw else etype
            except NetworkError as exc:
                raise fail(exc.message, end.type_column) from None
        label = cell(end.label_column) if end.label_column else None
        ents.see(eid, etype, label, line, end.column)
        ends.append(eid)
    ltype = m.link_type
    if m.link_type_column is not None:
        raw = cell(m.link_type_column)
        if raw:
            try:
                ltype = m.link_types.get(raw) or check_link_type(raw)
            except NetworkError:
                raise fail(
                    "unknown link type; map it with 'link_types' in the mapping",
                    m.link_type_column,
                    raw,
                ) from None
    date = None
    if m.date is not None:
        raw = cell(m.date.column)
        try:
            date = _parse_date(raw, m.date.format)
        except ValueError:
            raise fail(f"not a date in the format {m.date.format!r}", m.date.column, raw) from None
    weight = 1.0
    if m.weight is not None:
        raw = cell(m.weight)
        try:
            weight = float(raw) if raw else 1.0
        except ValueError:
            raise fail("the weight is not a number", m.weight, raw) from None
    ref = cell(m.source_ref) if m.source_ref else f"{Path(where).name}:{line}"
    attrs = {a: cell(a) for a in m.attributes}
    return Link(ends[0], ends[1], ltype, date, ref, weight, attrs)
