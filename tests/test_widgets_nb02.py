"""Notebook 02's widgets without a browser: every control at its extremes gives a picture
or a message, never an exception."""
import itertools

import numpy as np
import pytest

from cnnedu.topics import shapes
from cnnedu.viz import windows
from cnnedu.viz.render import png_to_array
from cnnedu.widgets.channel_explorer import ACTIVATIONS, ChannelExplorer
from cnnedu.widgets.shape_calculator import PADDING_CHOICES, ShapeCalculator

BAD_TEXT = ["abc", "nan", "", "   ", "inf", "-1", "0", "2.5", "1e9"]


@pytest.fixture(scope="module")
def calc():
    return ShapeCalculator()


@pytest.fixture(scope="module")
def explorer():
    return ChannelExplorer()


def test_calculator_shows_what_shapes_computes(calc):
    calc.size.value, calc.kernel.value, calc.stride.value = 10, 4, 3
    calc.mode.value, calc.padding.value, calc.dilation.value = "number", 1, 1
    assert calc.result_lines == shapes.layer_summary(10, 4, stride=3, padding=1)
    pic = png_to_array(calc.panel.image.value)
    expected = windows.draw_windows(10, 4, stride=3, padding=1)
    assert pic.shape[:2] == expected.shape[:2]
    np.testing.assert_array_equal(pic[..., :3], expected)
    assert "(1, 20, 3, 3)" in calc.message.text


def test_calculator_every_slider_extreme_gives_picture_or_message(calc):
    sliders = [calc.size, calc.kernel, calc.stride, calc.padding, calc.dilation]
    for mode in PADDING_CHOICES:
        calc.mode.value = mode
        for values in itertools.product(*[(s.min, s.max) for s in sliders]):
            for s, v in zip(sliders, values):
                s.value = v
            calc.update()
            if calc.result_lines:
                assert calc.message.text.startswith("output")
            else:
                assert "Problem" in calc.message.widget.value and calc.message.text
    calc.mode.value = "number"


def test_calculator_impossible_settings_give_a_message_then_recover(calc):
    calc.mode.value = "number"
    calc.size.value, calc.kernel.value, calc.padding.value, calc.dilation.value = 3, 9, 0, 1
    assert "larger than the padded input" in calc.message.text and not calc.result_lines
    before = calc.panel.image.value
    calc.kernel.value = 3
    assert calc.result_lines and calc.panel.image.value != before
    calc.stride.value, calc.mode.value = 2, "same"
    assert "needs stride=1" in calc.message.text
    calc.stride.value = 1
    assert calc.result_lines[0].startswith("padding: 1 before, 1 after")
    calc.mode.value = "number"


@pytest.mark.parametrize("text", BAD_TEXT)
def test_calculator_bad_channel_entries_give_a_message(calc, text):
    calc.size.value, calc.kernel.value, calc.stride.value, calc.padding.value = 7, 3, 1, 1
    calc.in_channels.value = "3"
    calc.out_channels.value = "20"
    calc.in_channels.value = text
    if text.strip() in ("1e9", "0", "-1", "2.5", "abc", "nan", "inf", ""):
        assert calc.message.text.startswith("C (in):"), calc.message.text
        assert "last good C, F = 3, 20" in calc.message.text
    assert calc.result_lines[4].endswith("= 560")       # still the last good counts
    calc.in_channels.value = "16"
    assert calc.result_lines[4].endswith(f"= {shapes.conv_params(16, 20, 3)}")
    calc.in_channels.value = "3"


def test_explorer_shows_what_decompose_computes(explorer):
    from cnnedu.topics import channels
    explorer.activation.value = "relu"
    explorer.filter.value = 11
    d = channels.decompose(explorer.x, explorer.bank.w, explorer.bank.b, 11)
    np.testing.assert_array_equal(explorer.decomposition.activated, d.activated)
    assert explorer.bias.value == f"{explorer.bank.b[11]:.4g}"
    for p in [*explorer.slice_panels, *explorer.response_panels, explorer.sum_panel,
              explorer.pre_panel, explorer.out_panel]:
        assert png_to_array(p.image.value).ndim == 3
    assert "filter 11 (red vertical edge)" in explorer.message.text


def test_explorer_every_filter_and_activation(explorer):
    for f in (0, 19, 5):
        explorer.filter.value = f
        for act in ACTIVATIONS:
            explorer.activation.value = act
            assert explorer.decomposition.activation == act
            assert explorer.message.text.startswith(f"filter {f}")
    explorer.activation.value = "relu"


@pytest.mark.parametrize("text", BAD_TEXT)
def test_explorer_bad_bias_gives_a_message_and_keeps_working(explorer, text):
    explorer.filter.value = 0
    explorer.bias.value = "0.25"
    shown = explorer.out_panel.image.value
    explorer.bias.value = text
    if text in ("-1", "0", "2.5"):
        assert explorer.message.text.startswith("filter 0")
        assert explorer.decomposition.bias == float(text)
    else:
        assert explorer.message.text.startswith("bias:"), explorer.message.text
        assert "last good bias 0.25" in explorer.message.text
        assert explorer.out_panel.image.value == shown
    explorer.bias.value = "-0.3"
    assert explorer.decomposition.bias == -0.3
    assert explorer.message.text.startswith("filter 0")


def test_explorer_bias_moves_the_feature_map(explorer):
    explorer.filter.value = 0
    explorer.activation.value = "relu"
    explorer.bias.value = "0"
    on0 = (explorer.decomposition.activated > 0).mean()
    explorer.bias.value = "-0.2"
    assert (explorer.decomposition.activated > 0).mean() < on0


def test_widgets_have_a_stable_text_repr(calc, explorer):
    assert "shape calculator" in repr(calc) and "0x" not in repr(calc)
    assert "channel explorer" in repr(explorer)
    assert "JupyterLab" in calc._repr_mimebundle_()["text/plain"]


def test_calculator_no_window_draws_no_taps_and_says_so(calc):
    from cnnedu.widgets.shape_calculator import CAPTION, NO_WINDOW_CAPTION
    calc.mode.value = "number"
    calc.size.value, calc.kernel.value, calc.padding.value, calc.dilation.value = 4, 9, 1, 1
    pic = png_to_array(calc.panel.image.value)[..., :3]
    colours = {tuple(c) for c in pic.reshape(-1, 3)}
    assert colours == {tuple(c) for c in windows.draw_no_window(4, 9, padding=1).reshape(-1, 3)}
    assert (255, 226, 140) not in colours and (0, 0, 0) not in colours   # no taps, no window
    assert calc.panel.caption.value == NO_WINDOW_CAPTION
    calc.kernel.value = 3
    assert calc.panel.caption.value.startswith(CAPTION[:20])


def test_calculator_formula_is_broken_only_before_an_equals_sign(calc):
    from cnnedu.widgets.shape_calculator import LINE_CHARS, wrap_line
    calc.mode.value = "number"
    calc.size.value, calc.kernel.value, calc.stride.value = 24, 9, 5
    calc.padding.value, calc.dilation.value = 6, 4
    formula = next(line for line in calc.result_lines if line.startswith("H_out"))
    pieces = wrap_line(formula)
    assert len(pieces) > 1 and all(p.lstrip().startswith("=") for p in pieces[1:])
    assert " ".join(p.strip() for p in pieces) == formula
    assert all(len(p) <= LINE_CHARS for p in pieces[1:])
    assert "white-space:pre" in calc.result.value


@pytest.mark.parametrize("f", range(20))
def test_explorer_captions_are_short_and_never_minus_zero(explorer, f):
    explorer.filter.value = f
    for p in [*explorer.slice_panels, *explorer.response_panels, explorer.sum_panel,
              explorer.out_panel]:
        text = p.caption.value
        assert "-0.00" not in text and len(text) <= 40, text
    assert "own scale" in explorer.out_panel.caption.value      # it rescales: it says so


def test_explorer_response_scale_is_not_washed_out_by_a_few_pixels(explorer):
    from cnnedu.widgets.channel_explorer import response_limit
    explorer.filter.value = 0
    d = explorer.decomposition
    lim = response_limit(d.responses, d.total)
    big = np.abs(np.concatenate([d.responses.ravel(), d.total.ravel()]))
    assert lim < big.max() and np.mean(big > lim) <= 0.011
    assert response_limit(np.zeros((3, 2, 2)), np.zeros((2, 2))) == 1.0


def test_calculator_no_shown_line_is_longer_than_the_column(calc):
    import html as _html
    import re
    calc.mode.value = "number"
    for size, k, s, p, d in [(24, 9, 5, 6, 4), (1, 1, 2, 1, 1), (7, 3, 2, 1, 1)]:
        calc.size.value, calc.kernel.value, calc.stride.value = size, k, s
        calc.padding.value, calc.dilation.value = p, d
        calc.in_channels.value, calc.out_channels.value = "100000", "100000"
        shown = _html.unescape(re.sub(r"<div[^>]*>|</div>", "", calc.result.value)).split("<br>")
        assert max(len(line) for line in shown) <= 66, shown
    calc.in_channels.value, calc.out_channels.value = "3", "20"


def test_calculator_still_picture_for_any_setting(calc):
    calc.mode.value = "number"
    for size, k, p in [(7, 3, 1), (1, 9, 0), (24, 1, 6)]:
        calc.size.value, calc.kernel.value, calc.padding.value = size, k, p
        (title, png), = calc.panels()
        pic = png_to_array(png)
        assert 100 <= pic.shape[0] <= 200
        try:
            out = shapes.output_size(size, k, stride=calc.stride.value, padding=p,
                                     dilation=calc.dilation.value)
            assert title == f"windows: H_out = {out}"
        except ValueError:
            assert title == "no window fits"
        assert calc.still_png()


def test_calculator_still_title_is_not_cut():
    """The still draws titles in a 15-px font over a 200-px-wide (square) picture."""
    from PIL import ImageFont
    font = ImageFont.load_default(size=15)
    calc = ShapeCalculator()
    (title, png), = calc.panels()
    assert font.getlength(title) <= 200 * 0.9, title
