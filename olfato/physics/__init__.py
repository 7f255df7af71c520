"""Atmospheric physics: Gaussian plume dispersion, stability, wind, unit conversions.

Small pure functions over NumPy arrays, units in brackets in every docstring, a
reference for every coefficient.
"""

from olfato.physics.dispersion import (
    SIGMA_MODELS,
    crosswind_integrated_sigma,
    gaussian_plume,
    gaussian_plume_sigma,
    sigma_yz,
)
from olfato.physics.stability import pasquill_class, solar_elevation
from olfato.physics.units import g_m3_to_ppb, ppb_to_g_m3
from olfato.physics.wind import downwind_crosswind, wind_from_vector, wind_vector

__all__ = [
    "SIGMA_MODELS",
    "crosswind_integrated_sigma",
    "downwind_crosswind",
    "g_m3_to_ppb",
    "gaussian_plume",
    "gaussian_plume_sigma",
    "pasquill_class",
    "ppb_to_g_m3",
    "sigma_yz",
    "solar_elevation",
    "wind_from_vector",
    "wind_vector",
]
