"""Synthetic surveys with known truth: scenarios, wind, plumes, flights and sensors.

sim = simulate("scenarios/two_labs.yaml", seed=1)
sim.samples   # Survey CSV v1 columns
sim.truth     # what truth.json holds
sim.clean     # enhancement [ppb] per "source:analyte", no noise or background
sim.write("out/two_labs", plot=True)
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from olfato.simulate.core import Simulation, simulate
    from olfato.simulate.scenario import Scenario, load_scenario, scenario_from_dict

__all__ = ["Scenario", "Simulation", "load_scenario", "scenario_from_dict", "simulate"]
#: where each export lives; loaded on first use (PEP 562), so that `olfato --help`
#: does not import SciPy
_MODULE = {
    "Simulation": "core",
    "simulate": "core",
    "Scenario": "scenario",
    "load_scenario": "scenario",
    "scenario_from_dict": "scenario",
}


def __getattr__(name: str) -> Any:
    if name in _MODULE:
        return getattr(import_module(f"olfato.simulate.{_MODULE[name]}"), name)
    raise AttributeError(f"module 'olfato.simulate' has no attribute {name!r}")
