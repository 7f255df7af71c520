"""Mass concentration [g/m3] <-> mole fraction [ppb] for an ideal gas.

A mole fraction chi [mol/mol] of a gas of molar mass M [g/mol] in air at pressure P
[Pa] and temperature T [K] has the mass concentration C = chi * P * M / (R * T)
[g/m3] (ideal gas law; Seinfeld & Pandis, *Atmospheric Chemistry and Physics*, 3rd
ed., 2016, eq. 1.6). Molar masses come from :data:`olfato.physics.analytes.MOLAR_MASS_G_MOL`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from olfato.physics.analytes import MOLAR_MASS_G_MOL

#: molar gas constant [J/(mol K)] (CODATA 2018, exact)
R_J_MOL_K = 8.314462618
#: standard temperature used when none is given: 25 degC [K]
T_STANDARD_K = 298.15
#: standard pressure used when none is given: 1 atm [Pa]
P_STANDARD_PA = 101325.0


def molar_mass(analyte: str) -> float:
    """Molar mass of a gas olfato knows.

    Parameters
    ----------
    analyte : str
        Its name, any case (``"ch4"``, ``"NH3"``).

    Returns
    -------
    float
        Molar mass [g/mol].

    Raises
    ------
    ValueError
        For an unknown gas; the message lists the known ones.
    """
    try:
        return float(MOLAR_MASS_G_MOL[analyte.lower()])
    except KeyError:
        known = ", ".join(sorted(MOLAR_MASS_G_MOL))
        raise ValueError(f"unknown analyte '{analyte}'; olfato knows: {known}") from None


def ppb_to_g_m3(
    ppb: ArrayLike,
    molar_mass_g_mol: ArrayLike,
    temperature_k: ArrayLike = T_STANDARD_K,
    pressure_pa: ArrayLike = P_STANDARD_PA,
) -> NDArray[np.float64]:
    """Mole fraction to mass concentration (ideal gas, module docstring).

    1 ppm of CH4 at 25 degC and 1 atm is 0.656 mg/m3. Inputs broadcast.

    Parameters
    ----------
    ppb : array_like
        Mole fraction [ppb].
    molar_mass_g_mol : array_like
        Molar mass of the gas [g/mol].
    temperature_k : array_like
        Air temperature [K].
    pressure_pa : array_like
        Air pressure [Pa].

    Returns
    -------
    ndarray
        Mass concentration [g/m3].
    """
    return (
        np.asarray(ppb, dtype=float)
        * 1e-9
        * np.asarray(pressure_pa, dtype=float)
        * np.asarray(molar_mass_g_mol, dtype=float)
        / (R_J_MOL_K * np.asarray(temperature_k, dtype=float))
    )


def g_m3_to_ppb(
    g_m3: ArrayLike,
    molar_mass_g_mol: ArrayLike,
    temperature_k: ArrayLike = T_STANDARD_K,
    pressure_pa: ArrayLike = P_STANDARD_PA,
) -> NDArray[np.float64]:
    """Mass concentration to mole fraction: the inverse of :func:`ppb_to_g_m3`.

    Parameters
    ----------
    g_m3 : array_like
        Mass concentration [g/m3].
    molar_mass_g_mol : array_like
        Molar mass of the gas [g/mol].
    temperature_k : array_like
        Air temperature [K].
    pressure_pa : array_like
        Air pressure [Pa].

    Returns
    -------
    ndarray
        Mole fraction [ppb].
    """
    return (
        np.asarray(g_m3, dtype=float)
        * 1e9
        * R_J_MOL_K
        * np.asarray(temperature_k, dtype=float)
        / (np.asarray(pressure_pa, dtype=float) * np.asarray(molar_mass_g_mol, dtype=float))
    )
