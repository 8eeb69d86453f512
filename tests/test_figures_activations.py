"""Smoke tests for the figures of notebook 04: each draws, with titles, and closes."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from cnnedu.viz.figures import activations as F
from cnnedu.topics import nonlinear# noqa: E402


def test_every_figure_draws_with_titles():
    figs = [
        F.plot_activation_curves(["relu", "sigmoid", "gelu"]),
        F.plot_maps([np.eye(3), -np.eye(3)], ["a", "b"], signed=[False, True], colorbar=True),
        F.plot_maps([np.ones((20, 20))] * 3, ["a", "b", "c"], ncols=2, annotate=False, limit=2.0),
        F.plot_dense_collapse(np.arange(3.0), np.arange(3.0), np.arange(3.0)),
        F.plot_losses({"a": np.array([1.0, 0.5]), "b": np.array([1.0, 0.1])}, floor=0.3, title="t"),
        F.plot_depth_profiles({"x": [nonlinear.gradient_through_depth("tanh", depth=3, size=6)]}),
        F.plot_dead_relus({"r": nonlinear.TrainResult([], np.array([1.0, 0.5]), np.array([0.0, 0.5]))}),
    ]
    for fig in figs:
        titled = [ax for ax in fig.axes if ax.get_title()]
        assert titled, "every figure has titled panels"
        plt.close(fig)


def test_shared_limit_puts_signed_panels_on_one_scale():
    fig = F.plot_maps([np.array([[1.0, -1.0]]), np.array([[3.0, -0.5]])], ["a", "b"],
                      signed=True, limit=4.0, annotate=False)
    clims = [im.get_clim() for ax in fig.axes for im in ax.get_images()]
    assert clims == [(-4.0, 4.0), (-4.0, 4.0)]
    plt.close(fig)
