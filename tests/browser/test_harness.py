"""The browser harness itself: a tiny notebook with a slider and an ImagePanel.

Proves, independently of any lesson, that JupyterLab starts, Run All runs, a slider moved
by keyboard reaches the kernel, and the decoded picture changes.
"""
import nbformat

from conftest import image_pixels, open_and_run, screenshot, wait_for_change

SOURCE = """\
import ipywidgets as W
import numpy as np
from cnnedu.widgets._base import ImagePanel
panel = ImagePanel("ramp", size=128)
slider = W.IntSlider(value=1, min=1, max=8, description="power")
def update(change=None):
    panel.show(np.linspace(0, 1, 64).reshape(8, 8) ** slider.value)
slider.observe(update, names="value")
update()
W.VBox([slider, panel.widget])
"""


def test_slider_changes_picture(lab, page):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# harness"), nbformat.v4.new_code_cell(SOURCE)]
    nbformat.write(nb, lab.root / "harness.ipynb")
    open_and_run(page, lab, "harness.ipynb")
    panel = page.locator(".cnnedu-panel img").first
    panel.wait_for()
    before = image_pixels(panel)
    assert before.shape[0] >= 128
    handle = page.locator(".widget-slider .noUi-handle").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    after = wait_for_change(panel, before)
    assert after.shape == before.shape
    screenshot(page, "harness")
