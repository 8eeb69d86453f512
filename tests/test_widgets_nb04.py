"""The activation explorer (notebook 04), without a browser: every value its controls allow
gives a picture or a message, never an exception."""
import numpy as np
import pytest

from cnnedu.viz.render import png_to_array
from cnnedu.widgets.activation_explorer import ACTIVATIONS, FILTERS, ActivationExplorer


@pytest.fixture(scope="module")
def w():
    return ActivationExplorer(size=64)


def pixels(panel):
    return png_to_array(panel.image.value)


def test_starts_with_pictures_and_a_message(w):
    for p in (w.input_panel, w.before_panel, w.after_panel, w.hist_panel, w.kernel_panel):
        assert p.image.value[:4] == b"\x89PNG"
    assert "relu" in w.message.text and "zeroes" in w.message.text
    assert "exactly" in w.collapse.value
    assert "ActivationExplorer" in repr(w)


def test_every_activation_filter_and_image(w):
    for a in ACTIVATIONS:
        w.activation.value = a
        assert a in w.message.text and "Problem" not in w.message.widget.value
    for f in FILTERS:
        w.filter.value = f
        assert "Problem" not in w.message.widget.value
    for name in w.image.options:
        w.image.value = name
        assert "Problem" not in w.message.widget.value
    w.activation.value, w.filter.value, w.image.value = "relu", list(FILTERS)[0], "camera"


def test_bias_extremes_change_the_zeroed_fraction(w):
    w.activation.value = "relu"
    w.bias.value = w.bias.max
    high = w.message.text
    after_high = pixels(w.after_panel)
    w.bias.value = w.bias.min
    assert "zeroes 100.0%" in w.message.text and high != w.message.text
    assert not np.array_equal(after_high, pixels(w.after_panel))
    w.bias.value = 0.0


def test_scale_text_box_accepts_numbers_and_reports_bad_entries(w):
    w.activation.value = "sigmoid"
    for good in ("0", "-3", "100", "2.5"):
        w.scale.value = good
        assert "Problem" not in w.message.widget.value, good
    w.scale.value = "100"
    assert "saturates" in w.message.text
    before = pixels(w.before_panel)
    for bad in ("abc", "nan", "", "inf", "1e9", "-1e9"):
        w.scale.value = bad
        assert "Problem" in w.message.widget.value and "filter scale:" in w.message.text, bad
        assert np.array_equal(before, pixels(w.before_panel))   # the picture stays
    w.scale.value = "1"
    assert "Problem" not in w.message.widget.value
    w.activation.value = "relu"


def test_toggle_shows_collapsed_or_best_fit_kernel(w):
    w.relu_between.value = False
    assert "exactly" in w.collapse.value
    k_exact = pixels(w.kernel_panel)
    w.relu_between.value = True
    assert "unexplained" in w.collapse.value
    assert "best single kernel" in w.kernel_panel.title.value
    assert not np.array_equal(k_exact, pixels(w.kernel_panel))
    # a flat input and scale 0: still a picture and a sentence, no exception
    w.scale.value = "0"
    assert "Problem" not in w.message.widget.value
    w.scale.value = "1"
    w.relu_between.value = False


def test_an_exception_in_the_update_becomes_a_message(w, monkeypatch):
    import cnnedu.widgets.activation_explorer as mod
    monkeypatch.setattr(mod, "map_through", lambda *a, **k: 1 / 0)
    w.bias.value = 0.5
    assert "ZeroDivisionError" in w.message.text


def test_fixed_colour_scale_makes_a_relu_scale_change_visible(w):
    w.activation.value, w.bias.value, w.filter.value = "relu", 0.0, list(FILTERS)[0]
    w.fixed.value = False
    w.scale.value = "1"
    own1 = pixels(w.after_panel)
    w.scale.value = "3"
    own3 = pixels(w.after_panel)
    assert np.array_equal(own1, own3)              # relu(s z) = s relu(z): same picture
    w.scale.value = "20"
    assert np.array_equal(own1, pixels(w.after_panel))
    w.scale.value = "3"
    assert "relu(s z) = s relu(z)" in w.message.text
    assert "colours rescale to this map" in w.after_panel.caption.value
    w.fixed.value = True
    fixed3 = pixels(w.after_panel)
    w.scale.value = "1"
    fixed1 = pixels(w.after_panel)
    assert not np.array_equal(fixed1, fixed3)      # on one colour scale it shows
    assert "fixed" in w.after_panel.caption.value and "relu(s z)" not in w.message.text


def test_the_message_reports_the_computed_saturation(w):
    from cnnedu.topics.nonlinear import map_through
    w.activation.value, w.bias.value, w.filter.value = "sigmoid", 0.0, list(FILTERS)[0]
    w.image.value = "camera"
    w.scale.value = "5"
    r = map_through(w._load("camera"), FILTERS[w.filter.value], 0.0, "sigmoid", scale=5.0)
    assert f"saturates {100 * r.saturated:.1f}%" in w.message.text
    w.scale.value, w.activation.value = "1", "relu"


def test_histogram_is_large_and_log_scaled(w):
    assert pixels(w.hist_panel).shape[:2] == (110, 330)
    assert "log" in w.hist_panel.title.value


def test_histogram_axis_has_numbers_that_follow_the_maps(w):
    w.activation.value, w.filter.value, w.scale.value = "relu", list(FILTERS)[0], "1"
    w.bias.value = 0.0
    pre, post = w.before_panel.caption.value, w.after_panel.caption.value
    lo = min(float(pre.split()[1]), float(post.split()[1]))
    hi = max(float(pre.split()[3].rstrip(";")), float(post.split()[3].rstrip(";")))
    axis = w.hist_axis.value
    assert f">{lo:.2f}<" in axis and f">{hi:.2f}<" in axis and ">0<" in axis
    assert "the range of both maps" in w.hist_panel.caption.value   # says it rescales
    assert "log(1 + count)" in w.hist_panel.caption.value
    w.bias.value = 3.0                               # ReLU never closes: 0 not inside
    assert w.hist_axis.value != axis
    w.bias.value = 0.0
    assert "colours" in w.kernel_panel.caption.value
