"""The exercise checks of notebook 01 pass the reference, say NOT YET for the stubs, and
catch plausible wrong answers with a useful message."""
import numpy as np

from cnnedu.exercises.checks import nb01 as check
from cnnedu.nn.conv import convolve2d, correlate2d
from cnnedu.exercises.solutions import nb01 as sol
from cnnedu.topics.templates import best_match, sliding_dot


def stub_raises(*args):
    raise NotImplementedError


def stub_none(*args):
    return None


def test_correlate2d_loops():
    assert check.correlate2d_loops(sol.correlate2d_loops).passed
    assert check.correlate2d_loops(stub_raises).status == "not yet"
    assert check.correlate2d_loops(stub_none).status == "not yet"
    flipped = check.correlate2d_loops(lambda im, k: convolve2d(im, k))
    assert flipped.status == "wrong" and "flipped" in str(flipped)
    same = check.correlate2d_loops(lambda im, k: correlate2d(im, k, mode="same"))
    assert same.status == "wrong" and "(H - kh + 1, W - kw + 1)" in str(same)
    # loops that swap kh and kw: only the non-square kernel shows it
    swapped = check.correlate2d_loops(
        lambda im, k: correlate2d(im, np.resize(k, k.shape[::-1])))
    assert swapped.status == "wrong" and "shape" in str(swapped)
    off = check.correlate2d_loops(lambda im, k: correlate2d(im, k) + 1e-3)
    assert off.status == "wrong" and "first difference" in str(off)
    boom = check.correlate2d_loops(lambda im, k: im[100])
    assert boom.status == "wrong" and "IndexError" in str(boom)


def test_horizontal_edge_preset():
    v = check.horizontal_edge_preset(sol.horizontal_edge_preset)
    assert v.passed and "vertical edge gives 0" in str(v)
    assert check.horizontal_edge_preset(lambda: None).status == "not yet"
    assert check.horizontal_edge_preset(lambda: " Sobel Y").passed  # spelling tolerated
    x = check.horizontal_edge_preset(lambda: "sobel_x")
    assert x.status == "wrong" and "vertical edges" in str(x) and "up to 4" in str(x)
    lap = check.horizontal_edge_preset(lambda: "laplacian")
    assert lap.status == "wrong" and "every orientation" in str(lap)
    assert "twice" in str(check.horizontal_edge_preset(lambda: "line_horizontal"))
    unknown = check.horizontal_edge_preset(lambda: "prewitt")
    assert unknown.status == "wrong" and "sobel_y" in str(unknown)
    assert check.horizontal_edge_preset(lambda: 3).status == "wrong"


def test_edge_scores_are_computed():
    assert check.edge_scores("sobel_y") == {"horizontal": 4.0, "vertical": 0.0}
    assert check.edge_scores("sobel_x")["vertical"] == 4.0


def test_where_is_the_template():
    assert check.where_is_the_template(sol.where_is_the_template).passed
    assert check.where_is_the_template(stub_none).status == "not yet"
    assert check.where_is_the_template(stub_raises).status == "not yet"

    def raw_argmax(image, template):
        m = best_match(sliding_dot(image, template))
        return (m.row, m.col)

    raw = check.where_is_the_template(raw_argmax)
    assert raw.status == "wrong" and "raw dot product" in str(raw)

    def centre(image, template):
        r, c = sol.where_is_the_template(image, template)
        return (r + template.shape[0] // 2, c + template.shape[1] // 2)

    assert "centre" in str(check.where_is_the_template(centre))
    swapped = check.where_is_the_template(lambda im, t: sol.where_is_the_template(im, t)[::-1])
    assert swapped.status == "wrong" and "swapped" in str(swapped)
    assert check.where_is_the_template(lambda im, t: (0, 0)).status == "wrong"
    assert check.where_is_the_template(lambda im, t: "here").status == "wrong"
    assert check.where_is_the_template(lambda im, t: (1, 2, 3)).status == "wrong"


def test_template_cases_defeat_the_raw_dot_product():
    """Otherwise the check could not tell NCC from the raw score."""
    for image, template, truth in check.template_cases():
        m = best_match(sliding_dot(image, template))
        assert (m.row, m.col) != truth
        assert np.ptp(template) > 0
