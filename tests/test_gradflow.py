"""Index sets (gradflow) and the backward pass as formulas (conv_transpose) agree with
conv2d_backward and the loops."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cnnedu.topics import conv_transpose as ct, gradflow as gf
from cnnedu.nn.conv import conv2d, conv2d_backward, conv2d_backward_naive, output_size


@st.composite
def settings_(draw):
    k = draw(st.integers(1, 4))
    d = draw(st.integers(1, 3))
    p = draw(st.integers(0, 2))
    s = draw(st.integers(1, 3))
    span = d * (k - 1) + 1
    H = draw(st.integers(max(1, span - 2 * p), max(9, span)))
    W = draw(st.integers(max(1, span - 2 * p), max(9, span)))
    return (H, W), (k, draw(st.integers(1, k))), s, p, d


@settings(max_examples=60, deadline=None)
@given(settings_(), st.integers(0, 10_000), st.integers(1, 2), st.integers(1, 3),
       st.integers(1, 3))
def test_formulas_equal_conv2d_backward(geo, seed, N, C, F):
    (H, W), (kh, kw), s, p, d = geo
    if d * (kw - 1) + 1 > W + 2 * p:
        return
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C, H, W))
    w = rng.standard_normal((F, C, kh, kw))
    y = conv2d(x, w, stride=s, padding=p, dilation=d)
    dy = rng.standard_normal(y.shape)
    ref = conv2d_backward(dy, x, w, stride=s, padding=p, dilation=d)
    got = ct.conv2d_backward_formulas(dy, x, w, stride=s, padding=p, dilation=d)
    for a, b in zip(got, ref):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, atol=1e-10)
    op = ct.output_padding_for((H, W), (kh, kw), stride=s, padding=p, dilation=d)
    naive = ct.conv_transpose2d_naive(dy, w, stride=s, padding=p, dilation=d, output_padding=op)
    np.testing.assert_allclose(naive, ref[0], atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(settings_())
def test_index_sets_are_exactly_the_nonzero_pattern_of_the_jacobian(geo):
    """input_reach(r, c) lists the outputs whose value depends on x[r, c], through which
    weight: compare with conv2d_backward_naive on one-hot upstream gradients."""
    (H, W), (kh, kw), s, p, d = geo
    if d * (kw - 1) + 1 > W + 2 * p:
        return
    x = np.zeros((1, 1, H, W))
    w = np.arange(1.0, kh * kw + 1).reshape(1, 1, kh, kw)  # distinct weights
    Ho, Wo = output_size(H, kh, stride=s, padding=p, dilation=d), output_size(
        W, kw, stride=s, padding=p, dilation=d)
    dx_rows = {}
    for i in range(Ho):
        for j in range(Wo):
            dy = np.zeros((1, 1, Ho, Wo))
            dy[0, 0, i, j] = 1.0
            dx = conv2d_backward_naive(dy, x, w, stride=s, padding=p, dilation=d)[0][0, 0]
            dx_rows[i, j] = dx
            wmap = gf.output_window(i, j, (H, W), (kh, kw), stride=s, padding=p, dilation=d)
            inner = ct.crop(wmap, p) if p else wmap
            # the window inside the real input: exactly the cells with a nonzero gradient,
            # and the gradient there is the weight that read the cell
            expect = np.where(inner >= 0, w.ravel()[np.maximum(inner, 0)], 0.0)
            np.testing.assert_array_equal(dx, expect)
    for r in range(H):
        for c in range(W):
            terms = gf.input_reach(r, c, (H, W), (kh, kw), stride=s, padding=p, dilation=d)
            got = {(i, j): w[0, 0, u, v] for i, j, u, v in terms}
            want = {k: v[r, c] for k, v in dx_rows.items() if v[r, c] != 0}
            assert got == want


def test_centre_cell_uses_every_weight_mirrored():
    terms = gf.input_reach(2, 2, (5, 5), (3, 3))
    assert {(i, j): (u, v) for i, j, u, v in terms} == {
        (i, j): (2 - i, 2 - j) for i in range(3) for j in range(3)}


def test_dilate_and_crop():
    a = np.arange(6.0).reshape(2, 3)
    d = ct.dilate(a, (2, 3))
    assert d.shape == (3, 7) and d[2, 6] == 5.0 and d.sum() == a.sum()
    assert ct.crop(ct.dilate(a, 1), 0).tolist() == a.tolist()
    np.testing.assert_array_equal(ct.crop(np.pad(a, 2), 2), a)


def test_full_conv_steps_match_conv2d_backward():
    rng = np.random.default_rng(4)
    for (H, s, p) in [(5, 1, 0), (7, 2, 0), (8, 2, 0), (5, 1, 1), (9, 3, 2)]:
        x = rng.standard_normal((1, 1, H, H))
        w = rng.standard_normal((1, 1, 3, 3))
        dy = rng.standard_normal(conv2d(x, w, stride=s, padding=p).shape)
        steps = ct.full_conv_steps(dy[0, 0], w[0, 0], stride=s, padding=p, in_hw=(H, H))
        np.testing.assert_allclose(steps["dx"], conv2d_backward(dy, x, w, stride=s, padding=p)[0][0, 0],
                                   atol=1e-12)
        np.testing.assert_array_equal(steps["rotated"], w[0, 0, ::-1, ::-1])


def test_transpose_is_the_adjoint():
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 2))
    y = conv2d(x, w, stride=2, padding=1)
    dy = rng.standard_normal(y.shape)
    op = ct.output_padding_for((7, 6), (3, 2), stride=2, padding=1)
    xt = ct.conv_transpose2d(dy, w, stride=2, padding=1, output_padding=op)
    assert xt.shape == x.shape
    assert np.sum(y * dy) == pytest.approx(np.sum(x * xt))


def test_matches_torch_conv_transpose2d():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    dy, w = rng.standard_normal((2, 4, 3, 4)), rng.standard_normal((4, 3, 3, 2))
    for s, p, d, op in [(1, 0, 1, 0), (2, 1, 1, 1), (3, 2, 2, 1)]:
        ref = torch.nn.functional.conv_transpose2d(torch.tensor(dy), torch.tensor(w), stride=s,
                                                   padding=p, dilation=d, output_padding=op)
        got = ct.conv_transpose2d(dy, w, stride=s, padding=p, dilation=d, output_padding=op)
        np.testing.assert_allclose(got, ref.numpy(), atol=1e-10)


def test_unread_cells():
    assert gf.input_reach(7, 0, (8, 8), (3, 3), stride=2) == []
    assert ct.output_padding_for((8, 8), (3, 3), stride=2) == (1, 1)
    assert "0 (no output read" in gf.input_grad_terms(7, 7, (8, 8), (3, 3), stride=2)
    out, wts = gf.reach_counts(2, 2, (5, 5), (3, 3))
    assert out.sum() == 9 and wts.min() == 1


@pytest.mark.parametrize("call, words", [
    (lambda: gf.geometry((3, 3), (5, 5)), "dilated kernel height"),
    (lambda: gf.output_window(3, 0, (4, 4), (2, 2)), "i (output row) must be in 0..2"),
    (lambda: gf.input_reach(0, 9, (4, 4), (2, 2)), "c (input column) must be in 0..3"),
    (lambda: ct.conv_transpose2d(np.ones((1, 2, 3, 3)), np.ones((3, 1, 2, 2))), "F = 2"),
    (lambda: ct.conv_transpose2d(np.ones((2, 3, 3)), np.ones((2, 1, 2, 2))), "(N, F, H_out, W_out)"),
    (lambda: ct.conv_transpose2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), stride=2,
                                 output_padding=2), "output_padding must be smaller"),
    (lambda: ct.conv2d_backward_formulas(np.ones((1, 1, 2, 2)), np.ones((1, 2, 3, 3)),
                                         np.ones((1, 1, 2, 2))), "C = 2 channels"),
    (lambda: ct.conv2d_backward_formulas(np.ones((1, 1, 3, 3)), np.ones((1, 1, 3, 3)),
                                         np.ones((1, 1, 2, 2))), "(1, 1, 2, 2)"),
    (lambda: ct.crop(np.ones((4, 4)), 2), "leaves nothing"),
    (lambda: ct.dilate(np.ones(3), 2), "(..., H, W)"),
    (lambda: ct.full_conv_steps(np.ones((3, 3)), np.ones((3, 3)), in_hw=(4, 4)), "(2, 2)"),
])
def test_bad_input_is_named(call, words):
    with pytest.raises((ValueError, TypeError)) as err:
        call()
    assert words in str(err.value)
