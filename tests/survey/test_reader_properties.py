"""Property: every reader, given a mangled input, gives a clean error or a clean survey.

The inputs are those of benchmarks/fuzz.py (tests/survey/mangle.py), drawn by
hypothesis: a good file per reader, cut short, bit-flipped, with lines swapped or
doubled, fields replaced by junk, NaN/inf/absurd values, or broken metadata.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.survey.mangle import READERS, mutate, outcome, seeds

GOOD = seeds()


@pytest.mark.parametrize("reader", READERS)
def test_good_input_is_accepted(reader):
    with tempfile.TemporaryDirectory() as d:
        assert outcome(GOOD[reader], Path(d), strict=True) == ("accepted", "")


@pytest.mark.parametrize("reader", READERS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), strict=st.booleans())
def test_mangled_input_gives_clean_error_or_clean_survey(reader, seed, strict):
    case = mutate(GOOD[reader], np.random.default_rng(seed))
    with tempfile.TemporaryDirectory() as d:
        result, why = outcome(case, Path(d), strict)
    assert result in ("error", "accepted"), f"{result}: {why}"
