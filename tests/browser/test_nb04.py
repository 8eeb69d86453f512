"""Notebook 04 in a real browser: run all cells, drive the activation explorer (dropdown,
slider by keyboard, toggle, typed scale), check from decoded pixels that the pictures
change, and that bad entries give a visible message while the explorer keeps working."""
import numpy as np
from playwright.sync_api import expect

from conftest import image_pixels, open_and_run, screenshot, type_into, wait_for_change

NOTEBOOK = "04_activations_and_the_linear_collapse.ipynb"


def test_activation_explorer(lab, page):
    open_and_run(page, lab, NOTEBOOK, timeout_s=240)
    ex = page.locator(".cnnedu-activation-explorer")
    expect(ex).to_have_count(1)
    ex.scroll_into_view_if_needed()
    after = ex.locator(".cnnedu-after img")
    kernel = ex.locator(".cnnedu-kernel img")
    hist = ex.locator(".cnnedu-hist img")
    message = ex.locator(".cnnedu-message")
    collapse = ex.locator(".cnnedu-collapse")
    expect(after).to_be_visible()
    expect(message).to_contain_text("relu with bias 0.0")
    expect(collapse).to_contain_text("exactly")
    inp = image_pixels(ex.locator(".cnnedu-input img"))
    assert inp.shape[0] == 128 and np.ptp(inp[..., 0]) > 100

    # 1. pick another activation: the after-map and the message change
    before = image_pixels(after)
    ex.locator(".cnnedu-activation select").select_option("sigmoid")
    wait_for_change(after, before)
    expect(message).to_contain_text("sigmoid")

    # 2. move the bias slider by keyboard: the histogram changes
    h0 = image_pixels(hist)
    handle = ex.locator(".cnnedu-bias .noUi-handle")
    handle.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    wait_for_change(hist, h0)
    expect(message).to_contain_text("bias 0.5")
    # the histogram's value axis: numbers right under the bars, 0 over the black line
    axis = ex.locator(".cnnedu-hist-axis")
    expect(axis).to_contain_text("0")
    bars, numbers = hist.bounding_box(), axis.bounding_box()
    assert 0 <= numbers["y"] - (bars["y"] + bars["height"]) < 12, (bars, numbers)
    assert abs(numbers["width"] - bars["width"]) < 2, (bars, numbers)

    # 3. the toggle puts a ReLU between the layers: the kernel panel and the text change
    k0 = image_pixels(kernel)
    ex.locator(".cnnedu-toggle").click()
    wait_for_change(kernel, k0)
    expect(collapse).to_contain_text("unexplained")
    expect(ex.locator(".cnnedu-kernel")).to_contain_text("best single kernel")

    # 4. type a filter scale: saturation shows in the message, the picture changes
    scale = ex.locator(".cnnedu-scale input")
    a0 = image_pixels(after)
    type_into(scale, "20")
    a1 = wait_for_change(after, a0)
    expect(message).to_contain_text("filter scale 20")

    # 4b. untick the fixed colour scale: with ReLU and bias 0 a scale change leaves the
    # picture as it is (relu(s z) = s relu(z)), and the message says why
    ex.locator(".cnnedu-activation select").select_option("relu")
    handle.focus()
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    expect(message).to_contain_text("relu with bias 0.0")
    f0 = image_pixels(after)
    ex.locator(".cnnedu-fixed input").click()
    own = wait_for_change(after, f0)
    expect(ex.locator(".cnnedu-after")).to_contain_text("colours rescale to this map")
    expect(message).to_contain_text("relu(s z) = s relu(z)")
    type_into(scale, "3")
    expect(message).to_contain_text("filter scale 3")
    assert np.array_equal(image_pixels(after), own)
    ex.locator(".cnnedu-fixed input").click()
    a1 = wait_for_change(after, own)
    expect(ex.locator(".cnnedu-after")).to_contain_text("fixed")

    # 5. bad entries: a visible message, the picture stays as it was
    for text, shown in (("abc", "'abc' is not a number"), ("nan", "not a finite number"),
                        ("", "the box is empty")):
        type_into(scale, text)
        expect(message).to_contain_text(shown)
        expect(message).to_contain_text("Problem")
        assert np.array_equal(image_pixels(after), a1)
    screenshot(page, "nb04-explorer-bad-entry")

    # ... and the explorer keeps working
    type_into(scale, "1")
    wait_for_change(after, a1)
    expect(message).not_to_contain_text("Problem")
    ex.locator(".cnnedu-image select").select_option("brick")
    wait_for_change(ex.locator(".cnnedu-input img"), inp)
    ex.locator(".cnnedu-kernel").scroll_into_view_if_needed()
    screenshot(page, "nb04-explorer")
