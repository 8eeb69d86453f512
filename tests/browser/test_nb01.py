"""Notebook 01 in a real browser: run all cells, drive the filter explorer, and check from
the decoded pixels that the pictures change; bad entries give a visible message and the
explorer keeps working."""
import numpy as np
from playwright.sync_api import expect

from conftest import image_pixels, open_and_run, screenshot, type_into, wait_for_change

NOTEBOOK = "01_filters_as_templates.ipynb"


def test_filter_explorer(lab, page):
    open_and_run(page, lab, NOTEBOOK, timeout_s=180)
    ex = page.locator(".cnnedu-filter-explorer")
    expect(ex).to_have_count(1)
    ex.scroll_into_view_if_needed()
    raw = ex.locator(".cnnedu-panel-raw img")
    out = ex.locator(".cnnedu-panel-activated img")
    kern = ex.locator(".cnnedu-panel-kernel img")
    message = ex.locator(".cnnedu-message")
    expect(raw).to_be_visible()
    expect(message).to_contain_text("Sobel y")  # the notebook starts it on Sobel y

    # the input panel shows the shapes picture (grey), the raw panel a signed map
    inp = image_pixels(ex.locator(".cnnedu-panel-input img"))
    assert inp.shape[0] == 256 and np.ptp(inp[..., 0]) > 100
    before = image_pixels(raw)
    assert before.shape[:2] == (254, 254)

    # 1. pick a preset from the dropdown: the picture changes
    ex.locator(".cnnedu-preset select").select_option(label="Sobel x")
    after_preset = wait_for_change(raw, before)
    expect(message).to_contain_text("Sobel x")

    # 2. type a number into a kernel cell (row 1, column 1): the picture changes
    cell = ex.locator(".cnnedu-kernel-cell-1-1 input")
    type_into(cell, "8")
    after_cell = wait_for_change(raw, after_preset)
    expect(ex.locator(".cnnedu-preset select")).to_have_value("custom")

    # 3. bad entries: a visible message naming the cell, the picture stays as it was
    for text, shown in (("abc", "kernel[1, 1] = 'abc': not a number"),
                        ("nan", "kernel[1, 1] = 'nan': not a finite number"),
                        ("", "kernel[1, 1] is empty")):
        type_into(cell, text)
        expect(message).to_contain_text(shown)
        expect(message).to_contain_text("Problem")
        assert np.array_equal(image_pixels(raw), after_cell)
    screenshot(page, "nb01-explorer-bad-entry")

    # ... and the explorer keeps working: fix the cell (with a typographic minus, U+2212,
    # as pasted from a formatted page), the message goes and the picture changes again
    type_into(cell, "\u22124")
    wait_for_change(raw, after_cell)
    expect(message).not_to_contain_text("Problem")

    # 4. a bad bias, then a good one with a ReLU: the activated panel changes
    bias = ex.locator(".cnnedu-bias input")
    type_into(bias, "not a bias")
    expect(message).to_contain_text("bias: 'not a bias' is not a number")
    ex.locator(".cnnedu-activation select").select_option("relu")
    out_before = image_pixels(out)
    type_into(bias, "-0.5")
    wait_for_change(out, out_before)
    expect(message).not_to_contain_text("Problem")
    expect(ex.locator(".cnnedu-panel-activated")).to_contain_text("relu(response - 0.5)")

    # 5. the 5x5 size: 25 cells, and the kernel picture changes
    k_before = image_pixels(kern)
    ex.locator(".cnnedu-size button", has_text="5x5").click()
    wait_for_change(kern, k_before)
    expect(ex.locator(".cnnedu-kernel-grid input")).to_have_count(25)

    # 6. another image
    raw_before = image_pixels(raw)
    ex.locator(".cnnedu-image select").select_option("camera")
    wait_for_change(raw, raw_before)
    ex.scroll_into_view_if_needed()
    screenshot(page, "nb01-explorer")
