"""Histograms drawn into RGB arrays."""
import numpy as np
import pytest

from cnnedu.viz.histogram import SERIES_COLORS, histogram_counts, histogram_rgb


def test_counts_match_numpy_and_leave_out_non_finite():
    v = np.array([0.0, 0.2, 0.4, 0.9, np.nan, np.inf])
    counts, edges = histogram_counts([v, v[:3]], bins=3)
    assert counts.tolist() == [[3, 0, 1], [2, 0, 1]] or counts.tolist() == [[2, 1, 1], [2, 1, 0]]
    np.testing.assert_allclose(edges, np.linspace(0, 0.9, 4))
    np.testing.assert_array_equal(counts[0], np.histogram(v[np.isfinite(v)], bins=edges)[0])


def test_bar_heights_follow_the_counts():
    rgb = histogram_rgb(np.array([0.1] * 4 + [0.9] * 2), bins=2, value_range=(0, 1), size=(42, 20))
    coloured = (rgb != 255).any(axis=2)
    left, right = coloured[:, 2].sum(), coloured[:, 17].sum()
    assert left == 40 and right == 20          # tallest bar is h - 2; half as many, half as tall
    assert tuple(rgb[-1, 2]) == tuple(round(255 * 0.4 + 0.6 * c) for c in SERIES_COLORS[0])


def test_zero_line_and_constant_input():
    rgb = histogram_rgb(np.array([-1.0, 1.0]), size=(10, 21))
    assert (rgb[:, 10] == 0).all()
    assert histogram_rgb(np.zeros(5), size=(10, 10)).shape == (10, 10, 3)
    assert histogram_rgb(np.array([np.nan]), size=(10, 10)).min() == 255   # nothing to draw


def test_bad_input_messages():
    with pytest.raises(ValueError, match="bins must be a positive integer"):
        histogram_counts(np.ones(3), bins=0)
    with pytest.raises(ValueError, match="value_range must be finite"):
        histogram_counts(np.ones(3), value_range=(1, 0))
    with pytest.raises(ValueError, match=r"size must be at least \(8, 8\)"):
        histogram_rgb(np.ones(3), size=(2, 2))


def test_log_heights_lift_the_tails_under_a_spike():
    values = np.concatenate([np.zeros(10000), np.linspace(0.5, 1.0, 20)])
    lin = histogram_rgb([values], value_range=(0, 1), bins=10, size=(50, 100))
    log = histogram_rgb([values], value_range=(0, 1), bins=10, size=(50, 100), log=True)
    tail = slice(60, 100)                         # columns of the bins above 0.5

    def bar_rows(img):
        return int((img[:, tail, 0] < 250).any(axis=1).sum())
    assert bar_rows(lin) <= 1 and bar_rows(log) >= 5
    # the spike is the tallest bar either way
    assert (lin[:, :10, 0] < 250).any(axis=1).sum() == (log[:, :10, 0] < 250).any(axis=1).sum()


def test_axis_labels_sit_where_the_image_puts_its_values():
    from cnnedu.viz.histogram import axis_labels_html
    row = axis_labels_html(-3.0, 1.0, 380)
    assert "-3.00" in row and "1.00" in row and "width:380px" in row
    assert "left:75.0%" in row                     # 0 is 3/4 of the way, as the black line
    rgb = histogram_rgb(np.array([-3.0, 1.0]), value_range=(-3.0, 1.0), size=(10, 381))
    assert (rgb[:, 285] == 0).all()                # 0.75 * 380 = 285
    assert ">0<" not in axis_labels_html(-0.1, 5.0, 380)   # crowded against an end: left out
    assert ">0<" not in axis_labels_html(0.5, 5.0, 380)    # not in range
    assert "-0.00" not in axis_labels_html(-0.001, 2.0, 380)
    with pytest.raises(ValueError, match="finite with lo <= hi"):
        axis_labels_html(1.0, float("nan"), 380)
    with pytest.raises(ValueError, match="width must be a positive integer"):
        axis_labels_html(0.0, 1.0, 0)
