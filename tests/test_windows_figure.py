"""The window drawings of notebook 02 (cnnedu.viz.windows): raster and vector agree on what
they show; no window is drawn when none fits."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnedu.topics import shapes  # noqa: E402
from cnnedu.viz import windows  # noqa: E402


@pytest.mark.parametrize("kw", [dict(size=6, kernel=3, stride=2, padding=0),
                                dict(size=7, kernel=3, stride=2, padding=1),
                                dict(size=6, kernel=4, stride=1, padding="same"),
                                dict(size=9, kernel=3, stride=1, padding=0, dilation=3)])
def test_vector_drawing_has_one_outline_per_window_and_the_raster_colours(kw):
    fig, ax = plt.subplots()
    out = windows.plot_windows(ax, **kw)
    assert out == shapes.output_size(**kw)
    assert len(ax.patches) == out + 1                      # first-row windows + the last one
    cells = ax.images[0].get_array()
    raster = windows.draw_windows(**kw, cell=20)[10::20, 10::20]   # the centre of each cell
    np.testing.assert_array_equal(np.asarray(cells)[..., :3], raster[..., :3])
    plt.close(fig)


def test_no_window_draws_no_outline_and_no_tap():
    fig, ax = plt.subplots()
    assert windows.plot_windows(ax, 3, 5) == 0
    assert len(ax.patches) == 0
    colours = {tuple(c) for c in np.asarray(ax.images[0].get_array()).reshape(-1, 3)}
    assert (255, 226, 140) not in colours
    plt.close(fig)
    assert windows.draw_no_window(3, 5, padding="same", cell=4).shape == (29, 29, 3)  # 2 + 3 + 2
    assert windows.draw_no_window(3, 5, padding="bogus", cell=4).shape == (13, 13, 3)  # unpadded
