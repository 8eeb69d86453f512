"""The variance meter survives every value its controls allow: a picture or a message,
never an exception."""
import numpy as np
import pytest

from cnnedu.viz.render import png_to_array
from cnnedu.widgets.variance_meter import METER_INITS, VarianceMeter, map_size


@pytest.fixture
def meter():
    return VarianceMeter()


def picture(m):
    return png_to_array(m.plot.image.value)


def test_initial_state_shows_a_plot_and_histograms(meter):
    assert picture(meter).shape[:2] == (300, 520)
    assert png_to_array(meter.hist_act.image.value).shape[:2] == (140, 260)
    assert "he_normal" in meter.message.text and "Problem" not in meter.message.widget.value
    assert "variance meter" in repr(meter)


def test_changing_the_initializer_changes_the_plot(meter):
    before = picture(meter)
    meter.init.value = "pytorch_default"
    assert not np.array_equal(before, picture(meter))
    assert "vanishing" in meter.message.text


@pytest.mark.parametrize("name", list(METER_INITS))
@pytest.mark.parametrize("activation", ["relu", "tanh", "leaky_relu", "identity"])
def test_every_initializer_and_activation(meter, name, activation):
    meter.activation.value = activation
    meter.init.value = name
    assert meter.message.text  # a summary or a problem, never an exception
    assert meter.plot.image.value[:4] == b"\x89PNG"


@pytest.mark.parametrize("depth", [1, 2, 50])
@pytest.mark.parametrize("width", [1, 32])
def test_extreme_depth_and_width(meter, depth, width):
    meter.depth.value = depth
    meter.width.value = width
    assert meter.layer.max == depth and 1 <= meter.layer.value <= depth
    assert meter.profile.depth == depth
    assert "Problem" not in meter.message.widget.value


def test_histogram_layer_follows_and_changes_the_histograms(meter):
    meter.layer.value = 1
    first = png_to_array(meter.hist_act.image.value)
    meter.layer.value = 20
    assert not np.array_equal(first, png_to_array(meter.hist_act.image.value))
    meter.depth.value = 5          # the layer slider is clamped into the new stack
    assert meter.layer.value == 5 and meter.layer.max == 5


@pytest.mark.parametrize("text", ["abc", "nan", "", "-1", "0", "inf", "1e9"])
def test_bad_std_entries_give_a_message_and_the_widget_recovers(meter, text):
    meter.init.value = "normal (std from the box)"
    meter.std.value = text
    assert "Problem" in meter.message.widget.value and "std" in meter.message.text
    meter.std.value = "0.17"
    assert "Problem" not in meter.message.widget.value
    assert "normal" in meter.message.text


def test_exploding_start_is_a_message_not_a_traceback(meter):
    meter.init.value = "normal (std from the box)"
    meter.std.value = "100"
    meter.depth.value = 50          # the largest the controls allow: beyond float32's 3e38
    text = meter.message.text
    assert "exploding" in text and "float32" in text and "Problem" not in meter.message.widget.value
    meter.std.value = "1"           # the forward pass reaches the top; the gradient overflows
    assert "exploding" in meter.message.text
    meter.std.value = "0.01"        # the std passes 1e-30 at layer 25: the run stops there
    assert "vanishing" in meter.message.text and "layer 25" in meter.message.text
    meter.depth.value = 10
    assert "vanishing" in meter.message.text and "stopped" not in meter.message.text


def test_wide_stacks_run_on_a_smaller_photograph_and_say_so():
    """Issue 13: 50 layers of 32 channels took about 100 ms of CPU per initializer change;
    float32 and a 16x16 photograph beyond 16 channels cut it to about a third."""
    assert [map_size(w) for w in (1, 8, 16, 17, 32)] == [32, 32, 32, 16, 16]
    m = VarianceMeter(width=16)
    assert "32x32" in m.message.text and "to stay fast" not in m.message.text
    m.width.value = 17
    assert m.map_size == 16 and m.profile.all_activations[0].shape == (1, 17, 16, 16)
    assert "16x16" in m.message.text and "widths above 16" in m.message.text
    assert m.profile.all_activations[0].dtype == np.float32


def test_the_meter_shows_the_notebooks_numbers():
    """float32 changes nothing the meter prints: the default stack is the notebook's
    (section 4: He, ReLU, 20 layers of 8 channels, float64)."""
    from cnnedu.topics.depth import depth_profile
    m = VarianceMeter()
    ref = depth_profile("he_normal", "relu", depth=20, channels=8, size=32)
    np.testing.assert_allclose(m.profile.forward_std, ref.forward_std, rtol=1e-4)
    np.testing.assert_allclose(m.profile.backward_std, ref.backward_std, rtol=1e-4)
    assert f"{ref.forward_std[-1]:.3g} at layer 20" in m.message.text


def test_seed_changes_the_draw(meter):
    before = meter.profile.forward_std.copy()
    meter.seed.value = 9
    assert not np.allclose(before, meter.profile.forward_std)


def test_the_histogram_slider_reuses_the_computed_stack():
    """The slider only picks a layer: no new profile (issue 13: 70-97 ms per move at depth
    50 and width 32 when it reran the stack)."""
    m = VarianceMeter(depth=50, width=32)
    assert m.computed == 1
    seen = set()
    for layer in (1, 17, 33, 50):
        m.layer.value = layer
        seen.add(m.hist_act.image.value)
    assert m.computed == 1 and len(seen) == 4      # four different pictures, one stack
    m.activation.value = "tanh"         # a control that changes the stack computes
    assert m.computed == 2
    m.activation.value = "relu"         # back to a setting seen: reused
    assert m.computed == 2


def test_histograms_come_from_the_chosen_layer():
    from cnnedu.topics.depth import depth_profile
    m = VarianceMeter(depth=6, width=4)
    m.layer.value = 3
    ref = depth_profile("he_normal", "relu", depth=6, channels=4, size=32, keep_layer=3,
                        dtype="float32")
    h, g = m.profile.layer_arrays(3)
    assert np.array_equal(h, ref.activations) and np.array_equal(g, ref.gradients)


@pytest.mark.parametrize("name", [n for n, (_, uses) in METER_INITS.items() if not uses])
def test_the_std_box_is_off_when_the_initializer_ignores_it(meter, name):
    meter.std.value = "0.5"
    meter.init.value = name
    assert meter.std.disabled
    text = meter.message.text
    assert "std box is off" in text and "keeps 0.5" in text
    meter.init.value = "normal (std from the box)"
    assert not meter.std.disabled
    assert "std box is off" not in meter.message.text
    assert meter.profile.init == "normal"


def test_the_still_picture_keeps_the_plot_at_its_own_size():
    """Issue 20: the saved still is shown at most about 580 px wide; tiled at one height
    it was 740 px wide with the plot shrunk (numbers about 5 px). Now the plot is there
    pixel for pixel, the histograms under it."""
    m = VarianceMeter()
    still = png_to_array(m.still_png())[..., :3]
    assert still.shape[1] <= 580
    plot = picture(m)[..., :3]
    hits = [(y, x) for y in range(still.shape[0] - plot.shape[0] + 1)
            for x in range(still.shape[1] - plot.shape[1] + 1)
            if np.array_equal(still[y, x:x + 4], plot[0, :4])
            and np.array_equal(still[y:y + plot.shape[0], x:x + plot.shape[1]], plot)]
    assert hits, "the plot is not in the still at its own size"
