"""Every widget's saved output carries a still picture (image/png) beside the widget view
and the stable text line, so a reader without a kernel sees what it looks like."""
import base64
import io

import pytest
from PIL import Image

from cnnedu.widgets._base import LiveWidget, MessageLine

WIDGETS = [
    ("cnnedu.widgets.filter_explorer", "FilterExplorer"),
    ("cnnedu.widgets.shape_calculator", "ShapeCalculator"),
    ("cnnedu.widgets.channel_explorer", "ChannelExplorer"),
    ("cnnedu.widgets.variance_meter", "VarianceMeter"),
    ("cnnedu.widgets.activation_explorer", "ActivationExplorer"),
    ("cnnedu.widgets.gradient_flow", "GradientFlowExplorer"),
    ("cnnedu.widgets.filter_learning", "FilterLearningPlayer"),
    ("cnnedu.widgets.train_and_watch", "TrainAndWatch"),
]


@pytest.mark.parametrize("module, name", WIDGETS, ids=[w[1] for w in WIDGETS])
def test_saved_output_has_a_still_picture(module, name):
    cls = getattr(__import__(module, fromlist=[name]), name)
    w = cls()
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "JupyterLab" in bundle["text/plain"]
    im = Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))
    assert im.format == "PNG" and im.width >= 300 and im.height >= 100
    # the picture shows the panels: not a blank card
    grey = im.convert("L")
    assert grey.getextrema()[0] < 128
    assert len(w.panels()) >= 1


def test_a_widget_without_pictures_has_no_still():
    import ipywidgets as W

    class Bare(LiveWidget):
        def __init__(self):
            self.message = MessageLine()
            self.widget = W.VBox([W.Button(description="go"), self.message.widget])

    bundle = Bare()._repr_mimebundle_()
    assert "image/png" not in bundle and "text/plain" in bundle


def test_problem_messages_use_the_theme_error_colour():
    m = MessageLine()
    m.error("x")
    assert "var(--jp-error-color1" in m.widget.value


def test_the_note_fits_on_a_narrow_card():
    from PIL import ImageFont

    from cnnedu.viz.render import to_png
    from cnnedu.viz.snapshot import NOTE, tile_pngs
    png = tile_pngs([("one", to_png([[0.0, 1.0]], min_size=20))])
    im = Image.open(io.BytesIO(png))
    assert im.width >= ImageFont.load_default(size=15).getlength(NOTE)
