"""Notebook 06 in a real browser: run all cells, Start the train-and-watch widget, check
from the decoded pixels that the filters change while the kernel stays free, Pause and
Reset, Step by hand at the slow pace, type bad learning rates (visible message), see the
divergence warning at learning rate 1.5, and pick another initializer."""
import re

import numpy as np
from playwright.sync_api import expect

from conftest import image_pixels, open_and_run, screenshot, type_into, wait_for_change

NOTEBOOK = "06_learning_filters.ipynb"


def test_train_and_watch(lab, page):
    open_and_run(page, lab, NOTEBOOK, timeout_s=240)
    expect(page.get_by_text("my_symmetry_experiment still raises")).to_have_count(
        1, timeout=180_000)
    idle = page.locator(".jp-StatusBar-Widget", has_text="| Idle")
    expect(idle.first).to_be_visible(timeout=180_000)

    tw = page.locator(".cnnedu-train-watch")
    expect(tw).to_have_count(1)
    tw.scroll_into_view_if_needed()
    filters = tw.locator(".cnnedu-tw-filters img")
    loss = tw.locator(".cnnedu-tw-loss img")
    status = tw.locator(".cnnedu-tw-status")
    message = tw.locator(".cnnedu-message")
    expect(filters).to_be_visible()
    expect(status).to_contain_text("batch 0")
    start_px = image_pixels(filters)
    assert max(start_px.shape[:2]) >= 300 and len(np.unique(start_px[..., :3].reshape(-1, 3), axis=0)) > 10
    box = filters.bounding_box()
    assert box["width"] > 3 * box["height"]          # sized to the 2 x 8 mosaic, no empty band

    # Start: the filters change while it trains, and Pause is clickable meanwhile
    tw.locator(".cnnedu-tw-start").click()
    trained_px = start_px
    for _ in range(30):                              # redraw after redraw, until visible
        trained_px = wait_for_change(filters, trained_px)
        if np.abs(trained_px.astype(int) - start_px.astype(int)).max() > 20:
            break
    assert np.abs(trained_px.astype(int) - start_px.astype(int)).max() > 20
    wait_for_change(loss, image_pixels(loss))
    tw.locator(".cnnedu-tw-pause").click()
    expect(message).to_contain_text("paused after")
    # nothing trains after Pause: the loop itself has ended (the widget marks that when its
    # task finishes), and the count is the one the Pause message gave
    expect(tw).to_have_class(re.compile(r"\bcnnedu-tw-stopped\b"))
    paused_at = re.search(r"paused after (\d+) batch", message.inner_text()).group(1)
    expect(status).to_contain_text(f"batch {paused_at} ")
    screenshot(page, "nb06-train-and-watch-paused")

    # Reset: back to the seeded start, pixel for pixel
    tw.locator(".cnnedu-tw-reset").click()
    expect(status).to_contain_text("batch 0")
    assert np.array_equal(image_pixels(filters), start_px)

    # Step at the slow pace: exactly one batch per click
    tw.locator(".cnnedu-tw-pace select").select_option(label="slow (1 batch per redraw)")
    tw.locator(".cnnedu-tw-step").click()
    expect(status).to_contain_text("batch 1 ")
    tw.locator(".cnnedu-tw-step").click()
    expect(status).to_contain_text("batch 2 ")

    # bad learning rates: a visible message, and the widget still trains afterwards
    lr = tw.locator(".cnnedu-tw-lr input")
    for bad, text in (("abc", "is not a number"), ("nan", "not a finite number"),
                      ("", "the box is empty"), ("-1", "below the minimum")):
        type_into(lr, bad)
        expect(message).to_contain_text("Problem")
        expect(message).to_contain_text(text)
    type_into(lr, "1.5")
    expect(message).to_contain_text("learning rate set to 1.5")
    tw.locator(".cnnedu-tw-pace select").select_option(label="fast (6 batches per redraw)")
    tw.locator(".cnnedu-tw-start").click()
    warning = tw.locator(".cnnedu-tw-warning")
    expect(warning).to_contain_text("too large", timeout=60_000)
    tw.locator(".cnnedu-tw-pause").click()
    screenshot(page, "nb06-train-and-watch-warning")
    type_into(lr, "0.1")
    expect(message).to_contain_text("learning rate set to 0.1")

    # another initializer: constant; its 16 filters start (and stay) identical
    tw.locator(".cnnedu-tw-init select").select_option(label="constant (every weight 0.05)")
    expect(message).to_contain_text("initializer: constant")
    const_px = wait_for_change(filters, start_px)
    tw.locator(".cnnedu-tw-start").click()
    wait_for_change(filters, const_px)
    tw.locator(".cnnedu-tw-pause").click()
    expect(message).to_contain_text("paused after")
    screenshot(page, "nb06-train-and-watch")
