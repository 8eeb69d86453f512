r"""Training a small CNN end to end, fast enough to watch: build, train, snapshot, inspect.

The network is the smallest one that shows every idea of the series at work::

    Conv2D(C, F, k, padding=k // 2) -> ReLU -> MaxPool2D(pool) -> Flatten -> Dense(D, K)

built from :mod:`cnnedu.nn.layers` by :func:`build_cnn` and trained by softmax cross-entropy
and SGD with momentum (:class:`cnnedu.nn.optim.SGD`, PyTorch's update rule).

:class:`FastCNN` computes the same forward and backward passes as the layers, on the same
parameter arrays, in one lean function each: channels-last im2col, one GEMM per layer, no
input gradient for the first layer (nothing needs it), no re-validation per batch. It is
what makes 15 epochs on the digits take a fraction of a second (``benchmarks/
bench_training.py`` compares it with PyTorch CPU); the tests check it against the layers.

:class:`Trainer` steps a run one batch, or one epoch, at a time (the widget drives it),
with the same seeded batch order as :func:`cnnedu.nn.optim.fit`; :func:`train` runs it for a
number of epochs and keeps snapshots of the filters. :func:`gradient_chain` follows the
gradient of one batch from the loss back to the filters' weights and biases.

This module is the public face: the builder lives in :mod:`cnnedu.nn.training.model`, the
fused passes in :mod:`cnnedu.nn.training.fastcnn` and the loop in :mod:`cnnedu.nn.training.loop`;
every name is importable from here.

>>> from cnnedu.data import load_digits, train_test_split
>>> x, y = load_digits()
>>> x_tr, x_te, y_tr, y_te = train_test_split(x, y, 0.2, seed=0)
>>> run = train(x_tr, y_tr, x_te, y_te, epochs=2, seed=0)
>>> len(run.history["loss"]), run.history["test_accuracy"][-1] > 0.8
(2, True)
>>> sorted(run.snapshots)
[0, 1, 2]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnedu._validate import as_float_array, describe
from cnnedu.nn.training.fastcnn import FastCNN, _loss, evaluate_fast
from cnnedu.nn.training.loop import Trainer, TrainResult, _check_data, train
from cnnedu.nn.training.model import (
    CONSTANT_VALUE,
    INIT_LABELS,
    INITIALIZERS,
    _parts,
    build_cnn,
    count_parameters,
)

__all__ = [
    "INITIALIZERS", "INIT_LABELS", "CONSTANT_VALUE", "build_cnn", "FastCNN", "Trainer",
    "TrainResult", "train", "evaluate_fast", "gradient_chain", "GradientLevel",
    "filter_spread", "count_parameters", "feature_maps",
]


@dataclass
class GradientLevel:
    """One level of :func:`gradient_chain`: what it is, its gradient and the gradient's norm."""

    name: str
    question: str
    shape: tuple
    grad: np.ndarray

    @property
    def norm(self) -> float:
        return float(np.linalg.norm(self.grad))


def gradient_chain(model, x, y) -> tuple[float, list[GradientLevel]]:
    """Follow one batch's gradient from the loss back to the filters (one backward pass).

    The levels answer the backward questions in order: how does the loss change with the
    class scores; which features (the pooled maps the dense layer reads) would lower it;
    which feature maps (conv outputs, before ReLU); which filter weights and biases make
    those maps. Nothing is updated.

    Returns
    -------
    loss : float
    levels : list of GradientLevel
        ``"scores"`` (N, K), ``"features"`` (N, D), ``"feature maps"`` (N, F, H, W),
        ``"filter weights"`` (F, C, k, k), ``"filter biases"`` (F,), and the dense
        layer's ``"dense weights"`` (K, D).
    """
    net = FastCNN(model)
    x, y = _check_data(x, y, "batch", "gradient_chain")
    saved = {k: g.copy() for k, g in model.grads.items()}
    logits = net.forward(x)
    loss, dlogits = _loss(logits, y)
    inner = net.backward(dlogits, keep=True)
    conv, dense = model[0], model[4]
    levels = [
        GradientLevel("scores", "how can I lower the loss? change the class scores", dlogits.shape, dlogits),
        GradientLevel("features", "which features would do it?", inner["features"].shape, inner["features"]),
        GradientLevel("feature maps", "which conv outputs make those features?",
                      inner["feature_maps"].shape, inner["feature_maps"]),
        GradientLevel("filter weights", "which filter weights make those maps?",
                      conv.grads["w"].shape, conv.grads["w"].copy()),
        GradientLevel("filter biases", "and which biases?", conv.grads["b"].shape, conv.grads["b"].copy()),
        GradientLevel("dense weights", "(the dense layer's own weights)", dense.grads["w"].shape,
                      dense.grads["w"].copy()),
    ]
    for layer_i, layer in enumerate(model):  # leave the model's gradients as they were
        for k in layer.grads:
            layer.grads[k][...] = saved[f"{layer_i}.{k}"]
    return loss, levels


def filter_spread(w) -> float:
    """The largest difference between any filter and the first: ``max |w[f] - w[0]|``.

    0 means every filter is the same filter. Works on weights ``(F, C, k, k)`` and on their
    gradients.

    >>> filter_spread(np.ones((4, 1, 3, 3)))
    0.0
    """
    w = as_float_array(w, "w", "filter_spread")
    if w.ndim < 2 or w.shape[0] < 1:
        raise ValueError(f"filter_spread: w must have shape (F, C, kh, kw); got {describe(w)}")
    return float(np.max(np.abs(w - w[:1])))


def feature_maps(model, image) -> np.ndarray:
    """The conv layer's maps after ReLU for one image ``(C, H, W)`` (or ``(H, W)``): ``(F, H, W)``."""
    img = as_float_array(image, "image", "feature_maps")
    if img.ndim == 2:
        img = img[None]
    if img.ndim != 3:
        raise ValueError(f"feature_maps: image must have shape (C, H, W) or (H, W); got {describe(img)}")
    conv = _parts(model, "feature_maps")[0]
    return np.maximum(conv.forward(img[None].astype(conv.params["w"].dtype)), 0)[0]
