"""The server's application: the API, the web UI, their error handling and limits.

:func:`create_app` builds a FastAPI app over one workspace's store. On start it marks
jobs left unfinished by an earlier server as failed, and opens the job pool; on stop
it waits for running jobs. Errors never show a traceback: a user's mistake is a 4xx
with a readable ``detail``, anything else a 500 that says only that it was logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import ClassVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from olfato import CAVEAT, __version__
from olfato.errors import OlfatoError
from olfato.server.jobs import JobRunner
from olfato.store.db import Store, open_store
from olfato.store.jobs import fail_unfinished

log = logging.getLogger("olfato.server")

#: largest request body (a survey upload with its mapping and wind log) [bytes]
MAX_UPLOAD_BYTES = 256 * 1024 * 1024


class BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes gets 413, whatever the route.

    A declared Content-Length over the limit is refused before reading; a body that
    grows past it while streaming is cut off and answered with 413 too.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def _413(self, send: Send) -> None:
        body = json.dumps(
            {"detail": f"The upload is larger than the server's limit of {self.limit} bytes."}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    declared = int(v)
                except ValueError:
                    declared = 0
                if declared > self.limit:
                    await self._413(send)
                    return
        seen = 0
        too_big = False
        started = False

        async def limited() -> Message:
            nonlocal seen, too_big
            if too_big:
                return {"type": "http.disconnect"}
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    too_big = True
                    return {"type": "http.disconnect"}
            return msg

        async def tracked(msg: Message) -> None:
            nonlocal started
            if too_big:
                return  # the 413 below replaces whatever the app answers
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited, tracked)
        except Exception:
            if not too_big:
                raise
        if too_big and not started:
            await self._413(send)


class SecurityHeaders:
    """ASGI middleware: no framing, no sniffing, no referrer, scripts only from the server."""

    HEADERS: ClassVar[list[tuple[bytes, bytes]]] = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (
            b"content-security-policy",
            b"default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
            b"script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
        ),
    ]

    def __init__(self, app: ASGIApp, tile_origin: str | None = None) -> None:
        self.app = app
        self.headers = list(self.HEADERS)
        if tile_origin:  # the user's tile server may serve the map's images
            self.headers = [
                (k, v.replace(b"img-src 'self'", b"img-src 'self' " + tile_origin.encode()))
                for k, v in self.headers
            ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                path = scope.get("path", "")
                headers = list(msg.get("headers", []))
                have = {k.lower() for k, _ in headers}
                for k, v in self.headers:
                    if k == b"content-security-policy" and path in ("/docs", "/redoc"):
                        continue  # the API docs page loads its own script bundle
                    if k not in have:
                        headers.append((k, v))
                msg = {**msg, "headers": headers}
            await send(msg)

        await self.app(scope, receive, with_headers)


def create_app(
    workspace: Path | str | None = None,
    database_url: str | None = None,
    *,
    jobs: str = "process",
    workers: int = 2,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    store: Store | None = None,
    tiles: str | None = None,
) -> FastAPI:
    """The server app for a workspace (default: $OLFATO_WORKSPACE or ./.olfato) and its
    database (default: $OLFATO_DATABASE_URL or the workspace's SQLite).

    Parameters
    ----------
    jobs : where background jobs run: ``process`` (a pool of ``workers`` processes),
        ``thread`` or ``inline`` (in the request; for tests).
    max_upload_bytes : largest request body [bytes]; larger ones get 413.
    tiles : an optional base map: a tile URL template or a local .mbtiles file
        (:func:`olfato.server.tiles.tile_source`); none by default.
    """
    from olfato.server import api, ui
    from olfato.server.tiles import tile_source

    source = tile_source(tiles)
    store = store or open_store(workspace, database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        lost = fail_unfinished(store)
        if lost:
            log.warning("jobs %s were unfinished when the server last stopped: marked failed", lost)
        app.state.jobs = JobRunner(
            store.workspace.root, store.workspace.database_url, jobs, workers
        )
        try:
            yield
        finally:
            app.state.jobs.shutdown()

    app = FastAPI(
        title="olfato",
        version=__version__,
        description=(
            "The team server of olfato: cases, surveys, runs and jobs, sources (GeoJSON), "
            f"plans, notes, products and the audit trail. {CAVEAT}"
        ),
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.tiles = source

    @app.exception_handler(OlfatoError)
    async def _olfato_error(request: Request, exc: OlfatoError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(DataError)
    async def _data_error(request: Request, exc: DataError) -> JSONResponse:
        return JSONResponse(
            {
                "detail": "The request holds a value the database cannot store (e.g. a NUL "
                "character, or a number out of range). Nothing was changed."
            },
            status_code=422,
        )

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(
            {"detail": "Internal error; it was logged on the server. Nothing was changed."},
            status_code=500,
        )

    app.include_router(api.router)
    app.include_router(ui.router)
    ui.mount_static(app)
    app.add_middleware(SecurityHeaders, tile_origin=source.origin if source else None)
    app.add_middleware(BodyLimit, limit=max_upload_bytes)
    return app
