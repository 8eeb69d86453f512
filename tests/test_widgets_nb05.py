"""The widgets of notebook 05 survive every value their controls allow (no browser)."""
import itertools

import numpy as np
import pytest

from cnnedu.viz.render import png_to_array
from cnnedu.widgets.filter_learning import MAX_STEPS, RUN_STEPS, FilterLearningPlayer
from cnnedu.widgets.gradient_flow import MODES, GradientFlowExplorer


def pixels(panel):
    return png_to_array(panel.image.value)


def test_gradient_flow_every_geometry_gives_pictures_or_a_message():
    w = GradientFlowExplorer()
    for size, k, s, p, d in itertools.product((3, 9), (1, 5), (1, 3), (0, 2), (1, 3)):
        for mode in ("output", "input"):
            for cell in ((0, 0), (8, 8)):
                w.set(mode=mode, in_size=size, kernel=k, stride=s, padding=p, dilation=d,
                      row=cell[0], col=cell[1])
                text = w.message.text
                assert text, (size, k, s, p, d, mode)
                if text.startswith("the dilated kernel spans"):
                    assert d * (k - 1) + 1 > size + 2 * p
                else:
                    assert text.startswith(("y[", "dX[")), text
                    assert pixels(w.p_in).shape[0] > 0


def test_gradient_flow_picture_changes_with_the_cell_and_sliders_stay_in_range():
    w = GradientFlowExplorer()
    w.set(mode="input", row=0, col=0)
    before = pixels(w.p_out)
    w.row.value = 3
    assert not np.array_equal(before, pixels(w.p_out))
    assert w.message.text.startswith("dX[3,0]")
    w.set(mode="output", stride=3, kernel=2, in_size=6)  # 2x2 output: sliders clamp
    assert w.row.max == 1 and w.col.max == 1
    assert w.message.text.startswith("y[1,0]")  # row 3 -> 1, col stays 0


def test_gradient_flow_exceptions_become_messages(monkeypatch):
    import cnnedu.widgets.gradient_flow as mod

    w = GradientFlowExplorer()
    monkeypatch.setattr(mod, "gradflow_pictures", lambda *a, **k: 1 / 0)
    w.row.value = 1
    assert "ZeroDivisionError" in w.message.text
    monkeypatch.undo()
    w.row.value = 2
    assert w.message.text.startswith("dX[")


def test_player_step_run_reset():
    p = FilterLearningPlayer()
    before = pixels(p.p_w)
    p.b_step.click()
    assert p.learner.steps == 1
    p.b_run.click()
    assert p.learner.steps == 1 + RUN_STEPS
    assert not np.array_equal(before, pixels(p.p_w))
    assert "step 21" in p.status.value
    p.b_reset.click()
    assert p.learner.steps == 0
    np.testing.assert_array_equal(before, pixels(p.p_w))


@pytest.mark.parametrize("text", ["", "abc", "nan", "inf", "-1", "0", "1e9", "  "])
def test_player_bad_learning_rates_give_a_message(text):
    p = FilterLearningPlayer()
    p.lr_box.value = text
    assert p.message.text.startswith("learning rate:"), p.message.text
    assert p.learner.lr == 0.1
    p.b_run.click()
    assert p.learner.steps == RUN_STEPS


@pytest.mark.parametrize("text", ["1e-6", "10", "0.5"])
def test_player_extreme_learning_rates_work(text):
    p = FilterLearningPlayer()
    p.lr_box.value = text
    assert p.learner.lr == float(text)
    for _ in range(3):
        p.b_run.click()
    if float(text) == 10:
        assert p.learner.losses[-1] > 1e6 * p.learner.losses[0] and "blew up" in p.message.text
        assert pixels(p.p_loss).shape[0] > 0
    else:
        assert np.isfinite(p.learner.losses[-1])


def test_player_every_hidden_kernel_and_step_limit():
    p = FilterLearningPlayer()
    for name in p.hidden.options:
        p.hidden.value = name
        p.b_run.click()
        assert p.learner.steps == RUN_STEPS
    p.learner.step(1000)
    p.learner.step(MAX_STEPS - p.learner.steps)
    p.b_run.click()
    assert "limit" in p.message.text and p.learner.steps == MAX_STEPS


def test_reprs_are_stable_text():
    assert "gradient-flow explorer" in repr(GradientFlowExplorer())
    assert "filter-learning player" in repr(FilterLearningPlayer())
    assert len(MODES) == 2


def test_gradient_flow_one_product_and_padding_title():
    w = GradientFlowExplorer()
    w.set(mode="output", kernel=1, padding=0, row=0, col=0)
    assert "one product" in w.message.text and "sum of 1" not in w.message.text
    assert "padding" not in w.p_in.title.value
    w.set(padding=1)
    assert "grey: padding" in w.p_in.title.value


def test_player_loss_plot_has_axis_numbers():
    from cnnedu.viz.figures.backprop_pictures import curve_rgb

    p = FilterLearningPlayer()
    p.b_run.click()
    img = pixels(p.p_loss)
    from cnnedu.widgets.filter_learning import LOSS_RANGE
    with_axes = curve_rgb(p.learner.losses, marker=p.learner.steps, axes=True,
                          y_range=LOSS_RANGE, x_max=100)
    np.testing.assert_array_equal(img[:, :, :3], with_axes)
    ink = np.all(with_axes == 60, axis=-1)
    assert ink[:, :30].sum() > 50           # the powers of ten at the left
    assert ink[-14:, :].sum() > 20          # the first and last step below


def test_player_loss_scale_is_fixed_and_said():
    from cnnedu.widgets.filter_learning import LOSS_RANGE, X_STEP

    p = FilterLearningPlayer()
    first = pixels(p.p_loss)
    p.b_step.click()
    # a fixed scale: the axis labels (left strip) do not move when the curve changes
    np.testing.assert_array_equal(first[:, :30], pixels(p.p_loss)[:, :30])
    assert "fixed" in p.p_loss.title.value
    assert f"steps 0 to {X_STEP}" in p.p_loss.caption.value and "1e-9 to 1e3" in p.p_loss.caption.value
    for _ in range(X_STEP // RUN_STEPS + 1):
        p.b_run.click()
    assert f"steps 0 to {2 * X_STEP}" in p.p_loss.caption.value   # it grows, and says so
    assert LOSS_RANGE == (1e-9, 1e3)


def test_player_warns_as_soon_as_the_loss_goes_up():
    p = FilterLearningPlayer()
    p.lr_box.value = "2"
    p.b_step.click()
    p.b_step.click()            # 5.49 -> 5.62: rising, not yet 10x the start
    assert p.learner.losses[-1] < 10 * p.learner.losses[0]
    assert "went up" in p.message.text and "diverging" in p.message.text
    p.lr_box.value = "0.1"
    p.b_reset.click()
    p.b_run.click()
    assert "went up" not in p.message.text


def test_player_converged_run_is_not_called_diverging():
    p = FilterLearningPlayer()
    p.lr_box.value = "1"          # converges to rounding noise, which wiggles
    for _ in range(5):
        p.b_run.click()
    assert p.learner.losses[-1] < 1e-9
    assert "diverging" not in p.message.text and "bottom edge" in p.message.text


def test_gradient_flow_has_no_fixed_wide_boxes():
    w = GradientFlowExplorer()
    assert w.message.widget.layout.max_width == "100%"
    assert w.mode.layout.max_width == "100%"
    widths = [c.layout.width for c in (w.mode, w.row, w.col, w.in_size, w.kernel, w.stride,
                                       w.padding, w.dilation, w.message.widget)]
    assert all(int(x[:-2]) <= 560 for x in widths if x and x.endswith("px")), widths
