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
