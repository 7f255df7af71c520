"""An optional base map: the user's own tile source, never one on the internet by default.

``olfato serve --tiles SOURCE`` takes either a URL template (``https://host/{z}/{x}/{y}.png``,
e.g. a tile server on the agency's network; the browser fetches from it, and the
page's Content-Security-Policy allows that origin only) or a local MBTiles file
(SQLite, the MBTiles 1.3 spec: ``tiles(zoom_level, tile_column, tile_row, tile_data)``,
rows counted from the south, TMS), served at ``/tiles/{z}/{x}/{y}`` to signed-in users.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from olfato.errors import OlfatoError


@dataclass(frozen=True)
class TileSource:
    """Where the map's base tiles come from.

    Attributes
    ----------
    url : str
        The URL template the browser uses (``{z}``, ``{x}``, ``{y}``).
    mbtiles : pathlib.Path or None
        The local MBTiles file the server reads, or None for a remote URL.
    origin : str or None
        The remote origin the page may load images from, or None.
    media_type : str
        The tiles' media type (MBTiles metadata ``format``).
    """

    url: str
    mbtiles: Path | None
    origin: str | None
    media_type: str = "image/png"


def tile_source(spec: str | None) -> TileSource | None:
    """The tile source of ``olfato serve --tiles``.

    Parameters
    ----------
    spec : str or None
        A URL template with ``{z}``, ``{x}`` and ``{y}``, or a ``.mbtiles`` file.

    Returns
    -------
    TileSource or None
        None when no source is given (the default: no base map).

    Raises
    ------
    OlfatoError
        A URL without the placeholders, or a file that is not a readable MBTiles.
    """
    if not spec:
        return None
    if spec.startswith(("http://", "https://")):
        if not all(k in spec for k in ("{z}", "{x}", "{y}")):
            raise OlfatoError(
                f"tiles: {spec!r} is not a tile URL template; it needs {{z}}, {{x}} and {{y}}."
            )
        parts = urlsplit(spec)
        return TileSource(spec, None, f"{parts.scheme}://{parts.netloc}")
    path = Path(spec)
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles LIMIT 1")
            row = db.execute("SELECT value FROM metadata WHERE name = 'format'").fetchone()
    except sqlite3.Error as exc:
        raise OlfatoError(f"tiles: {path} is not a readable MBTiles file ({exc}).") from exc
    fmt = (row[0] if row else "png").lower()
    media = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
    return TileSource("/tiles/{z}/{x}/{y}", path, None, media.get(fmt, "image/png"))


def read_tile(source: TileSource, z: int, x: int, y: int) -> bytes | None:
    """One tile of a local MBTiles file (``y`` counted from the north, as maps ask).

    Parameters
    ----------
    source : TileSource
        A local source (``mbtiles`` set).
    z, x, y : int
        Zoom, column, and row from the north (XYZ).

    Returns
    -------
    bytes or None
        The tile's image, or None where the file has none.
    """
    if source.mbtiles is None or not (0 <= z <= 30) or not (0 <= x < 2**z and 0 <= y < 2**z):
        return None
    with sqlite3.connect(f"file:{source.mbtiles}?mode=ro", uri=True) as db:
        row = db.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, 2**z - 1 - y),
        ).fetchone()
    return bytes(row[0]) if row else None
