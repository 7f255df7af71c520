"""Pasquill stability class from wind speed, sun and cloud, when a survey has none.

Solar elevation follows the NOAA Solar Calculator equations (NOAA Global Monitoring
Laboratory, "General Solar Position Calculations" / NOAA_Solar_Calculations_day.xls,
after Meeus, *Astronomical Algorithms*, 1991), accurate to about 0.01 deg for
1800-2100, with NOAA's standard-atmosphere refraction correction.

The class comes from Pasquill's table as given by Turner (1970), *Workbook of
Atmospheric Dispersion Estimates*, Table 2-1, with the incoming solar radiation
judged from the solar elevation as in Turner (1964), "A diffusion model for an urban
area", J. Appl. Meteor. 3, 83-91: strong above 60 deg, moderate 35-60 deg, slight
15-35 deg, weak 0-15 deg. Cloud (oktas) weakens the daytime insolation by one step
when more than half the sky is covered (Turner 1964 lowers it for cloud of 5/10 or
more); an overcast sky (8 oktas) is class D by day or night (Turner 1970, note to
Table 2-1). Night is when the sun is below the horizon (Turner 1964). Where the
table gives a pair (e.g. "A-B") the more stable class is returned, which is the
conservative choice (higher near-field ground concentrations). Weak insolation
gives C below 2 m/s and D above (Turner 1964, net radiation index 1). Calm nights
(< 2 m/s), blank in Turner's table, are F (Turner 1964, net radiation index -1/-2,
with G folded into F).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

F64 = NDArray[np.float64]

#: the Pasquill-Gifford stability classes, most unstable first (Pasquill 1961; Turner 1970)
STABILITY_CLASSES = ("A", "B", "C", "D", "E", "F")

#: Turner (1970) Table 2-1 rows by surface wind speed [m/s]: < 2, 2-3, 3-5, 5-6, >= 6
_WIND_EDGES_MS = np.array([2.0, 3.0, 5.0, 6.0])
# columns: strong, moderate, slight, weak insolation; night >= 4/8 cloud; night <= 3/8
_TABLE = np.array(
    [
        ["A", "B", "B", "C", "F", "F"],  # < 2 m/s  (A-B -> B)
        ["B", "B", "C", "D", "E", "F"],  # 2-3      (A-B -> B)
        ["B", "C", "C", "D", "D", "E"],  # 3-5      (B-C -> C)
        ["C", "D", "D", "D", "D", "D"],  # 5-6      (C-D -> D)
        ["C", "D", "D", "D", "D", "D"],  # >= 6
    ]
)


def solar_elevation(time_s: ArrayLike, lat_deg: ArrayLike, lon_deg: ArrayLike) -> F64:
    """Apparent solar elevation (refraction included) at a time and place.

    NOAA Solar Calculator equations (module docstring). Inputs broadcast.

    Parameters
    ----------
    time_s : array_like
        Seconds since the Unix epoch, UTC [s].
    lat_deg, lon_deg : array_like
        WGS84 latitude and longitude [deg, east positive].

    Returns
    -------
    ndarray
        Elevation of the sun above the horizon [deg]; negative at night.
    """
    t = np.asarray(time_s, dtype=float)
    lat = np.deg2rad(np.asarray(lat_deg, dtype=float))
    lon = np.asarray(lon_deg, dtype=float)
    jd = t / 86400.0 + 2440587.5
    jc = (jd - 2451545.0) / 36525.0
    l0 = np.mod(280.46646 + jc * (36000.76983 + jc * 0.0003032), 360.0)
    m = np.deg2rad(357.52911 + jc * (35999.05029 - 0.0001537 * jc))
    ecc = 0.016708634 - jc * (0.000042037 + 0.0000001267 * jc)
    centre = (
        np.sin(m) * (1.914602 - jc * (0.004817 + 0.000014 * jc))
        + np.sin(2 * m) * (0.019993 - 0.000101 * jc)
        + np.sin(3 * m) * 0.000289
    )
    omega = np.deg2rad(125.04 - 1934.136 * jc)
    app_long = np.deg2rad(l0 + centre - 0.00569 - 0.00478 * np.sin(omega))
    mean_obliq = (
        23.0 + (26.0 + (21.448 - jc * (46.815 + jc * (0.00059 - jc * 0.001813))) / 60.0) / 60.0
    )
    obliq = np.deg2rad(mean_obliq + 0.00256 * np.cos(omega))
    decl = np.arcsin(np.sin(obliq) * np.sin(app_long))
    var_y = np.tan(obliq / 2.0) ** 2
    l0r = np.deg2rad(l0)
    eq_time_min = 4.0 * np.rad2deg(
        var_y * np.sin(2 * l0r)
        - 2 * ecc * np.sin(m)
        + 4 * ecc * var_y * np.sin(m) * np.cos(2 * l0r)
        - 0.5 * var_y**2 * np.sin(4 * l0r)
        - 1.25 * ecc**2 * np.sin(2 * m)
    )
    minutes_utc = np.mod(t, 86400.0) / 60.0
    true_solar_min = np.mod(minutes_utc + eq_time_min + 4.0 * lon, 1440.0)
    hour_angle = np.deg2rad(true_solar_min / 4.0 - 180.0)
    cos_zen = np.sin(lat) * np.sin(decl) + np.cos(lat) * np.cos(decl) * np.cos(hour_angle)
    elev = 90.0 - np.rad2deg(np.arccos(np.clip(cos_zen, -1.0, 1.0)))
    return elev + _refraction_deg(elev)


def _refraction_deg(elev: F64) -> F64:
    """NOAA's approximate atmospheric refraction [deg] at true elevation ``elev`` [deg]."""
    e = np.asarray(elev, dtype=float)
    te = np.tan(np.deg2rad(np.clip(e, -89.0, 89.0)))
    high = 58.1 / te - 0.07 / te**3 + 0.000086 / te**5
    low = 1735.0 + e * (-518.2 + e * (103.4 + e * (-12.79 + e * 0.711)))
    below = -20.772 / te
    arcsec = np.where(e > 85.0, 0.0, np.where(e > 5.0, high, np.where(e > -0.575, low, below)))
    return arcsec / 3600.0


def pasquill_class(
    wind_speed_ms: ArrayLike,
    solar_elevation_deg: ArrayLike,
    cloud_oktas: ArrayLike = 0.0,
) -> NDArray[np.str_]:
    """Pasquill stability class ``"A"``..``"F"`` (Turner 1970, Table 2-1).

    Inputs broadcast; see the module docstring for how the table is read.

    Parameters
    ----------
    wind_speed_ms : array_like
        Surface (10 m) wind speed [m/s].
    solar_elevation_deg : array_like
        [deg] (see :func:`solar_elevation`).
    cloud_oktas : array_like
        Total cloud cover [oktas, 0..8], 0 (clear) when unknown.

    Returns
    -------
    ndarray of str
        One-letter classes.
    """
    u = np.asarray(wind_speed_ms, dtype=float)
    elev = np.asarray(solar_elevation_deg, dtype=float)
    cloud = np.clip(np.asarray(cloud_oktas, dtype=float), 0.0, 8.0)
    u, elev, cloud = np.broadcast_arrays(u, elev, cloud)
    row = np.searchsorted(_WIND_EDGES_MS, np.nan_to_num(u, nan=0.0), side="right")
    # daytime insolation column 0 strong .. 3 weak (Turner 1964 elevation classes)
    day_col = np.select([elev > 60.0, elev > 35.0, elev > 15.0], [0, 1, 2], default=3)
    day_col = np.minimum(day_col + (cloud > 4.0), 3)
    night_col = np.where(cloud >= 4.0, 4, 5)
    col = np.where(elev > 0.0, day_col, night_col)
    out = _TABLE[row, col]
    return np.where(cloud >= 8.0, "D", out)
