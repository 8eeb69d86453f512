"""Tests for cnnedu.data.synthetic (oriented bars)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cnnedu.data.synthetic import BAR_NAMES, bar_angles, make_bars


def test_deterministic_by_seed():
    a, la = make_bars(40, seed=3)
    b, lb = make_bars(40, seed=3)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(la, lb)
    c, _ = make_bars(40, seed=4)
    assert not np.array_equal(a, c)
    d, _ = make_bars(40, seed=np.random.default_rng(3))
    np.testing.assert_array_equal(a, d)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 60), size=st.integers(8, 32), k=st.integers(1, 8))
def test_shapes_balance_range(n, size, k):
    x, y = make_bars(n, size, orientations=k, seed=0)
    assert x.shape == (n, 1, size, size) and x.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=k)
    assert counts.size == k and counts.max() - counts.min() <= 1
    assert x.min() >= 0.0 and x.max() <= 1.0


def test_bars_point_the_right_way():
    # Clean bars: the second moments of the pixel mass give the bar's direction.
    x, y = make_bars(40, 28, noise=0.0, seed=1)
    rows, cols = np.mgrid[:28, :28]
    for img, label in zip(x[:, 0], y):
        m = img.sum()
        cy, cx = (img * rows).sum() / m, (img * cols).sum() / m
        syy = (img * (rows - cy) ** 2).sum()
        sxx = (img * (cols - cx) ** 2).sum()
        sxy = (img * (rows - cy) * (cols - cx)).sum()
        # angle counter-clockwise from horizontal; rows grow downwards, so negate sxy
        angle = np.degrees(0.5 * np.arctan2(-2 * sxy, sxx - syy)) % 180
        diff = abs(angle - bar_angles(4)[label])
        assert min(diff, 180 - diff) < 10, (label, angle)
        # the bar stays inside the image: nothing on the border rows/columns
        assert img[[0, -1]].max() == 0 and img[:, [0, -1]].max() == 0


def test_names_and_dtype():
    assert len(BAR_NAMES) == 4 and BAR_NAMES[2] == "vertical"
    x, _ = make_bars(4, dtype=np.float32)
    assert x.dtype == np.float32


def test_bad_arguments():
    with pytest.raises(ValueError, match="n must be >= 1; got 0"):
        make_bars(0)
    with pytest.raises(TypeError, match="size must be an integer; got 2.5"):
        make_bars(4, 2.5)
    with pytest.raises(ValueError, match="length"):
        make_bars(4, length=(0.5, 1.5))
    with pytest.raises(ValueError, match="noise must be >= 0"):
        make_bars(4, noise=-1)
