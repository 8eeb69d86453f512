"""The filter explorer without a browser: every value its controls accept gives a picture
or a message, never an exception; bad entries keep the last good kernel and bias."""
import numpy as np
import pytest

from cnnedu.topics import filter_response as explorer
from cnnedu.topics import kernels
from cnnedu.nn.conv import correlate2d
from cnnedu.viz.render import png_to_array
from cnnedu.widgets.filter_explorer import CUSTOM, FilterExplorer


def pictures(w):
    return [p.image.value for p in (w.input_panel, w.kernel_panel, w.raw_panel, w.out_panel)]


def assert_alive(w):
    for png in pictures(w):
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert png_to_array(png).shape[0] > 0
    assert w.result is not None


@pytest.fixture
def w():
    return FilterExplorer(preset="sobel_x", image="shapes")


def test_initial_state(w):
    assert_alive(w)
    assert w.message.text.startswith("Sobel x")
    assert len(w.grid.children) == 9
    assert np.array_equal(w.kernel, kernels.get("sobel_x"))
    assert np.allclose(w.result.raw, correlate2d(explorer.load_image("shapes"), w.kernel))
    assert "live filter explorer" in repr(w)
    assert "text/plain" in w._repr_mimebundle_()


@pytest.mark.parametrize("size", [3, 5])
@pytest.mark.parametrize("name", kernels.names())
def test_every_preset_and_size(w, name, size):
    w.size.value = size
    w.preset.value = name
    assert_alive(w)
    assert w.preset.value == name, "a preset must not turn into 'custom' by itself"
    assert np.array_equal(w.kernel, kernels.get(name, size))
    assert w.message.text.startswith(kernels.title(name))
    assert len(w.grid.children) == size * size


def test_changing_the_preset_changes_the_picture(w):
    before = w.raw_panel.image.value
    w.preset.value = "sobel_y"
    assert w.raw_panel.image.value != before
    assert np.allclose(w.result.raw, correlate2d(explorer.load_image("shapes"),
                                                 kernels.get("sobel_y")))


@pytest.mark.parametrize("image", explorer.IMAGE_NAMES)
@pytest.mark.parametrize("activation", explorer.ACTIVATIONS)
def test_every_image_and_activation(w, image, activation):
    w.image_name.value = image
    w.activation.value = activation
    assert_alive(w)
    assert w.out_panel.title.value.endswith(f"<b>{activation}(response + 0)</b>")
    assert "Problem" not in w.message.widget.value


@pytest.mark.parametrize("text, value", [("0", 0.0), ("-1e6", -1e6), ("1e6", 1e6),
                                         ("-0.5", -0.5), ("  2 ", 2.0)])
def test_good_bias_values(w, text, value):
    w.activation.value = "relu"
    w.bias.value = text
    assert_alive(w)
    assert w.bias_value == value
    assert np.allclose(w.result.activated, np.maximum(w.result.raw + value, 0))


@pytest.mark.parametrize("text", ["", "abc", "nan", "inf", "-inf", "1e7", "--1"])
def test_bad_bias_keeps_the_last_good_one(w, text):
    w.bias.value = "0.25"
    w.bias.value = text
    assert_alive(w)
    assert w.bias_value == 0.25
    assert w.message.text.startswith("bias:") and "0.25" in w.message.text
    w.bias.value = "-1"                       # and it keeps working
    assert w.bias_value == -1.0 and "Problem" not in w.message.widget.value


@pytest.mark.parametrize("text, shown", [("abc", "'abc': not a number"), ("", "is empty"),
                                         ("nan", "'nan': not a finite number"),
                                         ("NaN", "'NaN': not a finite number"),
                                         ("inf", "not a finite number"),
                                         ("1e300", "too large"), ("1/9", "'1/9'")])
def test_bad_kernel_cell_keeps_the_last_good_kernel(w, text, shown):
    good = w.kernel.copy()
    before = w.raw_panel.image.value
    w.cells[1 * 5 + 2].value = text            # row 1, column 2
    assert_alive(w)
    assert np.array_equal(w.kernel, good)
    assert w.raw_panel.image.value == before
    assert w.message.text.startswith("kernel[1, 2]") and shown in w.message.text
    assert "Problem" in w.message.widget.value  # shown in red
    w.cells[1 * 5 + 2].value = "5"             # fixing it brings the widget back
    assert w.kernel[1, 2] == 5.0 and w.preset.value == CUSTOM
    assert "Problem" not in w.message.widget.value


def test_two_bad_cells_are_both_named(w):
    w.cells[0].value = "x"
    w.cells[5 * 2 + 2].value = ""
    assert "kernel[0, 0]" in w.message.text and "kernel[2, 2] is empty" in w.message.text


@pytest.mark.parametrize("value", ["0", "1e6", "-1e6", "-3", "0.001"])
def test_extreme_kernel_values_everywhere(w, value):
    for size in (3, 5):
        w.size.value = size
        for i in range(size):
            for j in range(size):
                w.cells[i * 5 + j].value = value
        assert_alive(w)
        assert np.all(w.kernel == float(value))
        assert np.all(np.isfinite(w.result.activated))


def test_all_zeros_with_each_activation(w):
    w.preset.value = "zeros"
    for act in explorer.ACTIVATIONS:
        w.activation.value = act
        w.bias.value = "-2"
        assert_alive(w)
        assert np.ptp(w.result.activated) == 0.0
        assert "all " in w.out_panel.caption.value


def test_editing_a_cell_back_to_a_preset_selects_it(w):
    w.preset.value = "sobel_y"
    w.cells[0].value = "7"
    assert w.preset.value == CUSTOM
    w.cells[0].value = "-1"
    assert w.preset.value == "sobel_y"


def test_size_toggle_resizes_a_custom_kernel(w):
    w.cells[0].value = "3"                     # custom 3x3
    k3 = w.kernel.copy()
    w.size.value = 5
    assert w.kernel.shape == (5, 5) and np.array_equal(w.kernel[1:4, 1:4], k3)
    w.size.value = 3
    assert np.array_equal(w.kernel, k3)
    w.preset.value = CUSTOM                    # choosing "custom" changes nothing
    assert np.array_equal(w.kernel, k3)


def test_size_toggle_with_a_bad_cell(w):
    w.cells[0].value = "oops"
    w.size.value = 5
    assert_alive(w)
    assert w.kernel.shape == (5, 5)


def test_an_exception_inside_becomes_a_message(w, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(explorer, "filter_response", boom)
    w.bias.value = "1"
    assert "simulated failure" in w.message.text
    monkeypatch.undo()
    w.bias.value = "2"
    assert "Problem" not in w.message.widget.value and w.bias_value == 2.0


def test_constructor_refuses_bad_arguments():
    with pytest.raises(ValueError, match="preset must be one of"):
        FilterExplorer(preset="nope")
    with pytest.raises(ValueError, match="size must be 3 or 5"):
        FilterExplorer(size=4)
    with pytest.raises(ValueError, match="image must be one of"):
        FilterExplorer(image="moon")
    with pytest.raises(ValueError, match="activation must be one of"):
        FilterExplorer(activation="swish")


def test_a_typographic_minus_in_a_kernel_cell(w):
    """U+2212, as pasted from a formatted page, is a minus sign."""
    w.cells[1 * 5 + 2].value = "\u22122"
    assert_alive(w)
    assert w.kernel[1, 2] == -2.0 and "Problem" not in w.message.widget.value


def test_panels_say_their_colour_scale(w):
    """Live panels rescale to each map: the captions and the still picture's titles say
    the scale (classroom: a fixed, labelled scale or say when it rescales)."""
    w.preset.value = "sobel_y"
    w.image_name.value = "shapes"
    w.bias.value = "0"
    w.activation.value = "identity"
    assert "rescaled to this map" in w.raw_panel.caption.value
    assert "colours ±2 " in w.kernel_panel.caption.value
    assert "rescale" in w.message.text
    titles = [t for t, _ in w.panels()]
    assert titles[1] == "kernel, colours ±2"
    assert titles[2].startswith("raw response, ±")
    assert titles[3].startswith("identity(response + 0), ±")
    w.preset.value = "zeros"
    assert "all white" in w.raw_panel.caption.value
