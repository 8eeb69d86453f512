"""cnnedu.nn.conv against its oracles: the naive loops, scipy.signal and central differences."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from cnnedu.nn.conv import _fft, _im2col
from cnnedu.nn.gradcheck import numerical_gradient, rel_error
from cnnedu.nn.conv import (
    conv2d,
    conv2d_backward,
    conv2d_backward_naive,
    conv2d_naive,
    convolve2d,
    correlate2d,
    output_size,
    pad2d,
    rot180,
)

TOL = {np.float64: dict(rtol=1e-10, atol=1e-10), np.float32: dict(rtol=1e-4, atol=1e-4)}


# ---------------------------------------------------------------------------------------
# fast vs naive on random shapes
# ---------------------------------------------------------------------------------------

@st.composite
def conv_problems(draw):
    """A small valid conv2d problem: arrays, hyper-parameters and a random dy."""
    N, C, F = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    # the smallest input for which the dilated kernel fits in the padded input
    H = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), dh * (kh - 1) + 6))
    W = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), dw * (kw - 1) + 6))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    with_bias = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C, H, W)).astype(dtype)
    w = rng.standard_normal((F, C, kh, kw)).astype(dtype)
    b = rng.standard_normal(F).astype(dtype) if with_bias else None
    # stride etc. sometimes as an int, sometimes as a pair
    pick = lambda h, v: h if (h == v and draw(st.booleans())) else (h, v)  # noqa: E731
    kwargs = dict(stride=pick(sh, sw), padding=pick(ph, pw), dilation=pick(dh, dw))
    Ho = output_size(H, kh, stride=sh, padding=ph, dilation=dh)
    Wo = output_size(W, kw, stride=sw, padding=pw, dilation=dw)
    dy = rng.standard_normal((N, F, Ho, Wo)).astype(dtype)
    return x, w, b, kwargs, dy


@settings(max_examples=60, deadline=None)
@given(conv_problems())
def test_forward_matches_naive(problem):
    x, w, b, kwargs, _ = problem
    y = conv2d(x, w, b, **kwargs)
    y_ref = conv2d_naive(x, w, b, **kwargs)
    assert y.shape == y_ref.shape
    assert y.dtype == x.dtype == y_ref.dtype
    np.testing.assert_allclose(y, y_ref, **TOL[x.dtype.type])


@settings(max_examples=60, deadline=None)
@given(conv_problems())
def test_backward_matches_naive(problem):
    x, w, _, kwargs, dy = problem
    grads = conv2d_backward(dy, x, w, **kwargs)
    grads_ref = conv2d_backward_naive(dy, x, w, **kwargs)
    for name, g, g_ref, shape in zip(("dx", "dw", "db"), grads, grads_ref,
                                     (x.shape, w.shape, (w.shape[0],))):
        assert g.shape == g_ref.shape == shape, name
        assert g.dtype == x.dtype, name
        np.testing.assert_allclose(g, g_ref, **TOL[x.dtype.type], err_msg=name)


@pytest.mark.parametrize("strategy", ["flat", "strided", "offsets", "fft"])
def test_every_strategy_matches_naive(strategy, monkeypatch):
    """Each internal method, forced, on a few shapes that the heuristics would not pick."""
    monkeypatch.setattr(_im2col, "FORCE", strategy)
    rng = np.random.default_rng(7)
    cases = [((2, 1, 9, 8), (1, 1, 3, 3), dict()),
             ((2, 3, 11, 10), (4, 3, 4, 3), dict(padding=(2, 1))),
             ((3, 2, 12, 9), (2, 2, 3, 2), dict(stride=(2, 1), padding=1, dilation=(1, 2))),
             ((1, 2, 8, 8), (3, 2, 8, 8), dict(padding=3)),
             # the flat grid's rows carry only left padding: windows that run off a row
             # must read the next row's; here they overrun by more than a row (W = 1),
             # by a dilated reach, and with wide padding on a narrow image
             ((2, 2, 3, 1), (2, 2, 5, 5), dict(padding=2)),
             ((1, 2, 4, 3), (2, 2, 3, 3), dict(padding=(1, 3), dilation=(1, 3))),
             ((1, 1, 4, 2), (1, 1, 2, 3), dict(padding=(0, 3))),
             ((2, 1, 3, 4), (2, 1, 2, 1), dict(padding=2))]  # reach below padding: P = W_out
    for xs, ws, kwargs in cases:
        x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
        y = conv2d(x, w, b, **kwargs)
        np.testing.assert_allclose(y, conv2d_naive(x, w, b, **kwargs), **TOL[np.float64])
        dy = rng.standard_normal(y.shape)
        for g, g_ref in zip(conv2d_backward(dy, x, w, **kwargs),
                            conv2d_backward_naive(dy, x, w, **kwargs)):
            np.testing.assert_allclose(g, g_ref, **TOL[np.float64])


def test_chunking_over_the_batch(monkeypatch):
    """With a tiny scratch budget every sample is its own chunk; results must not change."""
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((5, 2, 7, 6)), rng.standard_normal((3, 2, 3, 3))
    b, dy = rng.standard_normal(3), rng.standard_normal((5, 3, 4, 3))
    kwargs = dict(stride=(2, 2), padding=1)
    y_big = conv2d(x, w, b, **kwargs)
    g_big = conv2d_backward(dy, x, w, **kwargs)
    monkeypatch.setattr(_im2col, "SCRATCH_BYTES", 1)
    np.testing.assert_allclose(conv2d(x, w, b, **kwargs), y_big, rtol=1e-12, atol=1e-12)
    for g, g_ref in zip(conv2d_backward(dy, x, w, **kwargs), g_big):
        np.testing.assert_allclose(g, g_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(y_big, conv2d_naive(x, w, b, **kwargs), rtol=1e-10, atol=1e-10)


def test_known_values():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])
    y = conv2d(x, w, np.array([0.5]))
    np.testing.assert_array_equal(y, np.full((1, 1, 3, 3), -5.0 + 0.5))
    y = conv2d(x, np.ones((1, 1, 1, 1)), stride=2, padding=1)
    np.testing.assert_array_equal(y[0, 0], [[0, 0, 0], [0, 5, 7], [0, 13, 15]])


# ---------------------------------------------------------------------------------------
# correlate2d / convolve2d vs scipy.signal
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("kshape", [(1, 1), (2, 2), (3, 3), (2, 3), (4, 1), (5, 4), (7, 9),
                                    (9, 12), (12, 12)])
def test_correlate_convolve_match_scipy(mode, kshape):
    rng = np.random.default_rng(sum(kshape))
    image = rng.standard_normal((9, 12))
    kernel = rng.standard_normal(kshape)
    np.testing.assert_allclose(correlate2d(image, kernel, mode),
                               signal.correlate2d(image, kernel, mode), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(convolve2d(image, kernel, mode),
                               signal.convolve2d(image, kernel, mode), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
def test_large_kernel_fft_path_matches_scipy(mode):
    rng = np.random.default_rng(3)
    image, kernel = rng.standard_normal((220, 190)), rng.standard_normal((11, 8))
    np.testing.assert_allclose(correlate2d(image, kernel, mode),
                               signal.correlate2d(image, kernel, mode), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(convolve2d(image, kernel, mode),
                               signal.convolve2d(image, kernel, mode), rtol=1e-9, atol=1e-9)


def test_convolve_is_correlate_with_rotated_kernel():
    rng = np.random.default_rng(4)
    image, kernel = rng.standard_normal((6, 7)), rng.standard_normal((3, 2))
    for mode in ("valid", "full"):
        np.testing.assert_allclose(convolve2d(image, kernel, mode),
                                   correlate2d(image, rot180(kernel), mode))


def test_correlate_keeps_float32_and_promotes_integers():
    image = np.arange(12, dtype=np.float32).reshape(3, 4)
    out = correlate2d(image, np.ones((2, 2), np.float32), "same")
    assert out.dtype == np.float32
    out = convolve2d(np.arange(12).reshape(3, 4), np.ones((2, 2), int))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, signal.convolve2d(np.arange(12).reshape(3, 4),
                                                         np.ones((2, 2)), "valid"))


# ---------------------------------------------------------------------------------------
# gradients vs float64 central differences (cnnedu.nn.gradcheck)
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("xs, ws, kwargs", [
    ((2, 2, 5, 6), (3, 2, 3, 3), dict()),
    ((1, 3, 6, 5), (2, 3, 2, 3), dict(stride=2, padding=1)),
    ((2, 1, 7, 7), (2, 1, 3, 2), dict(stride=(1, 2), padding=(2, 0), dilation=(2, 1))),
    ((1, 2, 4, 4), (1, 2, 1, 1), dict(padding=1)),
    ((2, 2, 6, 12), (2, 2, 3, 3), dict(padding=1)),  # the "flat" method
    ((1, 1, 5, 14), (1, 1, 3, 2), dict()),  # the "offsets" method
    ((1, 2, 14, 14), (1, 2, 7, 7), dict(padding=3)),  # forced FFT below
])
def test_gradients_match_central_differences(xs, ws, kwargs, monkeypatch):
    if ws[-1] == 7:
        monkeypatch.setattr(_im2col, "FORCE", "fft")
    rng = np.random.default_rng(5)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    y = conv2d(x, w, b, **kwargs)
    dy = rng.standard_normal(y.shape)
    dx, dw, db = conv2d_backward(dy, x, w, **kwargs)
    # y is linear in each of x, w, b: central differences have no truncation error, so a
    # large step only shrinks the rounding error (which h=1e-6 makes ~1e-9 absolute)
    h = 1e-3
    num_dx = numerical_gradient(lambda v: conv2d(v, w, b, **kwargs), x, dy, h=h)
    num_dw = numerical_gradient(lambda v: conv2d(x, v, b, **kwargs), w, dy, h=h)
    num_db = numerical_gradient(lambda v: conv2d(x, w, v, **kwargs), b, dy, h=h)
    assert rel_error(dx, num_dx) < 1e-7
    assert rel_error(dw, num_dw) < 1e-7
    assert rel_error(db, num_db) < 1e-7


# ---------------------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------------------

def test_float32_stays_float32_with_float64_bias():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(4)  # float64
    for func in (conv2d, conv2d_naive):
        y = func(x, w, b, padding=1)
        assert y.dtype == np.float32
    dy = np.ones(y.shape, np.float32)
    for func in (conv2d_backward, conv2d_backward_naive):
        assert [g.dtype for g in func(dy, x, w, padding=1)] == [np.float32] * 3
    assert [g.dtype for g in conv2d_backward(dy.astype(np.float64), x, w, padding=1)] == \
        [np.float32] * 3


def test_integers_promote_to_float64_and_mixed_floats_use_result_type():
    x = np.arange(2 * 1 * 4 * 4).reshape(2, 1, 4, 4)
    w = np.ones((1, 1, 2, 2), dtype=np.int32)
    for func in (conv2d, conv2d_naive):
        y = func(x, w)
        assert y.dtype == np.float64
        np.testing.assert_array_equal(y[0, 0, 0], [10, 14, 18])
    y = conv2d(x.astype(np.float32), w.astype(np.float64))
    assert y.dtype == np.float64
    dx, dw, db = conv2d_backward(np.ones((2, 1, 3, 3), int), x, w)
    assert dx.dtype == dw.dtype == db.dtype == np.float64


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------

def test_output_size():
    assert output_size(32, 3, stride=1, padding=1) == 32
    assert output_size(28, 5) == 24
    assert output_size(7, 3, stride=2) == 3
    assert output_size(8, 3, stride=2) == 3
    assert output_size(7, 3, dilation=3) == 1
    assert output_size(1, 3, padding=1) == 1
    for size in range(1, 12):
        for k in range(1, 4):
            for s in range(1, 4):
                for p in range(3):
                    for d in range(1, 3):
                        if d * (k - 1) + 1 <= size + 2 * p:
                            H_out = output_size(size, k, stride=s, padding=p, dilation=d)
                            y = conv2d_naive(np.zeros((1, 1, size, 1)),
                                             np.zeros((1, 1, k, 1)),
                                             stride=(s, 1), padding=(p, 0), dilation=(d, 1))
                            assert y.shape[2] == H_out


def test_rot180_and_pad2d():
    k = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(rot180(k), [[5, 4, 3], [2, 1, 0]])
    w = np.arange(2 * 3 * 2 * 2).reshape(2, 3, 2, 2)
    np.testing.assert_array_equal(rot180(w)[1, 2], np.rot90(w[1, 2], 2))
    np.testing.assert_array_equal(rot180(rot180(w)), w)
    x = np.ones((2, 3, 4, 5), np.float32)
    xp = pad2d(x, (1, 2))
    assert xp.shape == (2, 3, 6, 9) and xp.dtype == np.float32
    assert xp.sum() == x.sum() and xp[0, 0, 0].sum() == 0 and xp[0, 0, :, :2].sum() == 0
    assert pad2d(x, 0) is not x


# ---------------------------------------------------------------------------------------
# the scratch planner (cnnedu.nn.conv._plan) and tiled results
# ---------------------------------------------------------------------------------------

from cnnedu.nn.conv import _plan  # noqa: E402


def test_plan_arithmetic_by_hand():
    # x (4, 2, 5, 6), w (3, 2, 3, 3), padding 1, float64, flat grid: Hp=7, Wp=8, rows of
    # pitch 6 + 1 = 7 (left padding only), L=5*7=35, one spare row
    g = _plan.Conv(4, 2, 5, 6, 3, 3, 3, ph=1, pw=1, itemsize=8)
    assert (g.Hp, g.Wp, g.Ho, g.Wo, g.pitch, g.spare()) == (7, 8, 5, 6, 7, 1)
    padded, cols, out = 2 * (7 + 1) * 7, 2 * 9 * 35, 3 * 35
    assert _plan.gemm_bytes(g, "flat", False, 1, 5, 2) == 8 * (padded + cols + out)
    col2im = 2 * (7 + 1) * 7
    assert _plan.gemm_bytes(g, "flat", True, 1, 5, 2) == 8 * (padded + 2 * cols + out + col2im)
    # a 5-wide kernel over a 1-wide image padded by 2: pitch 3, the last windows overrun
    # by 4 columns, two spare rows; no overrun for a 1x1 kernel
    assert _plan.Conv(1, 1, 1, 1, 1, 5, 5, ph=2, pw=2).spare() == 2
    assert _plan.Conv(1, 1, 4, 4, 1, 1, 1).spare() == 0
    # a kernel whose reach (1 - 1 columns) is less than the padding (2): rows of W_out
    assert _plan.Conv(1, 1, 3, 4, 2, 2, 1, ph=2, pw=2).pitch == 8
    # strided grid: L = 5*6, no spare row
    assert _plan.gemm_bytes(g, "strided", False, 1, 5, 2) == 8 * (2 * 7 * 8 + 2 * 9 * 30 + 3 * 30)
    # linear in n
    assert _plan.gemm_bytes(g, "flat", True, 3, 5, 2) == 3 * _plan.gemm_bytes(g, "flat", True, 1, 5, 2)
    # a band of 2 output rows reads (2 - 1)*1 + 3 = 4 padded rows
    assert g.rows_in(2) == 4 and g.rows_in(5) == 7 and g.rows_in(50) == 7


@pytest.mark.parametrize("backward", [False, True])
@pytest.mark.parametrize("method", ["flat", "strided", "offsets"])
def test_plan_takes_the_largest_tile_that_fits(method, backward):
    g = _plan.Conv(10, 6, 20, 24, 5, 3, 3, ph=1, pw=1, itemsize=4)
    one = _plan.gemm_bytes(g, method, backward, 1, g.Ho, g.C)
    for budget in (one * 10, one * 3 + 1, one * 3 - 1, one):
        p = _plan.plan(g, method, backward, budget)
        assert p.split == "samples" and p.fits and p.bytes <= budget
        assert p.size == min(10, budget // one)  # the next larger chunk would not fit
    p = _plan.plan(g, method, backward, one - 1)  # one sample too large: bands of rows
    assert p.split == "rows" and p.fits and p.bytes <= one - 1 and 1 <= p.size < g.Ho
    more = _plan.plan(g, method, backward, p.bytes - 1)
    assert more.split == "rows" and more.size < p.size
    tiny = _plan.plan(g, method, backward, 100)  # not even a row of one channel fits
    assert not tiny.fits and tiny.size == 1


@pytest.mark.parametrize("backward", [False, True])
def test_cache_sized_chunks_are_equal_and_under_the_target(backward):
    g = _plan.Conv(10, 6, 20, 24, 5, 3, 3, ph=1, pw=1, itemsize=4)
    one = _plan.gemm_bytes(g, "flat", backward, 1, g.Ho, g.C)
    whole = _plan.plan(g, "flat", backward, 100 * one)
    assert whole.size == 10
    # a target of 4 samples: 3 chunks (10 = 4 + 4 + 2 would do), balanced as 4, 4, 4 -> 4
    p = _plan.cache_sized(g, "flat", backward, whole, 4 * one)
    assert (p.split, p.size, p.fits) == ("samples", 4, True) and p.bytes <= 4 * one
    # a target of 6 samples: 2 chunks of 5, not 6 + 4
    p = _plan.cache_sized(g, "flat", backward, whole, 6 * one + 1)
    assert p.size == 5 and p.bytes == _plan.gemm_bytes(g, "flat", backward, 5, g.Ho, g.C)
    # the target holds the whole batch, or not even one sample: the plan is kept
    assert _plan.cache_sized(g, "flat", backward, whole, 10 * one) == whole
    assert _plan.cache_sized(g, "flat", backward, whole, one - 1) == whole
    # bands of rows (one sample over budget) are never changed
    rows = _plan.plan(g, "flat", backward, one - 1)
    assert _plan.cache_sized(g, "flat", backward, rows, 10) == rows


def test_tiling_is_remembered_and_matches_the_plan():
    g = _plan.Conv(10, 6, 20, 24, 5, 3, 3, ph=1, pw=1, itemsize=4)
    one = _plan.gemm_bytes(g, "flat", True, 1, g.Ho, g.C)
    t = _plan.tiling(g, "flat", True, 100 * one, 4 * one)
    assert t == ("flat", _plan.cache_sized(g, "flat", True, _plan.plan(g, "flat", True, 100 * one),
                                           4 * one))
    hits = _plan.tiling.cache_info().hits
    assert _plan.tiling(g, "flat", True, 100 * one, 4 * one) is t
    assert _plan.tiling.cache_info().hits == hits + 1
    # FFT over budget for one sample: the GEMM method that replaces it
    big = _plan.Conv(1, 64, 96, 96, 64, 7, 7, ph=3, pw=3, itemsize=4)
    method, tiles = _plan.tiling(big, "fft", False, 1000, 1000)
    assert method == "flat" and isinstance(tiles, _plan.Plan)


def test_batches_run_in_cache_sized_chunks(monkeypatch):
    """The public functions use the chunks: y and the gradients agree with one chunk."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((7, 3, 9, 8))
    w = rng.standard_normal((4, 3, 3, 3))
    b = rng.standard_normal(4)
    dy = rng.standard_normal((7, 4, 9, 8))
    y1 = conv2d(x, w, b, padding=1)
    g1 = conv2d_backward(dy, x, w, padding=1)
    sizes = []
    real = _plan.tiling
    monkeypatch.setattr(_plan, "tiling", lambda *a: sizes.append(real(*a)[1].size) or real(*a))
    g = _plan.Conv(7, 3, 9, 8, 4, 3, 3, ph=1, pw=1, itemsize=8)
    one = _plan.gemm_bytes(g, "flat", True, 1, g.Ho, g.C)   # one sample, backward
    monkeypatch.setattr(_im2col, "CACHE_BYTES", one)
    y2 = conv2d(x, w, b, padding=1)
    g2 = conv2d_backward(dy, x, w, padding=1)
    assert len(sizes) == 2 and max(sizes) < 7 and sizes[-1] == 1   # backward: one by one
    np.testing.assert_allclose(y2, y1, rtol=1e-12, atol=1e-12)
    for a, c in zip(g2, g1):
        np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-12)


def test_fft_chunk_and_correlate_rows():
    g = _plan.Conv(6, 4, 60, 60, 5, 7, 7, ph=3, pw=3, itemsize=4)
    one = _plan.fft_bytes(g, True, 1)
    assert _plan.fft_bytes(g, True, 3) < 3 * one  # the filters' spectra are shared
    assert _plan.fft_chunk(g, True, one - 1) == 0
    n = _plan.fft_chunk(g, True, _plan.fft_bytes(g, True, 4))
    assert n == 4
    rows = _plan.correlate_rows(100, 80, 5, 5, False, 8, 8 * 50 * 84)
    assert (rows + 4) * 84 + rows * 80 <= 50 * 84 < (rows + 5) * 84 + (rows + 1) * 80


@pytest.mark.parametrize("force", [None, "flat", "strided", "offsets", "fft"])
@pytest.mark.parametrize("budget", [3000, 20000, 60000])
def test_tiled_results_match_naive(force, budget, monkeypatch):
    """Budgets that force bands of rows and groups of channels: the results do not change."""
    monkeypatch.setattr(_im2col, "FORCE", force)
    monkeypatch.setattr(_im2col, "SCRATCH_BYTES", budget)
    rng = np.random.default_rng(budget)
    for xs, ws, kwargs in [((2, 3, 11, 9), (2, 3, 3, 2), dict(padding=(1, 2))),
                           ((1, 4, 10, 12), (3, 4, 7, 7), dict(padding=3)),
                           ((2, 2, 13, 10), (2, 2, 3, 3), dict(stride=(2, 1), dilation=(2, 1)))]:
        x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
        y = conv2d(x, w, b, **kwargs)
        np.testing.assert_allclose(y, conv2d_naive(x, w, b, **kwargs), **TOL[np.float64])
        dy = rng.standard_normal(y.shape)
        for g, g_ref in zip(conv2d_backward(dy, x, w, **kwargs),
                            conv2d_backward_naive(dy, x, w, **kwargs)):
            np.testing.assert_allclose(g, g_ref, **TOL[np.float64])
        none, dw, _ = conv2d_backward(dy, x, w, input_grad=False, **kwargs)
        assert none is None
        np.testing.assert_allclose(dw, conv2d_backward_naive(dy, x, w, **kwargs)[1], **TOL[np.float64])


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("kshape, budget", [((3, 2), 600), ((9, 8), 20000), ((9, 8), 10**9)])
def test_correlate_in_bands_matches_scipy(mode, kshape, budget, monkeypatch):
    """Bands of output rows under a small cap, by taps and by FFT (forced by size)."""
    rng = np.random.default_rng(sum(kshape))
    image, kernel = rng.standard_normal((300, 250)), rng.standard_normal(kshape)
    monkeypatch.setattr(_im2col, "SCRATCH_BYTES", budget)
    for ours, theirs in ((correlate2d, signal.correlate2d), (convolve2d, signal.convolve2d)):
        np.testing.assert_allclose(ours(image, kernel, mode=mode), theirs(image, kernel, mode=mode),
                                   rtol=1e-10, atol=1e-10)


def test_fft_in_chunks_of_samples_matches_naive():
    rng = np.random.default_rng(5)
    x, w, b = rng.standard_normal((5, 2, 9, 8)), rng.standard_normal((3, 2, 7, 7)), rng.standard_normal(3)
    y = _fft.forward(x, w, b, (3, 3), (9, 8), 2)
    np.testing.assert_allclose(y, conv2d_naive(x, w, b, padding=3), **TOL[np.float64])
    dy = rng.standard_normal(y.shape)
    dx, dw = _fft.backward(dy, x, w, (3, 3), (9, 8), True, 2)
    dx_ref, dw_ref, _ = conv2d_backward_naive(dy, x, w, padding=3)
    np.testing.assert_allclose(dx, dx_ref, **TOL[np.float64])
    np.testing.assert_allclose(dw, dw_ref, **TOL[np.float64])
