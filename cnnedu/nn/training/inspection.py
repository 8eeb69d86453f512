r"""Looking inside a :func:`build_cnn` network: the chain of gradients of one batch, how far
its filters are from identical, its feature maps, and the input patches that excite a
filter most.

Import these from the public face, :mod:`cnnedu.nn.training`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnedu._validate import as_float_array, describe, integer
from cnnedu.nn.losses import softmax_cross_entropy
from cnnedu.nn.training.loop import _check_data
from cnnedu.nn.training.model import _parts


@dataclass
class GradientLevel:
    r"""One level of :func:`gradient_chain`: what it is, its gradient, and its size.

    ``rms`` is the root mean square per entry, :math:`\sqrt{\frac{1}{n}\sum g_i^2}`: it
    compares levels of different sizes (a norm grows with the number of entries).
    """

    name: str
    question: str
    shape: tuple
    grad: np.ndarray

    @property
    def norm(self) -> float:
        return float(np.linalg.norm(self.grad))

    @property
    def rms(self) -> float:
        return float(np.sqrt(np.mean(np.square(self.grad))))


def gradient_chain(model, x, y) -> tuple[float, list[GradientLevel]]:
    """Follow one batch's gradient from the loss back to the filters, layer by layer.

    The levels answer the backward questions in order: how does the loss change with the
    class scores; which features (the pooled maps the dense layer reads) would lower it;
    which feature maps (conv outputs, before ReLU); which filter weights and biases make
    those maps. It is ``model.backward`` taken one layer at a time; nothing is updated,
    and the model's gradients are left as they were.

    Returns
    -------
    loss : float
    levels : list of GradientLevel
        ``"scores"`` (N, K), ``"features"`` (N, D), ``"feature maps"`` (N, F, H, W),
        ``"filter weights"`` (F, C, k, k), ``"filter biases"`` (F,), and the dense
        layer's ``"dense weights"`` (K, D).

    >>> from cnnedu.nn.training import build_cnn
    >>> x = np.random.default_rng(0).random((4, 1, 8, 8))
    >>> loss, levels = gradient_chain(build_cnn(seed=0), x, np.array([0, 1, 2, 3]))
    >>> [lv.shape for lv in levels][:3]
    [(4, 10), (4, 256), (4, 16, 8, 8)]
    """
    conv, _, dense = _parts(model, "gradient_chain")
    x, y = _check_data(x, y, "batch", "gradient_chain")
    saved = {k: g.copy() for k, g in model.grads.items()}
    logits = model.forward(x.astype(conv.params["w"].dtype, copy=False))
    loss, dlogits = softmax_cross_entropy(logits, y)
    dfeat = model[4].backward(dlogits)
    dpooled = model[3].backward(dfeat)
    dmaps = model[1].backward(model[2].backward(dpooled))     # through the pool, the ReLU
    conv.backward(dmaps)
    levels = [
        GradientLevel("scores", "how can I lower the loss? change the class scores",
                      dlogits.shape, dlogits),
        GradientLevel("features", "which features would do it?", dfeat.shape, dfeat),
        GradientLevel("feature maps", "which conv outputs make those features?",
                      dmaps.shape, dmaps),
        GradientLevel("filter weights", "which filter weights make those maps?",
                      conv.grads["w"].shape, conv.grads["w"].copy()),
        GradientLevel("filter biases", "and which biases?", conv.grads["b"].shape,
                      conv.grads["b"].copy()),
        GradientLevel("dense weights", "(the dense layer's own weights)",
                      dense.grads["w"].shape, dense.grads["w"].copy()),
    ]
    for key, g in model.grads.items():  # leave the model's gradients as they were
        g[...] = saved[key]
    return float(loss), levels


def filter_spread(w) -> float:
    r"""How far the filters are from all being one filter: the RMS per entry of
    ``w[f] - w[0]``, each filter's difference from the first.

    .. math::

        \sqrt{\frac{1}{F\,C\,k_h k_w} \sum_{f, c, u, v} (w[f, c, u, v] - w[0, c, u, v])^2}

    Exactly 0 when every filter is the same filter (a difference of equal numbers is 0;
    a mean would not be, by rounding). Works on weights ``(F, C, k, k)`` and on their
    gradients.

    >>> filter_spread(np.ones((4, 1, 3, 3)))
    0.0
    >>> filter_spread(np.array([[[[1.0]]], [[[-1.0]]], [[[1.0]]], [[[1.0]]]]))
    1.0
    """
    w = as_float_array(w, "w", "filter_spread")
    if w.ndim < 2 or w.shape[0] < 1:
        raise ValueError(f"filter_spread: w must have shape (F, C, kh, kw); got {describe(w)}")
    return float(np.sqrt(np.mean(np.square(w - w[:1]))))


def feature_maps(model, image) -> np.ndarray:
    """The conv layer's maps after ReLU for one image ``(C, H, W)`` (or ``(H, W)``): ``(F, H, W)``."""
    img = as_float_array(image, "image", "feature_maps")
    if img.ndim == 2:
        img = img[None]
    if img.ndim != 3:
        raise ValueError(f"feature_maps: image must have shape (C, H, W) or (H, W); got {describe(img)}")
    conv = _parts(model, "feature_maps")[0]
    return np.maximum(conv.forward(img[None].astype(conv.params["w"].dtype)), 0)[0]


def top_patches(model, x, filt: int, n: int = 8):
    r"""The ``n`` input patches (of the filter's size) that excite filter ``filt`` most.

    Every position of every image is a candidate: its response is the conv output
    :math:`z[m, f, i, j] = b[f] + \sum_{c,u,v} x_{pad}[m, c, i+u, j+v]\, w[f, c, u, v]`
    (before ReLU). The patches of the ``n`` largest responses, at most one per image
    (so that one image does not fill the list), are returned with where they came from.

    Parameters
    ----------
    model : a :func:`build_cnn` network
    x : ndarray, shape (N, C, H, W)
    filt : int
    n : int

    Returns
    -------
    patches : ndarray, shape (n, C, kh, kw)
        Cut from the zero-padded images, as the filter sees them.
    responses : ndarray, shape (n,)
        Largest first.
    where : ndarray of int, shape (n, 3)
        ``(image, i, j)`` of each patch (``i, j``: the output position).

    >>> from cnnedu.nn.training import build_cnn
    >>> x = np.random.default_rng(0).random((5, 1, 8, 8))
    >>> p, r, where = top_patches(build_cnn(seed=0), x, filt=2, n=3)
    >>> p.shape, bool(np.all(np.diff(r) <= 0)), len(set(where[:, 0]))
    ((3, 1, 3, 3), True, 3)
    """
    conv = _parts(model, "top_patches")[0]
    x = as_float_array(x, "x", "top_patches")
    if x.ndim != 4 or x.shape[1] != conv.in_channels:
        raise ValueError(f"top_patches: x must have shape (N, C, H, W) with "
                         f"C={conv.in_channels}; got {describe(x)}")
    filt = integer(filt, "filt", "top_patches", minimum=0, maximum=conv.out_channels - 1)
    n = integer(n, "n", "top_patches", minimum=1, maximum=len(x))
    z = conv.forward(x.astype(conv.params["w"].dtype, copy=False))[:, filt]   # (N, H, W)
    conv._cache = None
    best = z.reshape(len(x), -1)
    per_image = best.argmax(axis=1)
    value = best[np.arange(len(x)), per_image]
    order = np.argsort(-value, kind="stable")[:n]
    kh, kw = conv.kernel_size
    ph, pw = conv.padding
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    Wo = z.shape[2]
    where = np.array([(m, per_image[m] // Wo, per_image[m] % Wo) for m in order], dtype=np.int64)
    patches = np.stack([xp[m, :, i:i + kh, j:j + kw] for m, i, j in where])
    return patches, value[order], where
