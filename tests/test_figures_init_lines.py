"""The variance meter's fast drawing and statistics give exactly what the plain versions give.

cnnedu.viz.figures.init draws a polyline's segments all at once and its markers with one
indexing call; cnnedu.topics.depth measures a std without numpy's Python overhead. The
references here are the per-segment / per-point loops and ``a.std(dtype=np.float64)`` they
replaced: any change of a pixel or of a float fails these tests.
"""
import math

import numpy as np
import pytest

from cnnedu.topics import depth
from cnnedu.viz.figures import init as figs


def line_reference(img, xs, ys, color, thickness=2):
    """One ``np.linspace`` per segment (x and y), as the plot drew before."""
    H, W = img.shape[:2]
    col = np.array(color, dtype=np.uint8)
    pts_x, pts_y = [], []
    for i in range(len(xs) - 1):
        if not (np.isfinite(ys[i]) and np.isfinite(ys[i + 1])):
            continue
        n = int(max(abs(xs[i + 1] - xs[i]), abs(ys[i + 1] - ys[i]))) + 2
        pts_x.append(np.linspace(xs[i], xs[i + 1], n))
        pts_y.append(np.linspace(ys[i], ys[i + 1], n))
    if not pts_x:
        return
    px = np.round(np.concatenate(pts_x)).astype(int)
    py = np.round(np.concatenate(pts_y)).astype(int)
    for dx in range(thickness):
        for dy in range(thickness):
            qx, qy = px + dx - thickness // 2, py + dy - thickness // 2
            ok = (qx >= 0) & (qx < W) & (qy >= 0) & (qy < H)
            img[qy[ok], qx[ok]] = col


def markers_reference(img, xs, ys, color, r=2):
    """One slice assignment per point, as the plot drew before."""
    H, W = img.shape[:2]
    for x, y in zip(xs, ys):
        if not np.isfinite(y):
            continue
        x, y = int(round(x)), int(round(y))
        img[max(y - r, 0):min(y + r + 1, H), max(x - r, 0):min(x + r + 1, W)] = color


def random_polyline(rng, trial):
    n = int(rng.integers(1, 60))
    H, W = int(rng.integers(10, 320)), int(rng.integers(10, 540))
    xs = np.sort(rng.uniform(-50, W + 50, n))
    ys = rng.uniform(-50, H + 50, n)
    kind = trial % 6
    if kind == 1:                                  # integer and half-integer points
        xs, ys = np.round(xs * 2) / 2, np.round(ys * 2) / 2
    elif kind == 2:                                # zero-length segments
        xs[rng.random(n) < 0.3], ys[rng.random(n) < 0.3] = xs[0], ys[0]
    elif kind == 3:                                # a step that is 0 without a 0 length
        xs, ys = np.arange(n) * 3.0, 5e-324 * rng.integers(-2, 3, n)
    elif kind == 4:                                # far outside the image
        ys = rng.uniform(-1e4, 1e4, n)
    elif kind == 5:                                # points that all lie inside
        xs, ys = rng.uniform(3, W - 4, n), rng.uniform(3, H - 4, n)
    ys[rng.random(n) < 0.15] = np.nan              # breaks in the line
    ys[rng.random(n) < 0.05] = np.inf
    return np.full((H, W, 3), 255, dtype=np.uint8), xs, ys


def test_line_draws_the_pixels_of_one_linspace_per_segment():
    rng = np.random.default_rng(0)
    for trial in range(1500):
        img, xs, ys = random_polyline(rng, trial)
        color = tuple(int(c) for c in rng.integers(0, 256, 3))
        thickness = 1 + trial % 3
        expected = img.copy()
        line_reference(expected, xs, ys, color, thickness)
        figs._line(img, xs, ys, color, thickness)
        np.testing.assert_array_equal(img, expected, err_msg=f"trial {trial}")


def test_line_points_are_the_floats_of_linspace(monkeypatch):
    """Not only the same pixels: the same floats before rounding (bit for bit)."""
    rng = np.random.default_rng(1)
    seen = []
    real_round = np.round
    monkeypatch.setattr(np, "round", lambda a, *args, **kw: seen.append(np.copy(a))
                        or real_round(a, *args, **kw))
    for trial in range(500):
        n = int(rng.integers(2, 30))
        xs, ys = rng.uniform(0, 500, n), rng.uniform(0, 300, n)
        if trial % 3 == 0:
            xs[::2] = xs[0]
        if trial % 4 == 0:
            ys = 5e-324 * rng.integers(-2, 3, n)
        seen.clear()
        figs._line(np.zeros((2, 2, 3), np.uint8), xs, ys, (1, 2, 3))
        n_seg = [int(max(abs(xs[i + 1] - xs[i]), abs(ys[i + 1] - ys[i]))) + 2
                 for i in range(n - 1)]
        expected = np.stack([np.concatenate([np.linspace(v[i], v[i + 1], n_seg[i])
                                             for i in range(n - 1)]) for v in (xs, ys)])
        assert seen[0].tobytes() == expected.tobytes(), f"trial {trial}"


def test_markers_draw_the_pixels_of_one_square_per_point():
    rng = np.random.default_rng(2)
    for trial in range(1500):
        img, xs, ys = random_polyline(rng, trial)
        img[::3] = 7
        color = tuple(int(c) for c in rng.integers(0, 256, 3))
        r = trial % 4
        expected = img.copy()
        markers_reference(expected, xs, ys, color, r)
        figs._markers(img, xs, ys, color, r)
        np.testing.assert_array_equal(img, expected, err_msg=f"trial {trial}")


@pytest.mark.parametrize("depth_", [1, 2, 7, 20, 50])
def test_std_plot_is_the_plot_of_the_reference_drawing(monkeypatch, depth_):
    rng = np.random.default_rng(depth_)
    curves = [(10.0 ** rng.uniform(-12, 3, depth_), "forward"),
              (np.exp(np.cumsum(rng.normal(0, 1, depth_))), "backward")]
    curves[0][0][rng.random(depth_) < 0.1] = np.nan
    new = figs.std_plot_rgb(curves, mark_layer=depth_ // 2 + 1, title="he_normal, relu")
    monkeypatch.setattr(figs, "_line", line_reference)
    monkeypatch.setattr(figs, "_markers", markers_reference)
    old = figs.std_plot_rgb(curves, mark_layer=depth_ // 2 + 1, title="he_normal, relu")
    np.testing.assert_array_equal(new, old)


def std_reference(a):
    v = float(a.std(dtype=np.float64))
    return v if math.isfinite(v) else math.nan


@pytest.mark.parametrize("shape", [(1, 32, 16, 16), (1, 16, 32, 32), (1, 8, 32, 32),
                                   (2, 3, 5, 7), (1, 24, 32, 32), (1, 3, 1, 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_std_is_numpys_float(shape, dtype):
    rng = np.random.default_rng(3)
    for trial in range(60):
        scale = 10.0 ** rng.uniform(-30, 30)
        a = (rng.standard_normal(shape) * scale + rng.uniform(-3, 3) * scale).astype(dtype)
        if trial % 3 == 1:
            a = np.maximum(a, 0)                   # ReLU outputs
        if trial % 7 == 0:
            a.flat[rng.integers(a.size)] = (np.inf, -np.inf, np.nan)[trial % 3]
        if trial % 11 == 0:
            a[:] = 0
        with np.errstate(all="ignore"):
            expected = std_reference(a)
            for out in (None, np.empty(shape)):
                got = depth._std(a, out)
                assert type(got) is float
                assert got == expected or (math.isnan(got) and math.isnan(expected))


def test_the_default_input_is_made_once_and_cannot_change():
    depth.depth_profile("he_normal", depth=2, channels=3, size=32)
    x = depth._photo(3, size=32)
    assert not x.flags.writeable
    np.testing.assert_array_equal(x, depth.stack_input(3, size=32))
    assert depth.stack_input(3, size=32).flags.writeable    # callers still get their own
