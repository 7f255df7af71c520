"""Full-motion video: KLV metadata, where each frame looks, what moves, tracks on the map.

    from olfato.video import read_metadata, analyse_video, footprints_geojson, tracks_geojson
    meta = read_metadata("flight.ts")                 # ST 0601 KLV, telemetry CSV or HUD OCR
    footprints_geojson(meta.geometry)                 # footprints, platform track
    result = analyse_video("flight.ts")               # motion, tracks, geolocation
    tracks_geojson(result.tracks)

Modules, one concept each: :mod:`~olfato.video.klv` (ST 0601 packets),
:mod:`~olfato.video.container` (PyAV: streams, frames, KLV data streams),
:mod:`~olfato.video.telemetry` (ArcGIS FMV Multiplexer CSV), :mod:`~olfato.video.hud`
(burnt-in HUD by OCR), :mod:`~olfato.video.footprint` (camera model, corners,
pixel -> ground), :mod:`~olfato.video.metadata` (per-frame geometry),
:mod:`~olfato.video.motion` (camera-motion compensation, moving objects),
:mod:`~olfato.video.tracking` (multi-object tracker), :mod:`~olfato.video.detector`
(optional user ONNX detector), :mod:`~olfato.video.geolocate` (tracks on the ground),
:mod:`~olfato.video.export` (GeoJSON, KML), :mod:`~olfato.video.pipeline` (the whole
stage), :mod:`~olfato.video.synthetic` (clips with known truth for tests and benchmarks).
"""

from typing import TYPE_CHECKING

from olfato.lazy import exports

if TYPE_CHECKING:
    from olfato.video.export import footprints_geojson, tracks_geojson, write_features
    from olfato.video.pipeline import VideoAnalysis, VideoMetadata, analyse_video, read_metadata

__getattr__ = exports(
    __name__,
    {
        "read_metadata": "pipeline",
        "analyse_video": "pipeline",
        "VideoAnalysis": "pipeline",
        "VideoMetadata": "pipeline",
        "footprints_geojson": "export",
        "tracks_geojson": "export",
        "write_features": "export",
    },
)

__all__ = [
    "VideoAnalysis",
    "VideoMetadata",
    "analyse_video",
    "footprints_geojson",
    "read_metadata",
    "tracks_geojson",
    "write_features",
]
