"""End to end in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

An analyst signs in, creates a case, uploads a survey, waits for the job, sees the
sources on the map (the rendered canvas shows the suspect ellipse's colour around the
source, and not once the sources layer is switched off), switches to Spanish and
downloads the Spanish PDF; a supervisor makes a report for partner MX; the partner
signs in and sees only that product. Screenshots go to $OLFATO_E2E_SCREENSHOTS (or
the test's temporary folder).
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from olfato.server.app import create_app
from olfato.store.accounts import add_user
from olfato.store.db import Store
from olfato.store.workspace import Workspace
from tests.store.analysis import Analysis

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SUSPECT_RGB = np.array([0xC0, 0x39, 0x2B])  # the map's colour of a suspect source's ellipse

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A real uvicorn server on loopback over a fresh workspace with three accounts."""
    import uvicorn

    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/install-system-deps.sh)")
    pytest.importorskip("playwright.sync_api")
    assets = Path(__file__).resolve().parents[2] / "olfato/server/static/vendor/leaflet"
    if not (assets / "leaflet.js").exists():
        pytest.skip("Leaflet was not fetched (scripts/fetch-web-assets.sh)")
    store = Store(Workspace.locate(tmp_path / "ws"))
    add_user(store, "ana", "analyst", "analyst-password-1")
    add_user(store, "sam", "supervisor", "supervisor-password-1")
    add_user(store, "mx", "partner", "partner-mx-password", "MX")
    app = create_app(store=store, jobs="thread", workers=1)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(30)
        store.close()


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("OLFATO_E2E_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _suspect_pixels(png: bytes, cx: float, cy: float, r_in: float, r_out: float) -> int:
    """Pixels of the suspect colour (within 12 per channel) in the ring r_in..r_out [px]."""
    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    yy, xx = np.mgrid[: img.shape[0], : img.shape[1]]
    d = np.hypot(xx - cx, yy - cy)
    ring = (d >= r_in) & (d <= r_out)
    close = np.all(np.abs(img - SUSPECT_RGB) <= 12, axis=-1)
    return int((ring & close).sum())


def _sign_in(page, base: str, name: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/login")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("#signin button[type=submit]")
    page.wait_for_url(lambda u: not u.endswith("/login"))


def test_analyst_and_partner_in_a_real_browser(
    server: str, analysis: Analysis, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    shots = _shots(tmp_path)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))

        _sign_in(page, server, "ana", "analyst-password-1")
        page.fill("#case-name", "sonora-e2e")
        page.click("#new-case button[type=submit]")
        page.wait_for_url(server + "/cases/sonora-e2e")

        page.set_input_files("#survey-file", str(analysis.csv))
        page.click("#upload button[type=submit]")
        # the page reloads when the job is done, now with the sources table filled
        page.wait_for_selector("#sources tbody tr.suspect", timeout=180_000)
        page.wait_for_selector("#map[data-ready='1']", timeout=60_000)
        page.wait_for_timeout(500)
        assert page.get_attribute("#map", "data-error") is None
        page.screenshot(path=str(shots / "case-en.png"), full_page=True)

        # the suspect source's ellipse is drawn around it on the canvas
        src = page.evaluate(
            "() => { const s = window.olfatoSources.find((x) => x.suspect);"
            " const pt = window.olfatoMap.latLngToContainerPoint([s.lat, s.lon]);"
            " return {x: pt.x, y: pt.y, id: s.id}; }"
        )
        box = page.locator("#map").bounding_box()
        assert box is not None
        png = page.locator("#map").screenshot(path=str(shots / "map-en.png"))
        near = _suspect_pixels(png, src["x"], src["y"], 9, 160)
        assert near > 30, f"no ellipse colour near source {src['id']}: {near} pixels"
        page.get_by_label("Sources and 95% ellipses").uncheck()
        page.wait_for_timeout(300)
        png_off = page.locator("#map").screenshot()
        assert _suspect_pixels(png_off, src["x"], src["y"], 0, 160) < near / 10
        page.get_by_label("Sources and 95% ellipses").check()
        rows = page.locator("#sources tbody tr").count()
        assert rows == len(analysis.sources.sources)

        # Spanish, and the Spanish PDF
        page.click("#lang-es")
        page.wait_for_selector("text=Fuentes candidatas")
        assert page.locator("h2", has_text="Candidate sources").count() == 0
        page.select_option("#report-lang", "es")
        page.select_option("#report-format", "pdf")
        page.click("#make-report button[type=submit]")
        page.wait_for_selector("a.download[data-lang='es'][data-format='pdf']", timeout=180_000)
        page.wait_for_selector("#map[data-ready='1']", timeout=60_000)
        page.screenshot(path=str(shots / "case-es.png"), full_page=True)
        with page.expect_download() as dl:
            page.click("a.download[data-lang='es'][data-format='pdf']")
        pdf = tmp_path / "report.es.pdf"
        dl.value.save_as(pdf)
        assert pdf.read_bytes()[:5] == b"%PDF-"
        text = " ".join(pg.extract_text() or "" for pg in PdfReader(pdf).pages)
        assert "confirmación en tierra" in text

        # the next flight, drawn on the map with the posterior
        page.click("#plan-next button[type=submit]")
        page.wait_for_selector("#plans tbody tr a", timeout=180_000)
        page.wait_for_selector("#map[data-ready='1']", timeout=60_000)
        page.get_by_label("Probabilidad a posteriori").check()
        page.wait_for_timeout(500)
        png = page.locator("#map").screenshot(path=str(shots / "map-es-plan.png"))
        from PIL import Image

        img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
        green = np.all(np.abs(img - np.array([0x1E, 0x84, 0x49])) <= 12, axis=-1).sum()
        assert green > 50, f"the plan's line is not on the map ({green} pixels)"

        # a supervisor makes a report for partner MX
        page.click("#signout")
        page.wait_for_url(server + "/login")
        _sign_in(page, server, "sam", "supervisor-password-1")
        page.goto(server + "/cases/sonora-e2e?lang=en")
        page.select_option("#report-lang", "en")
        page.select_option("#report-format", "html")
        page.fill("#report-partners", "MX")
        page.click("#make-report button[type=submit]")
        page.wait_for_selector("a.download[data-format='html']", timeout=180_000)
        page.click("#signout")
        page.wait_for_url(server + "/login")

        # the partner sees that product only
        _sign_in(page, server, "mx", "partner-mx-password")
        page.wait_for_url(server + "/partner")
        page.screenshot(path=str(shots / "partner.png"), full_page=True)
        rows = page.locator("#released tbody tr")
        assert rows.count() == 1
        assert "report.html" in rows.first.inner_text()
        resp = page.request.get(server + "/api/cases/sonora-e2e/notes")
        assert resp.status == 403
        assert errors == []
        ctx.close()
        browser.close()
    if os.environ.get("OLFATO_E2E_SCREENSHOTS"):
        shutil.copy(pdf, shots / "report.es.pdf")
