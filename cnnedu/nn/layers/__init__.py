r"""Layers of a small CNN, each a forward/backward pair: Conv2D, Activation, MaxPool2D,
Flatten, Dense, and Sequential to chain them.

Every layer has

- ``forward(x)`` (also ``layer(x)``): computes ``y`` and caches what backward needs;
- ``backward(dy)``: returns ``dx`` and writes the parameter gradients into ``grads``
  (overwriting them: gradients are not accumulated across calls); a layer with
  parameters whose ``needs_input_grad`` is False skips ``dx`` and returns ``None``
  (:class:`Sequential` does so for its first layer unless ``model.needs_input_grad``);
- ``params`` and ``grads``: dicts ``{"w": ..., "b": ...}`` with the same keys and shapes
  (empty for layers without parameters). The arrays are updated in place, so a reference
  taken once stays current; ``n_params`` counts the numbers in ``params``.

The loss (:func:`softmax_cross_entropy`), the optimizer (:class:`SGD`) and the training
helpers (:func:`fit`, :func:`train_epoch`, :func:`accuracy`, :func:`evaluate`) live in
:mod:`cnnedu.nn.losses` and :mod:`cnnedu.nn.optim` and are re-exported here.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> model = Sequential(
...     Conv2D(1, 16, 3, padding=1, rng=rng), Activation("relu"), MaxPool2D(2),
...     Flatten(), Dense(16 * 4 * 4, 10, rng=rng))
>>> model
Sequential(
  (0): Conv2D(C=1, F=16, k=3, stride=1, padding=1)
  (1): Activation('relu')
  (2): MaxPool2D(size=2, stride=2)
  (3): Flatten()
  (4): Dense(in_features=256, out_features=10)
)
>>> model.n_params
2730
>>> x = rng.random((5, 1, 8, 8))
>>> logits = model.forward(x)
>>> loss, dlogits = softmax_cross_entropy(logits, np.array([0, 1, 2, 3, 4]))
>>> print(model.backward(dlogits))  # the first layer's dx is not needed for training
None
>>> model.needs_input_grad = True
>>> dx = model.backward(dlogits)
>>> logits.shape, dx.shape, model[0].grads["w"].shape
((5, 10), (5, 1, 8, 8), (16, 1, 3, 3))
"""
from __future__ import annotations

from cnnedu.nn.layers._base import Layer
from cnnedu.nn.layers.params import Conv2D, Dense
from cnnedu.nn.layers.simple import Activation, Flatten
from cnnedu.nn.losses import SoftmaxCrossEntropy, softmax, softmax_cross_entropy
from cnnedu.nn.optim import SGD, accuracy, evaluate, fit, train_epoch
from cnnedu.nn.layers.pooling import MaxPool2D
from cnnedu.nn.layers.sequential import Sequential

__all__ = [
    "Layer", "Conv2D", "Activation", "MaxPool2D", "Flatten", "Dense", "Sequential",
    "softmax", "softmax_cross_entropy", "SoftmaxCrossEntropy",
    "SGD", "fit", "train_epoch", "accuracy", "evaluate",
]
