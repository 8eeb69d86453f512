"""Notebook 03's variance meter in a real browser: changing the initializer redraws the
std plot; the std box is disabled while the initializer ignores it; a bad std entry shows a
visible message and the widget keeps working."""
from conftest import image_pixels, open_and_run, screenshot, wait_for_change

NOTEBOOK = "03_initializing_filters.ipynb"


def test_variance_meter_reacts_in_the_browser(lab, page):
    open_and_run(page, lab, NOTEBOOK, timeout_s=300)
    # on a busy machine Run All can outlast the idle check: wait for the widget itself
    page.wait_for_selector(".cnnedu-variance-meter .cnnedu-meter-plot img", state="attached",
                           timeout=300_000)
    meter = page.locator(".cnnedu-variance-meter").first
    meter.scroll_into_view_if_needed()
    plot = meter.locator(".cnnedu-meter-plot img").first
    plot.wait_for()
    before = image_pixels(plot)
    assert before.shape[0] >= 200

    # 1. the initializer dropdown: He -> PyTorch default redraws the plot
    meter.locator(".cnnedu-meter-init select").select_option("pytorch_default")
    after = wait_for_change(plot, before)
    message = meter.locator(".cnnedu-message")
    assert "pytorch_default" in message.inner_text()
    assert "vanishing" in message.inner_text()
    # PyTorch's default sets its own std: the std box is off, and the message says so
    box = meter.locator(".cnnedu-meter-std input").first
    assert box.is_disabled()
    assert "std box is off" in message.inner_text()

    # 2. the depth slider by keyboard
    handle = meter.locator(".cnnedu-meter-depth .noUi-handle").first
    handle.focus()
    page.keyboard.press("ArrowLeft")
    after2 = wait_for_change(plot, after)

    # 3. a bad entry in the std box: a visible message, then recovery
    meter.locator(".cnnedu-meter-init select").select_option("normal (std from the box)")
    after3 = wait_for_change(plot, after2)
    page.wait_for_function(
        "() => !document.querySelector('.cnnedu-variance-meter .cnnedu-meter-std input')"
        ".disabled", timeout=10_000)
    for bad in ("abc", "nan", ""):
        box.click()
        box.fill(bad)
        box.press("Enter")
        page.wait_for_function(
            "() => document.querySelector('.cnnedu-variance-meter .cnnedu-message')"
            ".innerText.includes('Problem')", timeout=10_000)
    assert "std" in message.inner_text()
    box.click()
    box.fill("1")
    box.press("Enter")
    wait_for_change(plot, after3)
    page.wait_for_function(
        "() => !document.querySelector('.cnnedu-variance-meter .cnnedu-message')"
        ".innerText.includes('Problem')", timeout=10_000)
    assert "exploding" in message.inner_text()
    screenshot(page, "nb03_variance_meter")
