"""The registry of the notebook series: one entry per notebook, in order.

``tools/nbframe.py`` reads it to generate the navigation cells, the README list and the
series map, so a title or a link is written once, here.

>>> [n.number for n in NOTEBOOKS][:3]
['00', '01', '02']
>>> by_number("01").file
'01_filters_as_templates.ipynb'
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Notebook", "NOTEBOOKS", "by_number"]


@dataclass(frozen=True)
class Notebook:
    number: str
    file: str
    title: str
    minutes: int
    summary: str


NOTEBOOKS: tuple[Notebook, ...] = (
    Notebook("00", "00_introduction.ipynb", "Introduction", 15,
             "why convolution, a conv layer as volumes, who the series is for, how to use "
             "it, the questions it answers, a map, and a numpy self-check"),
    Notebook("01", "01_filters_as_templates.ipynb", "Filters as templates", 60,
             "the sliding dot product, correlation vs convolution, template matching, "
             "hand-made filters, a live filter explorer, a filter learned; you write "
             "correlation, NCC, a designed and a learned filter"),
    Notebook("02", "02_the_convolutional_layer.ipynb", "The convolutional layer", 90,
             "weights, biases and channels; shapes, stride and padding; pooling; the "
             "receptive field; the layer as one matrix product; why convolution beats a "
             "dense layer on pixels; you write the forward pass"),
    Notebook("03", "03_initializing_filters.ipynb", "Initializing filters", 60,
             "constants and symmetry, Glorot, He, LeCun, the PyTorch and Keras defaults "
             "derived, and the scale of activations and gradients through depth; you "
             "derive the initializers and run the symmetry experiment"),
    Notebook("04", "04_activations_and_the_linear_collapse.ipynb",
             "Activations and the linear collapse", 90,
             "why stacked linear conv layers (strided too) collapse into one, and how a "
             "ReLU breaks it; depth changes training, not what a linear net represents; "
             "you collapse the layers and break the collapse"),
    Notebook("05", "05_backpropagation_through_a_convolution.ipynb",
             "Backpropagation through a convolution", 90,
             "dW, dX and db derived by hand, the 180-degree rotation, stride, padding and "
             "channels, the whole layer as loops and as im2col, max-pool backward, gradient "
             "checking"),
    Notebook("06", "06_learning_filters.ipynb", "Learning filters", 90,
             "training a small CNN on handwritten digits with your own conv layer and "
             "training loop, and watching its filters become templates"),
)


def by_number(number: str) -> Notebook:
    """The registry entry for notebook ``number`` (``"00"``, ``"01"``, ...)."""
    for nb in NOTEBOOKS:
        if nb.number == number:
            return nb
    known = ", ".join(n.number for n in NOTEBOOKS)
    raise ValueError(f"by_number: no notebook {number!r}; the series has {known}")
