"""cnnedu.viz.figures.volumes: the conv layer drawn as volumes carries the true shapes."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from cnnedu.viz.figures.volumes import box_faces, conv_layer_volumes  # noqa: E402


def texts(fig):
    return " ".join(t.get_text().replace("\n", " ") for t in fig.axes[0].texts)


def test_the_labels_are_the_shapes():
    fig = conv_layer_volumes(3, 256, 256, 20, 5, 5, padding=2)
    t = texts(fig)
    assert "(C, H, W) = (3, 256, 256)" in t
    assert "(20, 3, 5, 5)" in t and "bias b: (20,)" in t
    assert "(F, H_out, W_out) = (20, 256, 256)" in t
    assert "75 products" in t
    assert fig.axes[0].get_title()
    plt.close(fig)


def test_h_out_comes_from_the_formula_with_stride_and_non_square_input():
    fig = conv_layer_volumes(1, 28, 30, 8, 3, 5, stride=2)
    t = texts(fig)
    assert "(8, 13, 13)" in t          # (28 - 3) // 2 + 1 = 13, (30 - 5) // 2 + 1 = 13
    assert "(28 + 2*0 - 3) // 2 + 1 = 13" in t
    plt.close(fig)


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="F"):
        conv_layer_volumes(3, 32, 32, 0, 3, 3)
    with pytest.raises(TypeError):
        conv_layer_volumes(3, 32.0, 32, 4, 3, 3)
    with pytest.raises(ValueError):
        conv_layer_volumes(3, 4, 4, 2, 5, 5)          # the kernel does not fit


def test_box_faces_share_edges():
    front, top, side = box_faces(1.0, 2.0, 3.0, 4.0, 2.0)
    assert (front[2] == top[1]).all() and (front[1] == side[0]).all()
