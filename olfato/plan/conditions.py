"""The conditions a follow-up flight is planned for: wind, stability, sensor noise, home.

Taken from the last survey when there is one: the vector-mean wind (the mean of the
wind vectors, not of the angles, so 350 and 10 degrees average to 0), the logged
Pasquill-Gifford class (most frequent; D, neutral, when none was logged), each gas
channel's noise from :func:`olfato.detect.estimate_background`, and the take-off
point of the survey as the home point.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from olfato.errors import OlfatoError
from olfato.physics.stability import STABILITY_CLASSES
from olfato.physics.units import P_STANDARD_PA, T_STANDARD_K
from olfato.physics.wind import wind_from_vector, wind_vector
from olfato.survey.model import Survey

#: stability assumed when the survey logged none: neutral (Pasquill-Gifford D)
DEFAULT_STABILITY = "D"
#: noise assumed for a channel the survey does not have [ppb]
DEFAULT_NOISE_PPB = 1.0


@dataclass
class Conditions:
    """Weather and sensors for the observation model.

    ``wind_speed_ms`` [m/s]; ``wind_from_deg`` [deg]; ``stability`` A..F;
    ``noise_ppb`` per analyte [ppb]; ``home`` (east, north) [m] or None;
    ``temperature_k`` [K]; ``pressure_pa`` [Pa].
    """

    wind_speed_ms: float
    wind_from_deg: float
    stability: str = DEFAULT_STABILITY
    noise_ppb: dict[str, float] = field(default_factory=dict)
    home: tuple[float, float] | None = None
    temperature_k: float = T_STANDARD_K
    pressure_pa: float = P_STANDARD_PA

    def noise(self, analyte: str) -> float:
        """Sensor noise of a channel.

        Parameters
        ----------
        analyte : str
            The channel.

        Returns
        -------
        float
            Noise sd [ppb]; :data:`DEFAULT_NOISE_PPB` for a channel not measured.
        """
        return float(self.noise_ppb.get(analyte, DEFAULT_NOISE_PPB))

    def check(self) -> None:
        """Check that the conditions can be planned with.

        Raises
        ------
        OlfatoError
            For a wind speed not > 0, a direction that is not a number or a stability
            class outside A..F; ``parameter`` names the field (``wind_speed_ms``,
            ``wind_from_deg``, ``stability``).
        """
        if not (np.isfinite(self.wind_speed_ms) and self.wind_speed_ms > 0):
            raise OlfatoError(
                f"wind speed must be > 0 m/s, got {self.wind_speed_ms}", parameter="wind_speed_ms"
            )
        if not np.isfinite(self.wind_from_deg):
            raise OlfatoError("wind direction is not a number", parameter="wind_from_deg")
        if self.stability not in STABILITY_CLASSES:
            raise OlfatoError(
                f"stability class must be A..F, got '{self.stability}'", parameter="stability"
            )


def conditions_from_survey(survey: Survey) -> Conditions:
    """Wind, stability, channel noise and home point of a survey (module docstring).

    Parameters
    ----------
    survey : Survey
        The last survey.

    Returns
    -------
    Conditions
        Mean wind (vector mean) [m/s, deg FROM], the most common logged stability
        class (else D), noise per channel [ppb], home = the first position [m].

    Raises
    ------
    OlfatoError
        When the survey has no wind readings.
    """
    from olfato.detect import estimate_background

    s = survey.samples
    speed = s["wind_speed_ms"].to_numpy(dtype=float)
    direction = s["wind_dir_deg"].to_numpy(dtype=float)
    ok = np.isfinite(speed) & np.isfinite(direction)
    if not ok.any():
        raise OlfatoError(f"{survey.source}: the survey has no wind readings to plan with")
    u, v = wind_vector(speed[ok], direction[ok])
    mean_speed, mean_dir = wind_from_vector(float(u.mean()), float(v.mean()))
    stability = DEFAULT_STABILITY
    if "stability_class" in s:
        classes = [str(c).upper() for c in s["stability_class"].dropna()]
        classes = [c for c in classes if c in STABILITY_CLASSES]
        if classes:
            stability = Counter(classes).most_common(1)[0][0]
    noise = {}
    t = survey.time
    for a in survey.analytes:
        vals = survey.gas(a)
        if np.isfinite(vals).sum() >= 10:
            noise[a] = float(estimate_background(t, vals).noise)
    home = (float(s["east_m"].iloc[0]), float(s["north_m"].iloc[0]))
    return Conditions(
        wind_speed_ms=float(mean_speed),
        wind_from_deg=float(mean_dir),
        stability=stability,
        noise_ppb=noise,
        home=home,
    )
