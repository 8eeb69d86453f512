r"""Training a small CNN end to end with the layers the series teaches: build, train,
snapshot, inspect.

The network is the smallest one that shows every idea of the series at work::

    Conv2D(C, F, k, padding=k // 2) -> ReLU -> MaxPool2D(pool) -> Flatten -> Dense(D, K)

a :class:`~cnnedu.nn.layers.Sequential` of :mod:`cnnedu.nn.layers` built by
:func:`build_cnn`, trained by softmax cross-entropy and SGD with momentum
(:class:`cnnedu.nn.optim.SGD`, PyTorch's update rule) through
:func:`cnnedu.nn.optim.fit`. There is one training path: :func:`train` calls ``fit`` and
keeps snapshots of the filters; :class:`Trainer` steps the same run one batch at a time
(the widget drives it). :func:`build_mlp` is the dense baseline.

Parts (every name is importable from here): the builders in
:mod:`~cnnedu.nn.training.model`, the loop in :mod:`~cnnedu.nn.training.loop`, looking
inside a network in :mod:`~cnnedu.nn.training.inspection`, the checks before training and
runs over seeds in :mod:`~cnnedu.nn.training.sanity`, and the layer that runs the
learner's own convolution in :mod:`~cnnedu.nn.training.own_layer`.

>>> from cnnedu.data import load_digits, train_test_split
>>> x, y = load_digits()
>>> x_tr, x_val, y_tr, y_val = train_test_split(x, y, 0.2, seed=0)
>>> run = train(x_tr, y_tr, x_val, y_val, epochs=2, seed=0)
>>> len(run.history["loss"]), run.history["val_accuracy"][-1] > 0.8
(2, True)
>>> sorted(run.snapshots)
[0, 1, 2]
"""
from __future__ import annotations

from cnnedu.nn.training.inspection import (GradientLevel, feature_maps, filter_spread,
                                        gradient_chain, top_patches)
from cnnedu.nn.training.loop import Trainer, TrainResult, train
from cnnedu.nn.training.model import (CONSTANT_VALUE, INIT_LABELS, INITIALIZERS, build_cnn,
                                      build_mlp, seed_rng)
from cnnedu.nn.training.own_layer import OwnConv2D, with_own_conv
from cnnedu.nn.training.sanity import SeedRuns, initial_loss, over_seeds, overfit_tiny_batch

__all__ = [
    "INITIALIZERS", "INIT_LABELS", "CONSTANT_VALUE", "build_cnn", "build_mlp", "seed_rng",
    "Trainer", "TrainResult", "train", "gradient_chain", "GradientLevel", "filter_spread",
    "feature_maps", "top_patches", "initial_loss", "overfit_tiny_batch", "over_seeds",
    "SeedRuns", "OwnConv2D", "with_own_conv",
]
