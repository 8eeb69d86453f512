"""Notebook 05 in a real browser: run all cells, drive the gradient-flow explorer and the
filter-learning player, check from the decoded pixels that the pictures change, and that a
bad learning rate gives a visible message while the player keeps working."""
import numpy as np
from playwright.sync_api import expect

from conftest import image_pixels, open_and_run, screenshot, type_into, wait_for_change

NOTEBOOK = "05_backpropagation_through_a_convolution.ipynb"


def wait_idle(page):
    idle = page.locator(".jp-StatusBar-Widget", has_text="| Idle")
    expect(idle.first).to_be_visible(timeout=180_000)


def test_gradient_flow_and_filter_learning(lab, page):
    open_and_run(page, lab, NOTEBOOK, timeout_s=240)
    # the last cell's output is there: Run All has finished
    expect(page.get_by_text("my_gradient_check still raises NotImplementedError")).to_have_count(
        1, timeout=180_000)
    wait_idle(page)

    # ---- the gradient-flow explorer ------------------------------------------------
    gfe = page.locator(".cnnedu-gradient-flow")
    expect(gfe).to_have_count(1)
    gfe.scroll_into_view_if_needed()
    out = gfe.locator(".cnnedu-gf-output img")
    inp = gfe.locator(".cnnedu-gf-input img")
    message = gfe.locator(".cnnedu-message")
    expect(out).to_be_visible()
    expect(message).to_contain_text("dX[2,3] = ")  # starts in input mode at x[2,3]
    # no padding at the start: the input panel does not talk about padding
    expect(gfe.locator(".cnnedu-panel", has_text="input x")).to_have_count(1)
    expect(gfe.locator(".cnnedu-panel", has_text="grey: padding")).to_have_count(0)
    before = image_pixels(out)
    assert before.shape[0] >= 200 and len(np.unique(before.reshape(-1, 3), axis=0)) > 3

    # 1. the row slider by keyboard: another input cell, other outputs light up
    handle = gfe.locator(".cnnedu-gf-row .noUi-handle")
    handle.focus()
    page.keyboard.press("ArrowRight")
    after_row = wait_for_change(out, before)
    expect(message).to_contain_text("dX[3,3] = ")

    # 2. stride 2 by keyboard: the output grid shrinks, the picture changes
    gfe.locator(".cnnedu-gf-stride .noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    wait_for_change(out, after_row)
    expect(gfe.locator(".cnnedu-panel", has_text="output y (3x3)")).to_have_count(1)

    # 3. the mode dropdown: now an output cell is chosen, the input window lights up
    in_before = image_pixels(inp)
    gfe.locator(".cnnedu-gf-mode select").select_option(index=0)
    wait_for_change(inp, in_before)
    expect(message).to_contain_text("Its gradient dY[")

    # 4. a geometry with no output: a visible message, and it recovers
    gfe.locator(".cnnedu-gf-kernel .noUi-handle").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")           # kernel 5
    gfe.locator(".cnnedu-gf-dilation .noUi-handle").focus()
    page.keyboard.press("ArrowRight")               # dilation 2: spans 9 > 6
    expect(message).to_contain_text("Problem")
    expect(message).to_contain_text("the dilated kernel spans 9 cells")
    page.keyboard.press("ArrowLeft")                # dilation 1 again
    expect(message).not_to_contain_text("Problem")
    screenshot(page, "nb05-gradient-flow")

    # ---- the filter-learning player ------------------------------------------------
    pl = page.locator(".cnnedu-filter-learning")
    expect(pl).to_have_count(1)
    pl.scroll_into_view_if_needed()
    current = pl.locator(".cnnedu-fl-current img")
    loss = pl.locator(".cnnedu-fl-loss img")
    status = pl.locator(".cnnedu-fl-status")
    pmsg = pl.locator(".cnnedu-message")
    expect(status).to_contain_text("step 0:")
    k0 = image_pixels(current)

    pl.locator("button.cnnedu-fl-step").click()
    k1 = wait_for_change(current, k0)
    expect(status).to_contain_text("step 1:")

    l1 = image_pixels(loss)
    ink = np.all(l1[..., :3] == 60, axis=-1)     # the axis numbers of the loss plot
    assert ink[:, :30].sum() > 50 and ink[-14:, :].sum() > 20
    pl.locator("button.cnnedu-fl-run").click()
    expect(status).to_contain_text("step 21:")
    wait_for_change(loss, l1)
    k21 = wait_for_change(current, k1)

    # bad learning rates: a visible message, the old rate is kept, and Step still works
    box = pl.locator(".cnnedu-fl-lr input")
    for text, shown in (("abc", "'abc' is not a number"), ("nan", "not a finite number"),
                        ("", "the box is empty"), ("-1", "below the minimum")):
        type_into(box, text)
        expect(pmsg).to_contain_text("Problem")
        expect(pmsg).to_contain_text(shown)
    screenshot(page, "nb05-filter-learning-bad-entry")
    pl.locator("button.cnnedu-fl-step").click()
    expect(status).to_contain_text("step 22:")
    expect(pmsg).not_to_contain_text("Problem")
    wait_for_change(current, k21)

    # a good rate, another hidden kernel, and reset
    type_into(box, "0.5")
    expect(pmsg).to_contain_text("learning rate set to 0.5")
    h_before = image_pixels(pl.locator(".cnnedu-fl-target img"))
    pl.locator(".cnnedu-fl-hidden select").select_option("laplacian")
    wait_for_change(pl.locator(".cnnedu-fl-target img"), h_before)
    expect(status).to_contain_text("step 0:")
    pl.locator("button.cnnedu-fl-run").click()
    expect(status).to_contain_text("step 20:")
    pl.locator("button.cnnedu-fl-reset").click()
    expect(status).to_contain_text("step 0:")
    pl.scroll_into_view_if_needed()
    screenshot(page, "nb05-filter-learning")
