"""Synthetic surveys with known truth: scenarios, wind, plumes, flights and sensors.

sim = simulate("scenarios/two_labs.yaml", seed=1)
sim.samples   # Survey CSV v1 columns
sim.truth     # what truth.json holds
sim.clean     # enhancement [ppb] per "source:analyte", no noise or background
sim.write("out/two_labs", plot=True)
"""

from olfato.simulate.core import Simulation, simulate
from olfato.simulate.scenario import Scenario, load_scenario, scenario_from_dict

__all__ = ["Scenario", "Simulation", "load_scenario", "scenario_from_dict", "simulate"]
