"""The optional base map: a local MBTiles file served to signed-in users, or a URL the
page's Content-Security-Policy then allows; none by default."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from olfato.errors import OlfatoError
from olfato.server.app import create_app
from olfato.server.tiles import tile_source
from olfato.store.accounts import add_user
from olfato.store.cases import new_case
from olfato.store.db import open_store

PNG = b"\x89PNG\r\n\x1a\n fake tile"


def _mbtiles(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE metadata (name text, value text)")
        db.execute("INSERT INTO metadata VALUES ('format', 'png')")
        db.execute(
            "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, "
            "tile_data blob)"
        )
        # z=1, x=1, y=0 (north row) is TMS row 1
        db.execute("INSERT INTO tiles VALUES (1, 1, 1, ?)", (PNG,))
    return path


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_local_mbtiles_and_remote_url(tmp_path: Path) -> None:
    store = open_store(tmp_path / "ws")
    add_user(store, "ana", "analyst", "analyst-password-1")
    new_case(store, "c")
    app = create_app(store=store, jobs="inline", tiles=str(_mbtiles(tmp_path / "base.mbtiles")))
    with TestClient(app) as c:
        assert c.get("/tiles/1/1/0").status_code == 404  # not signed in
        c.post("/api/session", json={"name": "ana", "password": "analyst-password-1"})
        r = c.get("/tiles/1/1/0")
        assert (
            r.status_code == 200 and r.content == PNG and r.headers["content-type"] == "image/png"
        )
        assert c.get("/tiles/1/1/1").status_code == 404  # no such tile
        assert c.get("/tiles/1/5/0").status_code == 404  # outside the zoom's grid
        assert 'data-tiles="/tiles/{z}/{x}/{y}"' in c.get("/cases/c").text
    app = create_app(
        store=store, jobs="inline", tiles="https://tiles.agency.example/{z}/{x}/{y}.png"
    )
    with TestClient(app) as c:
        c.post("/api/session", json={"name": "ana", "password": "analyst-password-1"})
        r = c.get("/cases/c")
        assert "img-src 'self' https://tiles.agency.example" in r.headers["content-security-policy"]
    app = create_app(store=store, jobs="inline")
    with TestClient(app) as c:
        c.post("/api/session", json={"name": "ana", "password": "analyst-password-1"})
        r = c.get("/cases/c")
        assert (
            'data-tiles=""' in r.text
            and "img-src 'self' data: blob:;" in r.headers["content-security-policy"]
        )
    with pytest.raises(OlfatoError, match="needs"):
        tile_source("https://example.org/tiles.png")
    (tmp_path / "not.mbtiles").write_text("hello")
    with pytest.raises(OlfatoError, match="not a readable MBTiles"):
        tile_source(str(tmp_path / "not.mbtiles"))
    store.close()
