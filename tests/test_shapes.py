"""cnnedu.topics.shapes: output sizes against conv2d and PyTorch, padding modes, counts, drawing."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnedu.topics import shapes
from cnnedu.viz import windows
from cnnedu.nn.conv import conv2d, correlate2d
from cnnedu.nn.layers import Conv2D, Dense


@settings(max_examples=80, deadline=None)
@given(H=st.integers(1, 12), k=st.integers(1, 5), s=st.integers(1, 4), p=st.integers(0, 3),
       d=st.integers(1, 3))
def test_output_size_matches_the_length_conv2d_produces(H, k, s, p, d):
    span = d * (k - 1) + 1
    if span > H + 2 * p:
        with pytest.raises(ValueError, match="larger than the padded input"):
            shapes.output_size(H, k, stride=s, padding=p, dilation=d)
        return
    y = conv2d(np.zeros((1, 1, H, H)), np.zeros((1, 1, k, k)), stride=s, padding=p, dilation=d)
    assert shapes.output_size(H, k, stride=s, padding=p, dilation=d) == y.shape[2]
    assert len(shapes.window_starts(H, k, stride=s, padding=p, dilation=d)) == y.shape[2]
    # the floor drops exactly the cells no window reaches: fewer than one stride
    assert 0 <= shapes.uncovered(H, k, stride=s, padding=p, dilation=d) < s


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("H,k", [(7, 3), (8, 4), (5, 1), (6, 5)])
def test_modes_match_scipy_semantics_of_correlate2d(mode, H, k):
    out = correlate2d(np.ones((H, H)), np.ones((k, k)), mode=mode)
    assert shapes.output_size(H, k, padding=mode) == out.shape[0]


@pytest.mark.parametrize("k,d", [(3, 1), (4, 1), (2, 1), (3, 2), (4, 3)])
def test_same_padding_matches_pytorch_including_the_asymmetry(k, d):
    torch = pytest.importorskip("torch")
    H = 9
    x = torch.arange(H * H, dtype=torch.float64).reshape(1, 1, H, H)
    w = torch.zeros(1, 1, k, k, dtype=torch.float64)
    w[0, 0, 0, 0] = 1.0            # picks the top-left tap: reveals where padding went
    with warnings.catch_warnings():   # PyTorch warns that an even kernel needs a padded copy
        warnings.simplefilter("ignore", UserWarning)
        y = torch.nn.functional.conv2d(x, w, padding="same", dilation=d).numpy()
    before, after = shapes.padding_amounts(k, "same", dilation=d)
    assert before + after == d * (k - 1)
    ours = conv2d(np.pad(x.numpy(), [(0, 0), (0, 0), (before, after), (before, after)]),
                  w.numpy(), dilation=d)
    np.testing.assert_array_equal(ours, y)
    assert shapes.output_size(H, k, padding="same", dilation=d) == H


def test_mistakes_give_the_wrong_answers_they_claim():
    assert shapes.output_size(6, 3, stride=2) == 2
    assert shapes.output_size_ceil(6, 3, stride=2) == 3
    assert shapes.output_size_one_side(32, 3, padding=1) == 31
    rows = shapes.common_mistakes(32, 5, stride=2, padding=2)
    assert [r[1] for r in rows] == [16, 17, 15] and all(r[2] == 16 for r in rows)


def test_parameter_counts_agree_with_the_layers():
    assert shapes.conv_params(3, 20, 3) == 20 * 3 * 3 * 3 + 20 == Conv2D(3, 20, 3, rng=0).n_params
    assert shapes.conv_params(5, 7, (2, 3)) == Conv2D(5, 7, (2, 3), rng=0).n_params
    assert shapes.conv_params(3, 4, 3, bias=False) == Conv2D(3, 4, 3, bias=False, rng=0).n_params
    assert shapes.dense_params(48, 10) == Dense(48, 10, rng=0).n_params
    assert shapes.weight_shape(3, 20, 5) == Conv2D(3, 20, 5, rng=0).params["w"].shape
    assert shapes.conv_params_formula(3, 20, 3).endswith("= 560")


def test_formula_text_agrees_with_the_number():
    line = shapes.output_size_formula(32, 5, stride=2, padding=2)
    assert line.endswith(f"= {shapes.output_size(32, 5, stride=2, padding=2)}")
    assert "2*2" in line


@pytest.mark.parametrize("bad,match", [
    (dict(size=0, kernel=3), "size must be >= 1"),
    (dict(size=5, kernel=3, stride=0), "stride must be >= 1"),
    (dict(size=5, kernel=3, padding=-1), "padding must be >= 0"),
    (dict(size=5, kernel=3, padding="half"), "'valid', 'same', 'full'; got 'half'"),
    (dict(size=5, kernel=3, stride=2, padding="same"), "needs stride=1"),
    (dict(size=2, kernel=5), r"larger than the padded input \(2 \+ 0 \+ 0 = 2\)"),
])
def test_bad_settings_are_refused_with_a_clear_message(bad, match):
    with pytest.raises(ValueError, match=match):
        shapes.output_size(**bad)


def test_non_integers_are_refused():
    with pytest.raises(TypeError, match="kernel must be an integer; got float 2.5"):
        shapes.output_size(5, 2.5)


def test_draw_windows_colours_the_cells_it_claims():
    cell = 10
    rgb = windows.draw_windows(6, 3, stride=2, padding=1, cell=cell)   # P = 8, out = 3
    P = 8
    assert rgb.shape == (P * cell + 1, P * cell + 1, 3) and rgb.dtype == np.uint8

    def centre(r, c):
        return tuple(int(v) for v in rgb[r * cell + cell // 2, c * cell + cell // 2])

    assert centre(3, 0) == (200, 200, 200)           # a padding cell (left column)
    assert centre(1, 1) == (255, 226, 140)           # a tap of the first window
    assert centre(3, 3) == (255, 255, 255)           # an input cell
    # reach = (3 - 1)*2 + 3 = 7 < 8: the last padded row/column is never reached
    assert shapes.uncovered(6, 3, stride=2, padding=1) == 1
    assert centre(7, 7) == (215, 160, 160)
    # the first window's outline is the first colour, the last window's is black
    assert tuple(rgb[0, cell]) == tuple(windows.WINDOW_COLORS[0])
    last = 2 * 2 * cell
    assert tuple(rgb[last + 3 * cell, last + cell]) == (0, 0, 0)


def test_draw_windows_shows_dilated_taps_spread_out():
    rgb = windows.draw_windows(7, 3, dilation=2, cell=10)
    tap, gap = rgb[27, 27], rgb[17, 17]          # cell (2, 2) is a tap, (1, 1) is not
    assert tuple(tap) == (255, 226, 140) and tuple(gap) != (255, 226, 140)


def test_draw_windows_refuses_impossible_settings():
    with pytest.raises(ValueError, match="larger than the padded input"):
        windows.draw_windows(3, 9)


def test_layer_summary_lines():
    lines = shapes.layer_summary(6, 4, padding="same", in_channels=3, out_channels=8)
    assert lines[0] == "padding: 1 before, 2 after (one more at the end, as PyTorch)"
    assert "(1, 8, 6, 6)" in lines[2] and "(8, 3, 4, 4)" in lines[3]
    assert lines[4].endswith(f"= {shapes.conv_params(3, 8, 4)}")
