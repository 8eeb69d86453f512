"""cnnedu.topics.kernels: the hand-made presets, their shapes, sums, symmetries and behaviour."""
import numpy as np
import pytest
from scipy import signal

from cnnedu.topics import kernels
from cnnedu.nn.conv import correlate2d, rot180

ZERO_SUM = ["zeros", "sobel_x", "sobel_y", "laplacian", "line_horizontal", "line_vertical"]
ONE_SUM = ["identity", "box_blur", "gaussian", "sharpen"]
SYMMETRIC = ["identity", "zeros", "box_blur", "gaussian", "sharpen", "laplacian",
             "line_horizontal", "line_vertical"]


def step(axis: int, size: int = 9) -> np.ndarray:
    """Dark half then bright half: axis 0 gives a horizontal edge, axis 1 a vertical one."""
    img = np.zeros((size, size))
    if axis == 0:
        img[size // 2:] = 1.0
    else:
        img[:, size // 2:] = 1.0
    return img


def test_every_preset_is_classified_once():
    assert sorted(ZERO_SUM + ONE_SUM) == sorted(kernels.names())


@pytest.mark.parametrize("size", kernels.SIZES)
@pytest.mark.parametrize("name", kernels.names())
def test_shape_dtype_and_copy(name, size):
    k = kernels.get(name, size)
    assert k.shape == (size, size) and k.dtype == np.float64
    k[...] = 99.0
    assert not np.any(kernels.get(name, size) == 99.0), "get must return a copy"


@pytest.mark.parametrize("size", kernels.SIZES)
def test_sums(size):
    for name in ZERO_SUM:
        assert abs(kernels.get(name, size).sum()) < 1e-12, name
    for name in ONE_SUM:
        assert abs(kernels.get(name, size).sum() - 1.0) < 1e-12, name


@pytest.mark.parametrize("size", kernels.SIZES)
def test_symmetries(size):
    for name in SYMMETRIC:
        k = kernels.get(name, size)
        assert np.array_equal(k, rot180(k)), name
    sx, sy = kernels.get("sobel_x", size), kernels.get("sobel_y", size)
    assert np.array_equal(sy, sx.T)
    assert np.array_equal(rot180(sx), -sx)
    assert np.array_equal(kernels.get("line_vertical", size),
                          kernels.get("line_horizontal", size).T)


def test_known_values():
    assert np.array_equal(kernels.get("sobel_x"), [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    assert np.array_equal(kernels.get("laplacian"), [[0, 1, 0], [1, -4, 1], [0, 1, 0]])
    g5 = kernels.get("gaussian", 5)
    b = np.array([1, 4, 6, 4, 1]) / 16
    assert np.allclose(g5, np.outer(b, b))
    # sharpen is what its description says: identity minus the Laplacian (3x3: the
    # classic [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]; 5x5: a quarter of its Laplacian)
    assert np.array_equal(kernels.get("sharpen"), [[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    assert np.allclose(kernels.get("sharpen"),
                       kernels.get("identity") - kernels.get("laplacian"))
    assert np.allclose(kernels.get("sharpen", 5),
                       kernels.get("identity", 5) - kernels.get("laplacian", 5) / 4)
    assert "identity minus the Laplacian" in kernels.describe("sharpen")
    assert kernels.get("sharpen", 5)[2, 2] == kernels.get("sharpen")[1, 1] == 5


@pytest.mark.parametrize("size", kernels.SIZES)
def test_sobel_finds_edges_of_its_orientation(size):
    horizontal, vertical = step(0), step(1)
    sx, sy = kernels.get("sobel_x", size), kernels.get("sobel_y", size)
    assert np.abs(correlate2d(vertical, sx)).max() > 1.0
    assert np.abs(correlate2d(horizontal, sx)).max() == 0.0
    assert np.abs(correlate2d(horizontal, sy)).max() > 1.0
    assert np.abs(correlate2d(vertical, sy)).max() == 0.0
    # positive where the image gets brighter to the right / downwards
    assert correlate2d(vertical, sx).max() > 0 and correlate2d(vertical, sx).min() == 0


@pytest.mark.parametrize("size", kernels.SIZES)
def test_laplacian_is_zero_on_ramps_and_signs_spots(size):
    ramp = np.add.outer(np.arange(9.0), 2 * np.arange(9.0))
    assert np.allclose(correlate2d(ramp, kernels.get("laplacian", size)), 0.0)
    spot = np.zeros((9, 9))
    spot[4, 4] = 1.0
    centre = correlate2d(spot, kernels.get("laplacian", size), mode="same")[4, 4]
    assert centre < 0  # bright spot on dark: negative, as described
    assert "negative on a bright spot" in kernels.describe("laplacian")


@pytest.mark.parametrize("name", ONE_SUM)
def test_one_sum_filters_keep_flat_regions(name):
    flat = np.full((8, 8), 0.7)
    assert np.allclose(correlate2d(flat, kernels.get(name)), 0.7)


def test_identity_copies_and_matches_scipy():
    rng = np.random.default_rng(0)
    img = rng.normal(size=(7, 8))
    assert np.allclose(correlate2d(img, kernels.get("identity")), img[1:-1, 1:-1])
    for name in kernels.names():
        k = kernels.get(name, 5)
        assert np.allclose(correlate2d(img, k), signal.correlate2d(img, k, mode="valid"))


def test_matching():
    for name in kernels.names():
        for size in kernels.SIZES:
            got = kernels.matching(kernels.get(name, size))
            # "zeros" and nothing else is all zeros; every preset is distinct
            assert got == name
    assert kernels.matching(np.ones((3, 3))) is None
    assert kernels.matching(np.ones((4, 4))) is None
    assert kernels.matching(np.ones(3)) is None
    k = kernels.get("sobel_x")
    k[0, 0] += 1e-6
    assert kernels.matching(k) is None


def test_descriptions_and_titles():
    for name in kernels.names():
        assert len(kernels.describe(name)) > 20
        assert kernels.title(name)
    assert "horizontal edge" in kernels.describe("sobel_y")
    assert "vertical edge" in kernels.describe("sobel_x")


def test_bad_input_names_expected_and_actual():
    with pytest.raises(ValueError, match="'sobel'"):
        kernels.get("sobel")
    with pytest.raises(ValueError, match="size must be 3 or 5.*got 4"):
        kernels.get("sobel_x", 4)
    with pytest.raises(ValueError, match="size must be 3 or 5"):
        kernels.get("sobel_x", True)
    with pytest.raises(ValueError, match="'nope'"):
        kernels.describe("nope")


def test_presets_are_read_only():
    with pytest.raises(ValueError):
        kernels.PRESETS["sobel_x"].k3[0, 0] = 5.0
