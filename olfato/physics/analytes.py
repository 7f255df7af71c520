"""The gases olfato knows: canonical names and molar masses.

Molar masses [g/mol] are from the CRC Handbook of Chemistry and Physics (97th ed.,
2016), "Physical constants of organic compounds" and "inorganic compounds" tables.
``voc`` is a lumped photo-ionisation (PID) reading; PIDs are calibrated to
isobutylene, so its ppb are isobutylene-equivalent and its molar mass is that of
isobutylene (C4H8, 56.106 g/mol).
"""

from __future__ import annotations

from types import MappingProxyType

#: canonical analyte name -> molar mass [g/mol]
MOLAR_MASS_G_MOL = MappingProxyType(
    {
        "ch4": 16.043,
        "co2": 44.009,
        "co": 28.010,
        "nh3": 17.031,
        "h2s": 34.081,
        "hcl": 36.461,
        "no2": 46.006,
        "so2": 64.064,
        "voc": 56.106,  # isobutylene-equivalent PID reading
        "toluene": 92.138,
        "acetone": 58.079,
        "benzene": 78.112,
        "methanol": 32.042,
        "ethanol": 46.068,
        "diethyl_ether": 74.122,
        "methylamine": 31.057,
    }
)

#: the concentration units a gas channel may carry, with their factor to ppb
UNIT_TO_PPB = MappingProxyType({"ppb": 1.0, "ppm": 1000.0})

KNOWN_ANALYTES = frozenset(MOLAR_MASS_G_MOL)


def unknown_gas_warning(name: str, analyte: str) -> str:
    """What every reader says of a gas channel named for an analyte olfato does not know.

    The channel is kept as an extra column, not a gas channel, so that every command
    treats it the same (none uses it); a mapping can name the analyte it measures.

    Parameters
    ----------
    name : str
        The column or key as the input names it (``tvoc_ppb``).
    analyte : str
        The analyte name read from it (``tvoc``).

    Returns
    -------
    str
        The warning, naming the known analytes and how to map the channel.
    """
    return (
        f"gas channel '{name}': '{analyte}' is not an analyte olfato knows (known: "
        f"{', '.join(sorted(MOLAR_MASS_G_MOL))}); kept as an extra column, not used. "
        "To use it, map it to a known analyte (a vendor mapping's 'to:', a flight-log "
        "mapping's 'channels:') or rename the column."
    )
