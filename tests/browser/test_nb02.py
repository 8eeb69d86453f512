"""Notebook 02's widgets in a real browser: the shape calculator and the channel explorer.

Run: python -m pytest tests/browser/test_nb02.py -p no:nbval -o addopts="" -q
"""
import numpy as np
import pytest
from playwright.sync_api import expect

from conftest import image_pixels, open_and_run, screenshot, wait_for_change

NOTEBOOK = "02_the_convolutional_layer.ipynb"


@pytest.fixture(scope="module")
def nb_page(lab, _playwright):
    expect.set_options(timeout=30_000)
    context = _playwright.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    open_and_run(page, lab, NOTEBOOK, timeout_s=180)
    yield page
    context.close()


def message_text(root):
    return root.locator(".cnnedu-message").inner_text()


def test_shape_calculator_slider_redraws_and_bad_entries_give_a_message(nb_page):
    page = nb_page
    calc = page.locator(".cnnedu-shape-calculator").first
    calc.scroll_into_view_if_needed()
    picture = calc.locator(".cnnedu-panel-windows img").first
    expect(picture).to_be_visible()
    before = image_pixels(picture)
    assert before.shape[0] >= 300
    expect(calc.locator(".cnnedu-message")).to_contain_text("output (1, 20, 4, 4)")

    # the input-size slider, by keyboard
    handle = calc.locator(".cnnedu-size .noUi-handle").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    after = wait_for_change(picture, before)
    expect(calc.locator(".cnnedu-message")).to_contain_text("output (1, 20, 4, 4)")  # H = 8
    # the smallest input (H = 1, padded to 3) and the largest kernel (9): no window at all
    page.keyboard.press("Home")
    expect(calc.locator(".cnnedu-message")).to_contain_text("output (1, 20, 1, 1)")
    k = calc.locator(".cnnedu-kernel .noUi-handle").first
    k.focus()
    page.keyboard.press("End")
    expect(calc.locator(".cnnedu-message")).to_contain_text("larger than the padded input")
    expect(calc.locator(".cnnedu-result")).to_contain_text("no output")
    expect(calc.locator(".cnnedu-panel-windows")).to_contain_text("no window fits")
    page.keyboard.press("Home")                 # k = 1: works again, and the picture changes
    expect(calc.locator(".cnnedu-message")).to_contain_text("output (1, 20, 2, 2)")
    wait_for_change(picture, after)

    # the padding dropdown: "same" with stride 2 is refused with a message
    calc.locator(".cnnedu-padding-mode select").select_option("same")
    expect(calc.locator(".cnnedu-message")).to_contain_text("needs stride=1")
    calc.locator(".cnnedu-padding-mode select").select_option("number")
    expect(calc.locator(".cnnedu-message")).to_contain_text("output")

    # typing bad channel counts: text, NaN, empty
    box = calc.locator(".cnnedu-in-channels input").first
    for bad, words in (("abc", "is not a number"), ("nan", "not a finite number"),
                       ("", "the box is empty")):
        box.fill(bad)
        box.press("Enter")
        expect(calc.locator(".cnnedu-message")).to_contain_text(words)
    box.fill("16")
    box.press("Enter")
    expect(calc.locator(".cnnedu-result")).to_contain_text("20*16*1*1 + 20")
    expect(calc.locator(".cnnedu-message")).not_to_contain_text("Problem")
    screenshot(page, "nb02_shape_calculator")


def test_channel_explorer_filter_and_bias(nb_page):
    page = nb_page
    ex = page.locator(".cnnedu-channel-explorer").first
    ex.scroll_into_view_if_needed()
    out = ex.locator(".cnnedu-panel-activated img").first
    slice1 = ex.locator(".cnnedu-panel-slice-1 img").first   # green: non-zero for 0, zero for 11
    expect(out).to_be_visible()
    before_out, before_slice = image_pixels(out), image_pixels(slice1)

    ex.locator(".cnnedu-filter select").select_option(label="11: red vertical edge")
    wait_for_change(out, before_out)
    wait_for_change(slice1, before_slice)
    expect(ex.locator(".cnnedu-message")).to_contain_text("filter 11 (red vertical edge)")
    expect(ex.locator(".cnnedu-panel-slice-1")).to_contain_text("all 0: this channel is ignored")
    expect(ex).not_to_contain_text("-0.00")

    # a new bias moves the threshold: the feature map changes
    bias = ex.locator(".cnnedu-bias input").first
    now = image_pixels(out)
    bias.fill("-0.3")
    bias.press("Enter")
    now = wait_for_change(out, now)
    expect(ex.locator(".cnnedu-message")).to_contain_text("b[11] = -0.3")

    # bad entries: a visible message, the last good picture stays
    for bad, words in (("abc", "is not a number"), ("nan", "not a finite number"),
                       ("", "the box is empty")):
        bias.fill(bad)
        bias.press("Enter")
        expect(ex.locator(".cnnedu-message")).to_contain_text(words)
        assert np.array_equal(image_pixels(out), now)
    # and it still works
    bias.fill("0")
    bias.press("Enter")
    wait_for_change(out, now)
    expect(ex.locator(".cnnedu-message")).to_contain_text("filter 11")
    ex.locator(".cnnedu-activation select").select_option("identity")
    expect(ex.locator(".cnnedu-panel-activated")).to_contain_text("identity")
    screenshot(page, "nb02_channel_explorer")
