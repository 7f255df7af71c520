// olfato's web UI: forms through the API (with the session's CSRF token) and the map.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const texts = JSON.parse(document.getElementById("texts").textContent);
  const $ = (id) => document.getElementById(id);

  async function api(method, url, body) {
    const opts = { method, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const r = await fetch(url, opts);
    const data = await r.json().catch(() => ({}));
    if (!r.ok) {
      const d = data.detail;
      throw new Error(typeof d === "string" ? d : JSON.stringify(d || r.status));
    }
    return data;
  }

  async function poll(jobId, show) {
    for (;;) {
      const j = await api("GET", "/api/jobs/" + jobId);
      show(j);
      if (j.state === "done" || j.state === "failed") return j;
      await new Promise((ok) => setTimeout(ok, 500));
    }
  }

  function jobText(j) {
    const state = texts[j.state] || j.state;
    if (j.state === "failed") return state + ": " + j.error;
    if (j.state === "done") return state + ": " + j.message;
    return state + " (" + Math.round(100 * j.progress) + "%) " + (j.message || "");
  }

  // -- sign in / out -------------------------------------------------------------------
  const signin = $("signin");
  if (signin) {
    signin.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        const me = await api("POST", "/api/session", {
          name: $("name").value, password: $("password").value,
        });
        location.href = me.role === "partner" ? "/partner" : "/";
      } catch (e) {
        $("signin-error").textContent = e.message;
      }
    });
  }
  const signout = $("signout");
  if (signout) {
    signout.addEventListener("click", async () => {
      await api("DELETE", "/api/session").catch(() => null);
      location.href = "/login";
    });
  }

  // -- cases ---------------------------------------------------------------------------
  const newCase = $("new-case");
  if (newCase) {
    newCase.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const name = $("case-name").value.trim();
      try {
        await api("POST", "/api/cases", { name });
        location.href = "/cases/" + encodeURIComponent(name);
      } catch (e) {
        $("new-case-error").textContent = e.message;
      }
    });
  }

  const caseEl = $("case");
  if (!caseEl) return;
  const caseName = caseEl.dataset.case;
  const base = "/api/cases/" + encodeURIComponent(caseName);

  // -- upload with progress, then the analysis job ------------------------------------
  const upload = $("upload");
  if (upload) {
    upload.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const form = new FormData();
      for (const input of upload.querySelectorAll("input[type=file]")) {
        if (input.files.length) form.append(input.name, input.files[0]);
      }
      const bar = $("upload-progress");
      const status = $("upload-status");
      const xhr = new XMLHttpRequest();
      xhr.open("POST", base + "/surveys");
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) {
          bar.value = e.loaded / e.total;
          status.textContent = texts.uploading + " " + Math.round((100 * e.loaded) / e.total) + "%";
        }
      };
      xhr.onload = async () => {
        let data = {};
        try { data = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status !== 202) {
          status.textContent = texts.error + ": " + (data.detail || xhr.status);
          status.className = "error";
          return;
        }
        const j = await poll(data.job, (j) => { bar.value = j.progress; status.textContent = jobText(j); });
        status.dataset.state = j.state;
        if (j.state === "done") location.reload();
      };
      xhr.send(form);
    });
  }

  // -- products ------------------------------------------------------------------------
  const report = $("make-report");
  if (report) {
    report.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const partners = $("report-partners") ? $("report-partners").value : "";
      const status = $("report-status");
      try {
        const r = await api("POST", base + "/products", {
          kind: "report",
          lang: $("report-lang").value,
          format: $("report-format").value,
          releasable_to: partners.split(",").map((s) => s.trim()).filter((s) => s),
        });
        const j = await poll(r.job, (j) => { status.textContent = jobText(j); });
        status.dataset.state = j.state;
        if (j.state === "done") location.reload();
      } catch (e) {
        status.textContent = texts.error + ": " + e.message;
      }
    });
  }
  for (const b of document.querySelectorAll("button.release")) {
    b.addEventListener("click", async () => {
      const code = prompt("Partner code / código del socio (e.g. MX)");
      if (!code) return;
      try {
        await api("POST", "/api/products/" + b.dataset.product + "/release", { partners: [code] });
        location.reload();
      } catch (e) { alert(e.message); }
    });
  }

  // -- the next flight -----------------------------------------------------------------
  const planNext = $("plan-next");
  if (planNext) {
    planNext.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const status = $("plan-status");
      try {
        const r = await api("POST", base + "/plans", { survey_id: Number($("plan-survey").value) });
        const j = await poll(r.job, (j) => { status.textContent = jobText(j); });
        status.dataset.state = j.state;
        if (j.state === "done") location.reload();
      } catch (e) {
        status.textContent = texts.error + ": " + e.message;
      }
    });
  }

  // -- notes ---------------------------------------------------------------------------
  const note = $("add-note");
  if (note) {
    note.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        await api("POST", base + "/notes", {
          text: $("note-text").value, lang: $("note-lang").value, internal: $("note-internal").checked,
        });
        location.reload();
      } catch (e) { alert(e.message); }
    });
  }

  // -- the map -------------------------------------------------------------------------
  if (typeof L === "undefined") {
    $("map").textContent = "Map library missing: run scripts/fetch-web-assets.sh";
    return;
  }
  const COLOURS = { suspect: "#c0392b", benign: "#2471a3", detection: "#7d3c98", hit: "#111111",
                    footprint: "#5d6d7e", videoTrack: "#17a589" };
  const map = L.map("map", { preferCanvas: true, zoomSnap: 0.25 });
  window.olfatoMap = map;
  L.control.scale({ metric: true, imperial: false }).addTo(map);
  if (caseEl.dataset.tiles) {  // the user's own base map (olfato serve --tiles); none by default
    L.tileLayer(caseEl.dataset.tiles, { maxZoom: 20, attribution: "base map: local" }).addTo(map);
  }
  const layers = {
    track: L.layerGroup().addTo(map),
    hits: L.layerGroup().addTo(map),
    sources: L.layerGroup().addTo(map),
    detections: L.layerGroup().addTo(map),
    posterior: L.layerGroup(),
    plan: L.layerGroup().addTo(map),
    footprints: L.layerGroup(),
    videoTracks: L.layerGroup().addTo(map),
  };
  const overlays = {};
  overlays[texts.track] = layers.track;
  overlays[texts.hits] = layers.hits;
  overlays[texts.sources] = layers.sources;
  overlays[texts.detections] = layers.detections;
  overlays[texts.posterior] = layers.posterior;
  overlays[texts.plan] = layers.plan;
  overlays[texts.footprints] = layers.footprints;
  overlays[texts.video_tracks] = layers.videoTracks;
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);
  const bounds = L.latLngBounds([]);

  function enhancementColour(z) {
    if (z >= 10) return "#d7301f";
    if (z >= 5) return "#fc8d59";
    if (z >= 2) return "#fdcc8a";
    return "#9e9e9e";
  }

  async function drawTrack(surveyId) {
    const t = await api("GET", base + "/surveys/" + surveyId + "/track");
    for (let i = 1; i < t.lat.length; i++) {
      const z = Math.max(t.enhancement_sd[i - 1], t.enhancement_sd[i]);
      L.polyline([[t.lat[i - 1], t.lon[i - 1]], [t.lat[i], t.lon[i]]], {
        color: enhancementColour(z), weight: 2, opacity: 0.9, interactive: false,
      }).addTo(layers.track);
      bounds.extend([t.lat[i], t.lon[i]]);
    }
  }

  async function drawSources() {
    const gj = await api("GET", base + "/sources");
    window.olfatoSources = [];
    for (const f of gj.features) {
      const p = f.properties;
      const c = f.geometry.coordinates;
      if (p.feature === "ellipse95") {
        const ring = c[0].map((xy) => [xy[1], xy[0]]);
        const colour = p.suspect ? COLOURS.suspect : COLOURS.benign;
        L.polygon(ring, { color: colour, weight: 3, opacity: 1, fillColor: colour, fillOpacity: 0.15 })
          .addTo(layers.sources);
        ring.forEach((ll) => bounds.extend(ll));
      } else if (p.feature === "source") {
        const colour = p.suspect ? COLOURS.suspect : COLOURS.benign;
        window.olfatoSources.push({ id: p.id, lat: c[1], lon: c[0], suspect: p.suspect, colour });
        L.circleMarker([c[1], c[0]], { radius: 5, color: colour, fillColor: colour, fillOpacity: 1 })
          .bindTooltip(p.id + " " + p.signature + (p.suspect ? " (" + texts.suspect + ")" : ""),
                       { permanent: true, direction: "right", className: "source-label" })
          .addTo(layers.sources);
        bounds.extend([c[1], c[0]]);
      } else if (p.kind === "detection") {
        L.circleMarker([c[1], c[0]], { radius: 6, color: COLOURS.detection, fill: false, weight: 2 })
          .bindTooltip("#" + p.id).addTo(layers.detections);
      } else {
        L.circleMarker([c[1], c[0]], { radius: 3, color: COLOURS.hit, fillOpacity: 1 })
          .bindTooltip("#" + p.id + " SNR " + Number(p.snr).toFixed(1)).addTo(layers.hits);
      }
    }
  }

  async function drawVideo() {
    const gj = await api("GET", base + "/video");
    for (const f of gj.features) {
      const p = f.properties;
      const c = f.geometry.coordinates;
      if (p.kind === "footprint") {
        L.polygon(c[0].map((xy) => [xy[1], xy[0]]), {
          color: COLOURS.footprint, weight: 1, fillOpacity: 0.05, interactive: false,
        }).addTo(layers.footprints);
      } else if (p.kind === "track") {
        L.polyline(c.map((xy) => [xy[1], xy[0]]), { color: COLOURS.videoTrack, weight: 2 })
          .bindTooltip(p.video + " #" + p.id).addTo(layers.videoTracks);
      }
    }
  }

  async function drawPosterior(surveyId) {
    const r = await api("GET", base + "/surveys/" + surveyId + "/posterior");
    L.imageOverlay("data:image/png;base64," + r.png_base64, r.bounds, { opacity: 0.8 })
      .addTo(layers.posterior);
  }

  async function drawPlans() {
    const plans = await api("GET", base + "/plans");
    const last = plans.filter((p) => p.format === "plan").pop();
    if (!last) return;
    const r = await fetch(last.download, { credentials: "same-origin" });
    if (!r.ok) return;
    const plan = await r.json();
    const pts = plan.mission.items
      .filter((it) => it.params && it.params[4] && it.params[5])
      .map((it) => [it.params[4], it.params[5]]);
    if (pts.length) {
      L.polyline(pts, { color: "#1e8449", weight: 2, dashArray: "6 4" }).addTo(layers.plan);
    }
  }

  (async () => {
    const surveys = JSON.parse(caseEl.dataset.surveys);
    try {
      for (const id of surveys) await drawTrack(id);
      await drawSources();
      for (const id of surveys) await drawPosterior(id).catch(() => null);
      await drawPlans().catch(() => null);
      await drawVideo().catch(() => null);
    } catch (e) {
      $("map").dataset.error = e.message;
    }
    if (bounds.isValid()) map.fitBounds(bounds.pad(0.1));
    else map.setView([0, 0], 2);
    $("map").dataset.ready = "1";
  })();
})();
