"""The scale bar and north arrow of every map."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from matplotlib.patches import FancyArrow, Rectangle

from olfato.output.figure import distance_label, nice_length, north_arrow, scale_bar


@pytest.mark.parametrize(
    ("x", "nice"), [(0.0, 1.0), (1.0, 1.0), (3.7, 2.0), (9.99, 5.0), (250.0, 200.0), (0.07, 0.05)]
)
def test_nice_length_is_the_largest_1_2_5_not_above(x: float, nice: float) -> None:
    assert nice_length(x) == pytest.approx(nice)


def test_scale_bar_has_the_length_it_says_and_the_arrow_points_north() -> None:
    fig, ax = plt.subplots()
    ax.set_xlim(-400.0, 600.0)  # 1000 m wide: a quarter is 250 m, the bar 200 m
    ax.set_ylim(0.0, 800.0)
    length = scale_bar(ax)
    assert length == 200.0
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert sum(b.get_width() for b in bars) == pytest.approx(200.0)
    assert [t.get_text() for t in ax.texts] == ["200 m"]
    north_arrow(ax, label="N")
    arrow = next(p for p in ax.patches if isinstance(p, FancyArrow))
    xy = arrow.get_xy()
    # the tip is the highest point, straight above the tail
    tip = xy[xy[:, 1].argmax()]
    assert tip[1] > xy[:, 1].min() and abs(tip[0] - xy[:, 0].mean()) < 1.0
    assert ax.texts[-1].get_text() == "N"
    plt.close(fig)


def test_distance_label_switches_to_km() -> None:
    assert distance_label(500.0) == "500 m"
    assert distance_label(2000.0) == "2 km"
