"""ppb <-> g/m3 against hand-checked values."""

from __future__ import annotations

import numpy as np
import pytest

from olfato.physics.units import g_m3_to_ppb, molar_mass, ppb_to_g_m3


def test_one_ppm_methane_at_25c_1atm():
    # 1 ppm CH4 at 25 degC, 1 atm = 0.656 mg/m3 (16.043 g/mol / 24.465 L/mol)
    assert ppb_to_g_m3(1000.0, molar_mass("ch4")) * 1000 == pytest.approx(0.656, abs=5e-4)


def test_one_ppm_co_matches_osha_conversion():
    # OSHA: mg/m3 = ppm x MW / 24.45 at 25 degC and 1 atm -> 1 ppm CO = 1.146 mg/m3
    assert ppb_to_g_m3(1000.0, molar_mass("co")) * 1000 == pytest.approx(28.010 / 24.45, rel=1e-3)


def test_temperature_and_pressure_scale_as_ideal_gas():
    base = ppb_to_g_m3(100.0, 58.079)
    assert ppb_to_g_m3(100.0, 58.079, temperature_k=2 * 298.15) == pytest.approx(base / 2)
    assert ppb_to_g_m3(100.0, 58.079, pressure_pa=101325.0 / 2) == pytest.approx(base / 2)


def test_round_trip():
    ppb = np.array([0.0, 1.0, 37.5, 1e6])
    back = g_m3_to_ppb(ppb_to_g_m3(ppb, 92.138, 280.0, 90000.0), 92.138, 280.0, 90000.0)
    assert np.allclose(back, ppb, rtol=1e-12)


def test_unknown_analyte():
    with pytest.raises(ValueError, match="unknown analyte 'xenon'"):
        molar_mass("xenon")
