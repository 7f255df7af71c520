"""Burnt-in HUD text: position, altitude and time read from the pixels when a video has no metadata.

Many drone videos reach analysts re-encoded, with the telemetry only drawn on the image.
The text is read with RapidOCR (PP-OCR text detection and recognition on ONNX Runtime;
Du et al., "PP-OCR", arXiv:2009.09941), using the model files its wheel ships: the paths
are given explicitly, so nothing is ever downloaded; a user may give other model files.
The text is then searched for ``LAT``/``LON`` (decimal degrees, or with N/S/E/W), an
altitude (``ALT 170M``, ``170 m``) and a UTC time (``HH:MM:SS``, optionally after a date).

A HUD gives where the drone was, not where the camera looked: the footprint of such a
video is unknown, and tracks cannot be placed on the ground.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from olfato.errors import VideoError
from olfato.video.klv import KlvSample

_NUM = r"[-+]?\d{1,3}(?:[.,]\d+)?"
_LAT = re.compile(rf"LAT(?:ITUDE)?\s*[:=]?\s*({_NUM})\s*°?\s*([NS])?", re.I)
_LON = re.compile(rf"LON(?:G|GITUDE)?\s*[:=]?\s*({_NUM})\s*°?\s*([EW])?", re.I)
_ALT = re.compile(r"ALT(?:ITUDE)?\s*[:=]?\s*([-+]?\d+(?:[.,]\d+)?)\s*(M|FT)?", re.I)
_DATE = re.compile(r"(\d{4})[-/.](\d{2})[-/.](\d{2})")
_TIME = re.compile(r"(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?")


@dataclass(frozen=True)
class HudReading:
    """What one frame's HUD said (NaN / None where it said nothing readable)."""

    t_s: float
    text: str
    lat: float = math.nan
    lon: float = math.nan
    alt_m: float = math.nan
    seconds_of_day: float = math.nan
    date: tuple[int, int, int] | None = None


def parse_hud_text(text: str, t_s: float = math.nan) -> HudReading:
    """Find position, altitude and time in HUD text.

    Parameters
    ----------
    text : str
        All text read from a frame, joined with spaces.
    t_s : float
        The frame's time from the start of the video [s].

    Returns
    -------
    HudReading
    """
    kw: dict[str, Any] = {}
    if m := _LAT.search(text):
        v = float(m.group(1).replace(",", "."))
        kw["lat"] = -abs(v) if (m.group(2) or "").upper() == "S" else v
    if m := _LON.search(text):
        v = float(m.group(1).replace(",", "."))
        kw["lon"] = -abs(v) if (m.group(2) or "").upper() == "W" else v
    if m := _ALT.search(text):
        v = float(m.group(1).replace(",", "."))
        kw["alt_m"] = v * 0.3048 if (m.group(2) or "").upper() == "FT" else v
    if m := _TIME.search(text):
        h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3))
        frac = float(f"0.{m.group(4)}") if m.group(4) else 0.0
        if h < 24 and mi < 60 and s < 61:
            kw["seconds_of_day"] = h * 3600 + mi * 60 + s + frac
    if m := _DATE.search(text):
        kw["date"] = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
    lat, lon = kw.get("lat", math.nan), kw.get("lon", math.nan)
    if not (abs(lat) <= 90 and abs(lon) <= 180):
        kw.pop("lat", None)
        kw.pop("lon", None)
    return HudReading(t_s=t_s, text=text, **kw)


def shipped_models() -> dict[str, Path]:
    """The PP-OCR model files in the installed rapidocr wheel.

    Returns
    -------
    dict
        ``{"det": path, "rec": path, "cls": path}``.

    Raises
    ------
    VideoError
        rapidocr is missing or its wheel has no models.
    """
    try:
        import rapidocr
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise VideoError("HUD reading needs the rapidocr package") from exc
    root = Path(rapidocr.__file__).parent / "models"
    found = {
        "det": sorted(root.glob("*det*.onnx")),
        "rec": sorted(root.glob("*rec*.onnx")),
        "cls": sorted(root.glob("*cls*.onnx")),
    }
    if not found["det"] or not found["rec"]:
        raise VideoError(f"rapidocr's wheel has no models in {root}; give model paths")
    return {k: v[0] for k, v in found.items() if v}


class HudReader:
    """Read HUD text from frames with RapidOCR and local model files.

    Parameters
    ----------
    det_model, rec_model : path, optional
        ONNX text detection and recognition models (default: those rapidocr ships).

    Raises
    ------
    VideoError
        A model file is missing.
    """

    def __init__(
        self, det_model: str | Path | None = None, rec_model: str | Path | None = None
    ) -> None:
        from rapidocr import RapidOCR

        models = shipped_models() if det_model is None or rec_model is None else {}
        det = Path(det_model) if det_model is not None else models["det"]
        rec = Path(rec_model) if rec_model is not None else models["rec"]
        for name, p in (("det_model", det), ("rec_model", rec)):
            if not p.is_file():
                raise VideoError(f"{name}: no such model file", path=str(p))
        params: dict[str, Any] = {
            "Global.log_level": "error",
            "Global.use_cls": False,
            "Det.model_path": str(det),
            "Rec.model_path": str(rec),
        }
        if "cls" in models:
            params["Cls.model_path"] = str(models["cls"])
        self._ocr = RapidOCR(params=params)

    def read(self, image: Any, t_s: float = math.nan) -> HudReading:
        """OCR one frame and parse what it says.

        Parameters
        ----------
        image : ndarray
            BGR or grey pixels.
        t_s : float
            The frame's time from the start of the video [s].

        Returns
        -------
        HudReading
        """
        result = self._ocr(image)
        texts = [str(t) for t in (getattr(result, "txts", None) or ())]
        return parse_hud_text(" ".join(texts), t_s)


def samples_from_hud(
    readings: Sequence[HudReading], *, date: tuple[int, int, int] | None = None
) -> list[KlvSample]:
    """Metadata samples (sensor position, altitude, time) from HUD readings with a position.

    The UTC date comes from the HUD if it shows one, else ``date``, else 1970-01-01 (the
    time of day is still right); ``pts_s`` is each reading's frame time.

    Parameters
    ----------
    readings : sequence of HudReading
        From :meth:`HudReader.read`.
    date : (year, month, day), optional
        The UTC date when the HUD shows none.

    Returns
    -------
    list of KlvSample
    """
    day = date or next((r.date for r in readings if r.date), None)
    base = datetime(*day, tzinfo=UTC).timestamp() if day else 0.0
    out = []
    for r in readings:
        if not (math.isfinite(r.lat) and math.isfinite(r.lon)):
            continue
        time_us = (
            round((base + r.seconds_of_day) * 1e6)
            if math.isfinite(r.seconds_of_day)
            else round(r.t_s * 1e6)
        )
        out.append(
            KlvSample(
                time_us=time_us,
                pts_s=r.t_s,
                sensor_lat=r.lat,
                sensor_lon=r.lon,
                sensor_alt_m=r.alt_m,
            )
        )
    return out
