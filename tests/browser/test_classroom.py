"""The widgets on a projector: 1024x768 with the file browser open, light and dark theme.

For every widget of the series (each notebook is run in JupyterLab first):

- nothing inside the widget overflows its box (no horizontal scrollbar, no clipped
  label, readout, button or dropdown): measured in the page, as ``scrollWidth`` against
  ``clientWidth``;
- every button shows its whole label;
- in JupyterLab Dark, a "Problem:" message has a WCAG contrast of at least 4.5:1 against
  the background it is drawn on (and in the light theme too).

Screenshots of each notebook's widgets land in tests/browser/screenshots/ (look at them).

Run: python -m pytest tests/browser/test_classroom.py -p no:nbval -o addopts="" -q
"""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from conftest import SCREENSHOTS, open_and_run

NOTEBOOKS = [
    "01_filters_as_templates.ipynb",
    "02_the_convolutional_layer.ipynb",
    "03_initializing_filters.ipynb",
    "04_activations_and_the_linear_collapse.ipynb",
    "05_backpropagation_through_a_convolution.ipynb",
    "06_learning_filters.ipynb",
]

#: In the page: every element under each widget root that is wider inside than its box.
OVERFLOW_JS = """
(roots) => roots.flatMap((root, r) => {
    const bad = [];
    const all = [root, ...root.querySelectorAll('*')];
    for (const e of all) {
        if (e.clientWidth <= 0) continue;
        const style = getComputedStyle(e);
        if (style.display === 'none' || style.visibility === 'hidden') continue;
        if (e.tagName === 'IMG' || e.tagName === 'CANVAS' || e.tagName === 'svg') continue;
        // sliders' internal tracks, and text inputs, may scroll by design
        if (e.closest('.noUi-target, .slider-container') || e.tagName === 'INPUT' || e.tagName === 'TEXTAREA') continue;
        if (e.scrollWidth > e.clientWidth + 1) {
            bad.push(`widget ${r}: <${e.tagName.toLowerCase()} class="${e.className}"> `
                     + `scrollWidth ${e.scrollWidth} > clientWidth ${e.clientWidth}: `
                     + JSON.stringify((e.innerText || '').slice(0, 40)));
        }
    }
    const box = root.getBoundingClientRect();
    const area = root.closest('.jp-OutputArea-output') || root.parentElement;
    const outer = area.getBoundingClientRect();
    if (box.right > outer.right + 1) bad.push(`widget ${r}: wider than its output area `
                                              + `(${Math.round(box.right)} > ${Math.round(outer.right)})`);
    return bad;
})
"""

CONTRAST_JS = """
(el) => {
    const parse = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : [...m, 1]; };
    const lum = ([r, g, b]) => {
        const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const fg = parse(getComputedStyle(el).color);
    let node = el, bg = null;
    while (node) {
        const c = parse(getComputedStyle(node).backgroundColor);
        if (c[3] > 0.5) { bg = c; break; }
        node = node.parentElement;
    }
    if (!bg) bg = [255, 255, 255, 1];
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    return {ratio: (a + 0.05) / (b + 0.05), fg: fg, bg: bg};
}
"""


@pytest.fixture(scope="module")
def projector(lab, _playwright):
    expect.set_options(timeout=30_000)
    context = _playwright.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def _open_file_browser(page):
    browser = page.locator("#filebrowser")
    if not browser.is_visible():
        page.get_by_role("tab", name="File Browser").first.click()
    expect(page.locator("#filebrowser")).to_be_visible()


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_widget_fits_at_1024_with_the_sidebar_open(projector, lab, notebook):
    page = projector
    open_and_run(page, lab, notebook, timeout_s=240)
    _open_file_browser(page)
    # the notebook is laid out beside the open sidebar (a condition, not a pause)
    page.wait_for_function(
        "() => { const fb = document.querySelector('#filebrowser').getBoundingClientRect();"
        " const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')"
        ".getBoundingClientRect(); return fb.width > 100 && nb.left >= fb.right - 1; }")
    roots = page.locator(".cnnedu-root")
    n = roots.count()
    assert n >= 1, f"{notebook}: no widget found"
    problems = roots.evaluate_all(OVERFLOW_JS)
    labels = roots.locator("button").evaluate_all(
        "bs => bs.filter(b => b.offsetParent && b.scrollWidth > b.clientWidth + 1)"
        ".map(b => b.innerText)")
    SCREENSHOTS.mkdir(exist_ok=True)
    for i in range(n):
        roots.nth(i).scroll_into_view_if_needed()
        roots.nth(i).screenshot(path=str(SCREENSHOTS / f"classroom-{notebook[:2]}-{i}.png"))
    assert not problems, f"{notebook} at 1024x768:\n" + "\n".join(problems)
    assert not labels, f"{notebook}: buttons with clipped labels: {labels}"


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_problem_messages_are_readable_in_both_themes(projector, lab, theme):
    page = projector
    # the theme is a user setting: set it through Lab's settings API (what the Settings >
    # Theme menu does), then load the notebook, which starts in that theme
    resp = page.request.put(
        f"{lab.base}/lab/api/settings/@jupyterlab/apputils-extension:themes",
        headers={"Authorization": f"token {lab.token}", "Content-Type": "application/json"},
        data=json.dumps({"raw": json.dumps({"theme": theme})}))
    assert resp.ok, (resp.status, resp.text())
    open_and_run(page, lab, NOTEBOOKS[0], timeout_s=240)
    expect(page.locator("body")).to_have_attribute("data-jp-theme-name", theme)
    explorer = page.locator(".cnnedu-filter-explorer").first
    explorer.scroll_into_view_if_needed()
    box = explorer.locator(".widget-text input").first
    box.click()
    box.fill("abc")
    box.press("Enter")
    problem = explorer.locator(".cnnedu-message span").first
    expect(problem).to_contain_text("Problem")
    result = problem.evaluate(CONTRAST_JS)
    explorer.screenshot(path=str(SCREENSHOTS / f"classroom-message-{theme.split()[-1]}.png"))
    assert result["ratio"] >= 4.5, f"{theme}: contrast {result}"
