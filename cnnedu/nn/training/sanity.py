r"""Checks before training and results over several seeds.

- :func:`initial_loss`: an untrained classifier over ``K`` classes should score about
  :math:`\ln K` (it has no preference yet: :math:`-\ln \frac{1}{K}`);
- :func:`overfit_tiny_batch`: a network that can learn at all drives a handful of
  training images to 100% (CS231n's two sanity checks before a long run);
- :func:`over_seeds`: the same training run for several seeds, so that a claim is made
  about the spread, not about one lucky run.

Import these from the public face, :mod:`cnnedu.nn.training`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnedu._validate import describe, integer
from cnnedu.nn.losses import softmax_cross_entropy
from cnnedu.nn.optim import evaluate
from cnnedu.nn.training.loop import _check_data, train


def initial_loss(model, x, y) -> float:
    """The mean softmax cross-entropy of ``model`` on ``(x, y)``, before any training.

    >>> from cnnedu.nn.training import build_cnn
    >>> x = np.random.default_rng(0).random((50, 1, 8, 8))
    >>> y = np.arange(50) % 10
    >>> bool(abs(initial_loss(build_cnn(seed=0), x, y) - np.log(10)) < 0.2)
    True
    """
    x, y = _check_data(x, y, "batch", "initial_loss")
    dt = model[0].params["w"].dtype
    loss, _ = softmax_cross_entropy(model.forward(x.astype(dt, copy=False)), y)
    return float(loss)


def overfit_tiny_batch(x, y, *, n: int = 20, epochs: int = 30, **kwargs):
    """Train on the first ``n`` images only, one batch per epoch; return the :func:`train` run.

    ``history["accuracy"]`` should reach 1.0: if a network cannot memorise 20 images, the
    bug is in the network or its gradients, not in the data.
    """
    x, y = _check_data(x, y, "train", "overfit_tiny_batch")
    n = integer(n, "n", "overfit_tiny_batch", minimum=1, maximum=len(x))
    kwargs.setdefault("batch_size", n)
    return train(x[:n], y[:n], epochs=epochs, snapshot_epochs=(), **kwargs)


@dataclass
class SeedRuns:
    """What :func:`over_seeds` returns: one row per seed.

    Attributes
    ----------
    seeds : tuple of int
    val_accuracy : ndarray, shape (S, epochs)
        Validation accuracy after every epoch.
    loss : ndarray, shape (S, epochs)
        Training loss (running average over each epoch).
    test_accuracy : ndarray, shape (S,)
        Scored once, at the end (only with test data, else NaN).
    runs : list of TrainResult
    """

    seeds: tuple
    val_accuracy: np.ndarray
    loss: np.ndarray
    test_accuracy: np.ndarray
    runs: list

    def summary(self, what: str = "test_accuracy") -> tuple[float, float, float]:
        """``(mean, min, max)`` of the final value over the seeds."""
        a = np.asarray(getattr(self, what))
        final = a[:, -1] if a.ndim == 2 else a
        return float(final.mean()), float(final.min()), float(final.max())


def over_seeds(x_train, y_train, x_val, y_val, x_test=None, y_test=None, *,
               seeds=(0, 1, 2, 3, 4), reuse=None, **kwargs) -> SeedRuns:
    """:func:`train` once per seed (initial weights and batch order both change).

    ``kwargs`` go to :func:`train` (``epochs``, ``init``, ...); the test set, if given,
    is scored once per run, after its last epoch. ``reuse``: a dict seed -> a
    :func:`train` result already computed with the same arguments (it is used instead of
    training that seed again; its number of epochs must match).

    >>> from cnnedu.data.synthetic import make_bars
    >>> x, y = make_bars(48, size=12, seed=0)
    >>> r = over_seeds(x, y, x, y, seeds=(0, 1), epochs=2, n_filters=2, pool=3)
    >>> r.val_accuracy.shape, r.seeds
    ((2, 2), (0, 1))
    """
    try:
        seeds = tuple(integer(s, "seed", "over_seeds", minimum=0) for s in seeds)
    except TypeError:
        raise TypeError(f"over_seeds: seeds must be integers >= 0; got {describe(seeds)}") from None
    if not seeds:
        raise ValueError("over_seeds: give at least one seed")
    if (x_test is None) != (y_test is None):
        raise ValueError("over_seeds: give both x_test and y_test, or neither")
    kwargs.setdefault("snapshot_epochs", ())
    reuse = dict(reuse or {})
    runs, test = [], []
    for s in seeds:
        r = reuse.get(s)
        if r is None:
            r = train(x_train, y_train, x_val, y_val, seed=s, **kwargs)
        elif len(r.history["loss"]) != kwargs.get("epochs", 15):
            raise ValueError(f"over_seeds: the run reused for seed {s} has "
                             f"{len(r.history['loss'])} epochs; expected "
                             f"{kwargs.get('epochs', 15)}")
        runs.append(r)
        if x_test is None:
            test.append(np.nan)
        else:
            dt = r.model[0].params["w"].dtype
            test.append(evaluate(r.model, np.asarray(x_test, dtype=dt), y_test)[1])
    return SeedRuns(seeds, np.array([r.history["val_accuracy"] for r in runs]),
                    np.array([r.history["loss"] for r in runs]), np.array(test), runs)
