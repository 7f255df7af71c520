"""One analysed demo flight (simulated with known truth), shared by the store and report tests."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any


@dataclass
class Analysis:
    csv: Path
    pickle: Path
    survey: Any
    hits: Any
    sources: Any


_CACHE: list[Analysis] = []


def demo_analysis(folder: Path) -> Analysis:
    """Simulate the packaged demo scenario, read its CSV back, detect and locate (about 4 s;
    done once per test session, the files staying in the first caller's ``folder``)."""
    if _CACHE:
        return _CACHE[0]
    from olfato.detect import detect
    from olfato.locate import locate
    from olfato.simulate import simulate
    from olfato.survey.io import read_survey

    scenario = Path(str(files("olfato") / "data" / "scenarios" / "demo.yaml"))
    paths = simulate(scenario, seed=0).write(folder / "sim")
    survey = read_survey(paths["survey"], quiet=True)
    hits = detect(survey)
    sources = locate(survey, hits)
    pkl = folder / "analysis.pickle"
    pkl.write_bytes(pickle.dumps((survey, hits, sources)))
    _CACHE.append(Analysis(Path(paths["survey"]), pkl, survey, hits, sources))
    return _CACHE[0]
