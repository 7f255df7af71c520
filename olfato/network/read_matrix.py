"""Adjacency-matrix CSVs, as UCINET's full matrix with labels writes them.

The first row and the first column are the entity ids (the corner cell is ignored);
cell (i, j) is the weight of the tie from row i to column j, empty or 0 for none. A
symmetric matrix gives one link per pair (the upper triangle); an asymmetric one gives a
link for every non-zero cell, row -> column. The diagonal is ignored.
"""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx

from olfato.errors import NetworkError
from olfato.network.mapping import ImportMapping
from olfato.network.model import Entity, Link, build_graph


def _read_rows(path: Path, m: ImportMapping) -> list[tuple[int, list[str]]]:
    try:
        with path.open(encoding=m.encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=m.delimiter)
            return [(reader.line_num, [c.strip() for c in row]) for row in reader if row]
    except OSError as exc:
        raise NetworkError(f"cannot read: {exc.strerror}", path=str(path)) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise NetworkError(f"not a {m.encoding} CSV: {exc}", path=str(path)) from None


def read_matrix(path: str | Path, mapping: ImportMapping | None = None) -> nx.MultiGraph:
    """Read an adjacency-matrix CSV into the meta-network.

    Parameters
    ----------
    path : str or Path
    mapping : ImportMapping, optional
        ``entity_type`` and ``link_type`` of the whole matrix, ``delimiter``, ``encoding``.

    Returns
    -------
    networkx.MultiGraph

    Raises
    ------
    NetworkError
        A file that cannot be read, ids that do not match, or a cell that is not a number
        (naming its line and column).
    """
    path = Path(path)
    where = str(path)
    m = mapping or ImportMapping(format="matrix")
    rows = _read_rows(path, m)
    if not rows:
        raise NetworkError("the file is empty", path=where)
    ids = rows[0][1][1:]
    if not ids or any(not i for i in ids):
        raise NetworkError(
            "the first row must hold the entity ids (after the corner cell)", path=where, line=1
        )
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise NetworkError(f"id {dup!r} heads two columns", path=where, line=rows[0][0])
    n = len(ids)
    weights: dict[tuple[str, str], float] = {}
    seen_rows: list[str] = []
    for line, row in rows[1:]:
        rid = row[0]
        if rid not in ids:
            raise NetworkError(
                "the row's id is not among the column ids", path=where, line=line, value=rid
            )
        if rid in seen_rows:
            raise NetworkError("the id heads two rows", path=where, line=line, value=rid)
        seen_rows.append(rid)
        if len(row) != n + 1:
            raise NetworkError(
                f"the row has {len(row) - 1} cells, the header {n} ids", path=where, line=line
            )
        for cid, text in zip(ids, row[1:], strict=True):
            try:
                w = float(text) if text else 0.0
            except ValueError:
                raise NetworkError(
                    "the cell is not a number", path=where, line=line, column=cid, value=text
                ) from None
            if w != 0.0 and cid != rid:
                weights[rid, cid] = w
    if len(seen_rows) != n:
        absent = [i for i in ids if i not in seen_rows]
        raise NetworkError(f"no row for {', '.join(map(repr, absent))}", path=where)
    symmetric = all(weights.get((b, a)) == w for (a, b), w in weights.items())
    pos = {i: k for k, i in enumerate(ids)}
    links = [
        Link(a, b, m.link_type, None, f"{path.name}:{a},{b}", w)
        for (a, b), w in weights.items()
        if not symmetric or pos[a] < pos[b]
    ]
    ents = [Entity(i, m.entity_type) for i in ids]
    return build_graph(ents, links, directed=m.directed or not symmetric)
