"""Synthetic surveys with known truth: scenarios, wind, plumes, flights and sensors.

sim = simulate("scenarios/two_labs.yaml", seed=1)
sim.samples   # Survey CSV v1 columns
sim.truth     # what truth.json holds
sim.clean     # enhancement [ppb] per "source:analyte", no noise or background
sim.write("out/two_labs", plot=True)
"""

from typing import TYPE_CHECKING

from olfato.lazy import exports

if TYPE_CHECKING:
    from olfato.simulate.core import Simulation, simulate
    from olfato.simulate.scenario import Scenario, load_scenario, reflown, scenario_from_dict

__all__ = ["Scenario", "Simulation", "load_scenario", "reflown", "scenario_from_dict", "simulate"]
#: where each export lives; loaded on first use (PEP 562), so that `olfato --help`
#: does not import SciPy
_MODULE = {
    "Simulation": "core",
    "simulate": "core",
    "Scenario": "scenario",
    "load_scenario": "scenario",
    "reflown": "scenario",
    "scenario_from_dict": "scenario",
}

__getattr__ = exports(__name__, _MODULE)
