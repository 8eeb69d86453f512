"""cnnedu.topics.filter_response: the plain functions behind the filter explorer."""
import numpy as np
import pytest

from cnnedu.nn import activations
from cnnedu.topics import filter_response as explorer
from cnnedu.topics import kernels
from cnnedu.viz import panels
from cnnedu.nn.conv import correlate2d
from cnnedu.viz.render import colorize, png_to_array


# ------------------------------------------------------------------ parsing what is typed

@pytest.mark.parametrize("text, value", [("1", 1.0), (" -2.5 ", -2.5), ("1e3", 1000.0),
                                         ("0", 0.0), ("-0", 0.0), ("+.5", 0.5),
                                         ("\u22122", -2.0), (" \u22120.25", -0.25)])
def test_parse_cell_good(text, value):
    assert explorer.parse_cell(text) == (value, "")


@pytest.mark.parametrize("text, why", [("", "empty"), ("   ", "empty"), ("abc", "not a number"),
                                       ("1/9", "not a number"), ("nan", "not a finite"),
                                       ("-inf", "not a finite"), ("1e7", "too large"),
                                       ("-2e6", "too large")])
def test_parse_cell_bad(text, why):
    v, msg = explorer.parse_cell(text)
    assert v is None and why in msg


def test_parse_kernel_names_every_bad_cell_and_what_was_typed():
    k, problems = explorer.parse_kernel([["1", "2"], ["3", "4"]])
    assert np.array_equal(k, [[1, 2], [3, 4]]) and problems == []
    k, problems = explorer.parse_kernel([["1", "x"], ["NaN", ""]])
    assert k is None
    assert problems == ["kernel[0, 1] = 'x': not a number",
                        "kernel[1, 0] = 'NaN': not a finite number", "kernel[1, 1] is empty"]
    with pytest.raises(ValueError, match="square grid"):
        explorer.parse_kernel([["1", "2"], ["3"]])
    with pytest.raises(ValueError, match="square grid"):
        explorer.parse_kernel([])


@pytest.mark.parametrize("size", kernels.SIZES)
@pytest.mark.parametrize("name", kernels.names())
def test_kernel_texts_round_trip(name, size):
    k = kernels.get(name, size)
    back, problems = explorer.parse_kernel(explorer.kernel_texts(k))
    assert problems == [] and np.allclose(back, k, rtol=1e-3, atol=0)


def test_resize_kernel():
    k = np.arange(9.0).reshape(3, 3)
    big = explorer.resize_kernel(k, 5)
    assert big.shape == (5, 5) and np.array_equal(big[1:4, 1:4], k) and big.sum() == k.sum()
    assert np.array_equal(explorer.resize_kernel(big, 3), k)
    assert np.array_equal(explorer.resize_kernel(k, 3), k)
    with pytest.raises(ValueError, match="odd integer"):
        explorer.resize_kernel(k, 4)
    with pytest.raises(ValueError, match="square with an odd side"):
        explorer.resize_kernel(np.ones((2, 2)), 3)


# ------------------------------------------------------------------ images

def test_images():
    for name in explorer.IMAGE_NAMES:
        img = explorer.load_image(name)
        assert img.shape == (256, 256) and img.dtype == np.float64
        assert 0.0 <= img.min() and img.max() <= 1.0
        assert not img.flags.writeable
    with pytest.raises(ValueError, match="'camera'.*'moon'"):
        explorer.load_image("moon")


def test_shapes_image_has_edges_where_documented():
    img = explorer.shapes_image(256)
    sx = correlate2d(img, kernels.get("sobel_x"))
    sy = correlate2d(img, kernels.get("sobel_y"))
    # square rows 40:120, cols 30:110; output[i, j] is centred on img[i + 1, j + 1]
    assert sx[79, 28] > 1.0 and sy[79, 28] == 0.0     # left side: vertical edge
    assert sy[38, 69] > 1.0 and abs(sx[38, 69]) < 1e-12  # top: horizontal edge
    assert img[80, 190] == 0.0                         # the dark disk
    with pytest.raises(ValueError, match=">= 16"):
        explorer.shapes_image(8)


# ------------------------------------------------------------------ the response

@pytest.mark.parametrize("activation", explorer.ACTIVATIONS)
def test_filter_response(activation):
    rng = np.random.default_rng(0)
    img, k = rng.random((20, 17)), rng.normal(size=(3, 3))
    res = explorer.filter_response(img, k, bias=-0.25, activation=activation)
    assert np.allclose(res.raw, correlate2d(img, k))
    assert np.allclose(res.activated, activations.get(activation).forward(res.raw - 0.25))
    assert res.notes == []
    same = explorer.filter_response(img, k, mode="same")
    assert same.raw.shape == img.shape


def test_filter_response_extremes_never_raise_on_finite_input():
    img = explorer.load_image("camera")
    zero = explorer.filter_response(img, np.zeros((5, 5)), bias=3.0, activation="relu")
    assert np.all(zero.raw == 0) and np.all(zero.activated == 3.0)
    huge = explorer.filter_response(img, np.full((3, 3), 1e308), activation="sigmoid")
    assert huge.notes and "overflowed" in huge.notes[0]
    neg = explorer.filter_response(img, -np.ones((3, 3)) * 1e6, bias=-1e6, activation="tanh")
    assert np.all(neg.activated == -1.0) and neg.notes == []


def test_filter_response_bad_input():
    img = np.ones((5, 5))
    with pytest.raises(ValueError, match="kernel must hold finite"):
        explorer.filter_response(img, np.array([[np.nan]]))
    with pytest.raises(ValueError, match="bias must be a finite"):
        explorer.filter_response(img, np.ones((2, 2)), bias=float("nan"))
    with pytest.raises(TypeError, match="bias must be one real number.*str"):
        explorer.filter_response(img, np.ones((2, 2)), bias="1")
    with pytest.raises(TypeError, match="bias must be one real number"):
        explorer.filter_response(img, np.ones((2, 2)), bias=np.ones(2))
    with pytest.raises(ValueError, match="activation must be one of.*'swish'"):
        explorer.filter_response(img, np.ones((2, 2)), activation="swish")
    with pytest.raises(ValueError, match=r"\(kh, kw\)"):
        explorer.filter_response(img, np.ones(3))


def test_captions_and_labels():
    assert explorer.map_caption(np.array([[np.nan, 1.0], [2.0, np.inf]])) == "from 1 to 2"
    assert explorer.map_caption(np.full((2, 2), np.nan)) == "no finite values"
    assert explorer.map_caption(np.array([[-1.0, 1.0], [0.0, 2.0]]), "relu") \
        == "from -1 to 2; 50% zeroed"
    assert explorer.activation_label("tanh", 2.0) == "tanh(response + 2)"
    assert explorer.activation_label("relu", -1e6) == "relu(response - 1e+06)"


# ------------------------------------------------------------------ pictures

def test_kernel_png():
    k = np.array([[1.0, 0.0], [0.0, -1.0]])
    pic = png_to_array(panels.kernel_png(k, cell=10))[..., :3].astype(int)
    assert pic.shape == (21, 21, 3)
    assert np.all(pic[0] == 150) and np.all(pic[:, 10] == 150)  # grid lines
    red, white, blue = pic[5, 5], pic[5, 15], pic[15, 15]
    assert red[0] > red[2] + 50 and blue[2] > blue[0] + 50 and white.min() > 230
    assert np.all(png_to_array(panels.kernel_png(np.zeros((3, 3))))[1:29, 1:29, :3] > 230)
    with pytest.raises(ValueError, match="cell must be an integer >= 2"):
        panels.kernel_png(k, cell=1)


@pytest.mark.parametrize("signed", [False, True])
def test_map_png_matches_colorize(signed):
    rng = np.random.default_rng(5)
    a = rng.normal(size=(33, 47))
    got = png_to_array(panels.map_png(a, signed=signed))[..., :3].astype(int)
    want = colorize(a, signed=signed).astype(int)
    assert got.shape == want.shape
    # 255 palette levels against render's 256: at most a level apart
    assert np.abs(got - want).max() <= 12
    centre = png_to_array(panels.map_png(np.array([[-2.0, 0.0, 2.0]]), signed=True))
    assert centre[0, 1, :3].min() > 240  # 0 is the colormap's white centre


def test_map_png_edge_cases():
    for a in (np.zeros((4, 4)), np.full((3, 5), 7.0), np.full((2, 2), np.nan),
              np.array([[np.inf, -np.inf, 1.0]]), np.array([[1e308, -1e308]])):
        for signed in (False, True):
            rgb = png_to_array(panels.map_png(a, signed=signed))
            assert rgb.shape[:2] == a.shape
            bad = ~np.isfinite(a)
            assert np.all(rgb[bad][:, :3] == [255, 0, 255])
    grey = png_to_array(panels.map_png(np.array([[0.0, 0.5, 1.0]]), vmin=0.0, vmax=1.0))
    assert grey[0, 0, 0] == 0 and grey[0, 2, 0] == 255
    with pytest.raises(ValueError, match=r"\(H, W\)"):
        panels.map_png(np.zeros((2, 2, 2)))


def test_colour_scale_captions():
    assert explorer.colour_limit(np.array([[-3.0, 1.0], [np.inf, np.nan]])) == 3.0
    assert explorer.colour_limit(np.full((2, 2), np.nan)) == 0.0
    assert explorer.scale_caption(np.array([[-0.5, 0.25]])) == \
        "colours ±0.5 (rescaled to this map)"
    assert explorer.scale_caption(np.zeros((3, 3))) == "colours: all white (0)"
