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
        F.plot_relu_kinks(nonlinear.relu_net_1d(np.linspace(-1, 1, 9), [1.0], [0.0], [1.0])),
        F.plot_learning_order({"one layer": nonlinear.train_deep_linear((2.0, 1.0), depth=1,
                                                                        steps=5)}),
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


def test_a_spike_is_cut_off_and_named_instead_of_squashing_the_log_axis():
    curves = {"calm": np.array([1.0, 0.5, 0.2]), "spiky": np.array([1.0, 50.0, 0.1])}
    fig = F.plot_losses(curves)
    ax = fig.axes[0]
    assert ax.get_ylim()[1] == 5.0
    assert any("spiky spikes to 50 at step 1" in t.get_text() for t in ax.texts)
    assert len(ax.texts) == 1                 # only the curve that went off the scale
    plt.close(fig)
    fig = F.plot_losses({"calm": curves["calm"]})
    assert not fig.axes[0].texts
    plt.close(fig)


def test_dead_relu_loss_panel_has_a_legend_and_coinciding_lines_both_show():
    r = nonlinear.TrainResult([], np.array([1.0, 0.5]), np.array([0.0, 0.5]))
    fig = F.plot_dead_relus({"a": r, "b": r})
    loss_ax = fig.axes[0]
    assert loss_ax.get_legend() is not None
    widths = sorted(line.get_linewidth() for line in loss_ax.get_lines())
    assert widths[0] < widths[-1]          # a thin line drawn over a thick one
    plt.close(fig)


def test_unsigned_maps_take_a_colormap():
    fig = F.plot_maps([np.eye(3)], ["a"], signed=False, cmap="viridis")
    assert fig.axes[0].get_images()[0].get_cmap().name == "viridis"
    plt.close(fig)


def test_every_notebook_figure_keeps_its_text_legible_on_a_projector():
    """At 1024x768 with the file browser open a figure is shown about 580 px wide: every
    text (titles, ticks, legends, annotated numbers) stays at least about 9 px tall there.
    The arguments are those notebook 04 uses."""
    rng = np.random.default_rng(0)
    img, k3, k7 = rng.random((32, 32)), rng.normal(size=(3, 3)), rng.normal(size=(7, 7))
    mode_runs = {name: nonlinear.train_deep_linear((3.0, 1.0, 0.3), depth=d, steps=5)
                 for name, d in (("one matrix", 1), ("three matrices (a product)", 3))}
    dead = nonlinear.TrainResult([], np.array([1.0, 50.0, 0.1]), np.array([0.0, 0.5, 0.5]))
    figs = {
        "curves": F.plot_activation_curves(["relu", "leaky_relu", "sigmoid", "tanh", "gelu"]),
        "maps before/after": F.plot_maps([img] * 7, ["leaky_relu: 0% zeroed"] * 7,
                                         signed=[False] + [True] * 6, ncols=3, size=2.6),
        "kernels": F.plot_maps([k3, k3, k7], ["k2 (x16)", "k2 dilated by s1 = 2 (x16)",
                                              "K: Sobel * dilated k2 (x16)"], signed=True, size=3.3),
        "border": F.plot_maps([k7], ["log10 |stack - single layer|"], signed=False, size=4.6,
                              colorbar=True, cmap="viridis"),
        "three maps": F.plot_maps([img] * 3, ["a", "b", "c"], signed=[True, True, False],
                                  colorbar=True),
        "patch outputs": F.plot_maps([img] * 4, ["patch (14x14)"] * 4, ncols=2, size=2.9,
                                     signed=[False, True, True, True], annotate=False, limit=1.0),
        "dense": F.plot_dense_collapse(np.arange(3.0), np.arange(3.0), np.arange(3.0)),
        "losses": F.plot_losses({"linear stack (no activation)": np.array([1.0, 20.0, 0.5]),
                                 "ReLU stack": np.array([1.0, 0.1, 0.01])}, floor=0.3, title="t"),
        "kinks": F.plot_relu_kinks(nonlinear.relu_net_1d(np.linspace(-1, 1, 9), [1.0], [0.0], [1.0])),
        "order": F.plot_learning_order(mode_runs),
        "depth": F.plot_depth_profiles(
            {"biases 0": [nonlinear.gradient_through_depth("relu", depth=3, size=6)],
             "biases 3: tanh saturates, sigmoid still at most 1/4":
                 [nonlinear.gradient_through_depth("tanh", depth=3, size=6)]}),
        "dead": F.plot_dead_relus({"ReLU, learning rate 0.1": dead,
                                   "leaky ReLU, learning rate 0.1": dead}),
    }
    small = {}
    for name, fig in figs.items():
        px, text = F.smallest_text_px(fig)
        if px < 8.8:
            small[name] = (round(px, 1), text)
        plt.close(fig)
    assert not small, f"text below about 9 px at {F.PAGE_PX} px: {small}"


def test_smallest_text_px_sees_a_shrunk_figure():
    with plt.rc_context({"figure.dpi": 80}):
        fig = plt.figure(figsize=(14.5, 2))            # 1160 px: shown at half size
        fig.text(0.5, 0.5, "tiny", fontsize=11)
    px, text = F.smallest_text_px(fig)
    assert text == "tiny" and abs(px - 11 * 80 / 72 / 2) < 0.05
    plt.close(fig)


def test_the_saved_notebook_figures_are_at_most_about_800_px_wide():
    """The other half of the projector rule, on what notebook 04 actually saved: with 11 pt
    text a figure may be at most about 800 px wide (shrunk to 580 px, 11 pt stays ~9 px)."""
    import base64
    import io
    from pathlib import Path

    import nbformat
    from PIL import Image

    path = Path(__file__).resolve().parents[1] / "notebooks" / "04_activations_and_the_linear_collapse.ipynb"
    nb = nbformat.read(path, as_version=4)
    widths = {}
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" in data and "application/vnd.jupyter.widget-view+json" not in data:
                png = Image.open(io.BytesIO(base64.b64decode(data["image/png"])))
                widths[i] = png.size[0]
    assert len(widths) >= 10
    wide = {i: w for i, w in widths.items() if w > 810}
    assert not wide, f"figures wider than about 800 px (cell: width): {wide}"
