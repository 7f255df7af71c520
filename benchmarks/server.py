"""Team server under load on loopback: requests/s, p50/p95 latency, errors (must be 0).

Sets up a workspace with the packaged demo flight analysed into a case, starts
``olfato serve``'s app under uvicorn in a separate process (one worker, as `olfato
serve` runs it), and drives it with ``--clients`` concurrent httpx clients for
``--seconds``, each alternating the case page (HTML, browser session cookie) and the
case's sources GeoJSON (bearer token). Every request is a real read of the store and
writes its audit event. In the same run it times the direct call of the functions the
GeoJSON route calls (``load_case`` + ``sources_geojson``), so the server's overhead is
a ratio: p50 latency of the GeoJSON route (one client alone, and under load) over the
direct call.

Run: ``.venv/bin/python benchmarks/server.py [--clients 50] [--seconds 60]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.resources import files
from pathlib import Path

import httpx
import numpy as np

CASE = "bench"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(folder: Path) -> tuple[str, str]:
    """A workspace with one analysed case and an analyst; returns (token, password)."""
    from olfato.casework.surveys import add_survey
    from olfato.simulate import simulate
    from olfato.store.accounts import add_user, issue_token
    from olfato.store.cases import new_case
    from olfato.store.db import open_store

    scenario = Path(str(files("olfato") / "data" / "scenarios" / "demo.yaml"))
    paths = simulate(scenario, seed=0).write(folder / "sim")
    password = "bench-password-1"
    with open_store(folder / "ws") as store:
        new_case(store, CASE)
        add_survey(store, CASE, Path(paths["survey"]))
        add_user(store, "bench", "analyst", password)
        token = issue_token(store, "bench")
    return token, password


def direct_call_ms(folder: Path, repeat: int) -> float:
    """Median time of the GeoJSON route's work called directly [ms]."""
    from olfato.server.geo import sources_geojson
    from olfato.store.cases import load_case
    from olfato.store.db import open_store

    times = []
    with open_store(folder / "ws") as store:
        for _ in range(repeat):
            t0 = time.perf_counter()
            sources_geojson(load_case(store, CASE, audit_limit=0))
            times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


async def load(base: str, token: str, password: str, clients: int, seconds: float) -> dict:
    stop = time.monotonic() + seconds
    lat: dict[str, list[float]] = {"page": [], "geojson": []}
    errors: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as login:
        r = await login.post("/api/session", json={"name": "bench", "password": password})
        r.raise_for_status()
        cookie = r.cookies["olfato_session"]

    async def client(i: int) -> None:
        async with httpx.AsyncClient(
            base_url=base, timeout=60, cookies={"olfato_session": cookie}
        ) as c:
            k = i
            while time.monotonic() < stop:
                kind = "page" if k % 2 == 0 else "geojson"
                k += 1
                t0 = time.perf_counter()
                try:
                    if kind == "page":
                        r = await c.get(f"/cases/{CASE}")
                    else:
                        r = await c.get(
                            f"/api/cases/{CASE}/sources",
                            headers={"Authorization": f"Bearer {token}"},
                        )
                    ok = r.status_code == 200
                    if not ok:
                        errors.append(f"{kind} {r.status_code} {r.text[:100]}")
                except httpx.HTTPError as exc:
                    errors.append(f"{kind} {type(exc).__name__}")
                    continue
                if ok:
                    lat[kind].append(time.perf_counter() - t0)

    t0 = time.monotonic()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return {"latency": lat, "errors": errors, "elapsed": time.monotonic() - t0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--repeat", type=int, default=50, help="direct calls to time")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="olfato-bench-server-") as tmp:
        folder = Path(tmp)
        token, password = prepare(folder)
        direct = direct_call_ms(folder, args.repeat)
        port = _free_port()
        code = (
            "import uvicorn; from olfato.server.app import create_app; "
            f"uvicorn.run(create_app({str(folder / 'ws')!r}, jobs='thread'), "
            f"host='127.0.0.1', port={port}, log_level='warning')"
        )
        env = {k: v for k, v in os.environ.items() if k != "OLFATO_DATABASE_URL"}
        server = subprocess.Popen([sys.executable, "-c", code], env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    httpx.get(base + "/login", timeout=2)
                    break
                except httpx.HTTPError:
                    time.sleep(0.2)
            # one client, one request at a time: the route's own cost, no queueing
            alone = []
            with httpx.Client(base_url=base, timeout=60) as c:
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    r = c.get(
                        f"/api/cases/{CASE}/sources", headers={"Authorization": f"Bearer {token}"}
                    )
                    r.raise_for_status()
                    alone.append(time.perf_counter() - t0)
            res = asyncio.run(load(base, token, password, args.clients, args.seconds))
        finally:
            server.terminate()
            server.wait(30)
    lat, errors, elapsed = res["latency"], res["errors"], res["elapsed"]
    n = sum(len(v) for v in lat.values())
    print(f"\nolfato server, {args.clients} concurrent clients for {elapsed:.0f} s on loopback")
    print(f"{'route':<28}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}")
    for kind, label in (
        ("page", f"GET /cases/{CASE} (HTML)"),
        ("geojson", "GET .../sources (GeoJSON)"),
    ):
        v = np.array(lat[kind]) * 1000
        if len(v):
            print(
                f"{label:<28}{len(v):>10}{len(v) / elapsed:>9.1f}"
                f"{np.percentile(v, 50):>9.1f}{np.percentile(v, 95):>9.1f}"
            )
    print(f"{'all':<28}{n:>10}{n / elapsed:>9.1f}")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    g50 = float(np.percentile(np.array(lat["geojson"]) * 1000, 50)) if lat["geojson"] else 0.0
    a50 = 1000 * statistics.median(alone)
    print(f"direct call load_case + sources_geojson: {direct:.2f} ms (median of {args.repeat})")
    print(
        f"GeoJSON route, one client alone: p50 {a50:.2f} ms = {a50 / direct:.1f}x the direct "
        f"call (HTTP, auth, audit write); under load p50 {g50:.0f} ms = {g50 / direct:.0f}x "
        "(queueing)"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
