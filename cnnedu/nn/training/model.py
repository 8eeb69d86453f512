"""The small CNN of the training notebook (its builder and its initializers) and the dense baseline.

:func:`build_cnn` makes ``Conv2D -> ReLU -> MaxPool2D -> Flatten -> Dense`` from
:mod:`cnnedu.nn.layers`; :func:`_parts` checks that a model has that shape and hands back its
layers; :func:`build_mlp` is the plain dense network it is compared with. Import these from the public face, :mod:`cnnedu.nn.training`.
"""
from __future__ import annotations

import numpy as np

from cnnedu.nn import init as _init
from cnnedu._validate import check_choice, describe, integer
from cnnedu.nn.layers import Activation, Conv2D, Dense, Flatten, MaxPool2D, Sequential

#: The initializers compared in notebook 06, in display order.
INITIALIZERS = ("constant", "glorot_uniform", "he_normal", "pytorch_default")
INIT_LABELS = {
    "constant": "constant (every weight 0.05)",
    "glorot_uniform": "Glorot uniform",
    "he_normal": "He normal",
    "pytorch_default": "PyTorch default",
}
#: The value of every weight under ``init="constant"`` (biases start at 0).
CONSTANT_VALUE = 0.05


def _constant(shape, rng=None):
    return _init.constant(shape, value=CONSTANT_VALUE)


def seed_rng(seed, func: str) -> np.random.Generator:
    """``seed`` as a generator: a ``numpy.random.Generator`` as it is, an integer >= 0 seeds one.

    >>> seed_rng(-1, "train")
    Traceback (most recent call last):
    ...
    ValueError: train: seed must be an integer >= 0 or a numpy.random.Generator; got -1
    """
    if isinstance(seed, np.random.Generator):
        return seed
    seed = integer(seed, "seed", func, minimum=0,
                   expected="an integer >= 0 or a numpy.random.Generator")
    return np.random.default_rng(seed)


def build_cnn(init: str = "pytorch_default", *, n_filters: int = 16, kernel_size: int = 3,
              image_size: int = 8, in_channels: int = 1, pool: int = 2, n_classes: int = 10,
              seed=0, dtype=np.float64, dense_init: str | None = None) -> Sequential:
    """The small CNN: conv (``padding = k // 2``, so maps keep their size) -> ReLU -> max pool -> dense.

    Parameters
    ----------
    init : str
        ``"constant"`` (every weight :data:`CONSTANT_VALUE`, biases 0) or any name of
        :data:`cnnedu.nn.init.NAMES` (``"glorot_uniform"``, ``"he_normal"``,
        ``"pytorch_default"``, ...), used for both layers (unless ``dense_init`` is
        given), with its matching bias.
    n_filters : int
        ``F``, the number of filters.
    kernel_size : int
        ``k`` (odd).
    image_size : int
        ``H = W`` of the input; ``pool`` must divide it.
    in_channels : int
        ``C``.
    pool : int
        Max-pool window (and stride). ``pool = image_size`` pools each map to one number.
    n_classes : int
        ``K``.
    seed : int >= 0 or numpy.random.Generator
        Draws the conv weights first, then the dense ones.
    dtype : float64 or float32
    dense_init : str, optional
        Another initializer for the dense layer only (``build_cnn("constant",
        dense_init="pytorch_default")``: identical filters read by a random dense layer).

    Returns
    -------
    model : cnnedu.nn.layers.Sequential
        ``x`` ``(N, C, H, W)`` -> logits ``(N, K)``; the dense layer reads
        ``D = F * (H // pool) * (W // pool)`` features.

    >>> build_cnn(n_filters=8).n_params
    1370
    >>> m = build_cnn("constant")
    >>> float(m[0].params["w"].std()), float(m[4].params["w"].min())
    (0.0, 0.05)
    """
    func = "build_cnn"
    F = integer(n_filters, "n_filters", func, minimum=1)
    k = integer(kernel_size, "kernel_size", func, minimum=1)
    if k % 2 == 0:
        raise ValueError(f"{func}: kernel_size must be odd (so padding k // 2 keeps the size); got {k}")
    H = integer(image_size, "image_size", func, minimum=1)
    C = integer(in_channels, "in_channels", func, minimum=1)
    p = integer(pool, "pool", func, minimum=1)
    K = integer(n_classes, "n_classes", func, minimum=2)
    if H % p:
        raise ValueError(f"{func}: pool must divide image_size; got pool={p}, image_size={H}")
    if not isinstance(init, str):
        raise TypeError(f"{func}: init must be an initializer name; got {describe(init)}")
    names = ("constant",) + tuple(n for n in _init.NAMES if n != "constant")
    check_choice(init, names, "init", func)
    if dense_init is None:
        dense_init = init
    if not isinstance(dense_init, str):
        raise TypeError(f"{func}: dense_init must be an initializer name or None; got "
                        f"{describe(dense_init)}")
    check_choice(dense_init, names, "dense_init", func)
    rng = seed_rng(seed, func)

    def scheme(name):
        return (_constant, "zeros") if name == "constant" else (name, None)

    (w_init, b_init), (d_init, db_init) = scheme(init), scheme(dense_init)
    D = F * (H // p) ** 2
    return Sequential(
        Conv2D(C, F, k, padding=k // 2, init=w_init, bias_init=b_init, rng=rng, dtype=dtype),
        Activation("relu"),
        MaxPool2D(p),
        Flatten(),
        Dense(D, K, init=d_init, bias_init=db_init, rng=rng, dtype=dtype),
    )


def build_mlp(hidden: int = 64, *, image_size: int = 8, in_channels: int = 1,
              n_classes: int = 10, seed=0, dtype=np.float64) -> Sequential:
    """A plain dense network on the pixels: ``Flatten -> Dense(C*H*W, hidden) -> ReLU -> Dense(hidden, K)``.

    The baseline of notebook 06: no convolution, no weight sharing; every hidden unit reads
    every pixel. PyTorch's default initialization (weights and biases).

    >>> m = build_mlp(16)
    >>> m.n_params                      # 64*16 + 16 + 16*10 + 10
    1210
    >>> m.forward(np.zeros((3, 1, 8, 8))).shape
    (3, 10)
    """
    func = "build_mlp"
    Hd = integer(hidden, "hidden", func, minimum=1)
    H = integer(image_size, "image_size", func, minimum=1)
    C = integer(in_channels, "in_channels", func, minimum=1)
    K = integer(n_classes, "n_classes", func, minimum=2)
    rng = seed_rng(seed, func)
    return Sequential(Flatten(), Dense(C * H * H, Hd, rng=rng, dtype=dtype),
                      Activation("relu"), Dense(Hd, K, rng=rng, dtype=dtype))


def _parts(model, func: str):
    """The layers of a :func:`build_cnn` network, or a clear error."""
    ok = (isinstance(model, Sequential) and len(model) == 5
          and isinstance(model[0], Conv2D) and isinstance(model[1], Activation)
          and getattr(model[1], "name", "relu") == "relu" and isinstance(model[2], MaxPool2D)
          and isinstance(model[3], Flatten) and isinstance(model[4], Dense))
    if not ok:
        raise TypeError(f"{func}: model must be a build_cnn network (Conv2D, ReLU, MaxPool2D, "
                        f"Flatten, Dense); got {describe(model)}")
    conv, pool = model[0], model[2]
    if conv.stride != (1, 1) or conv.kernel_size[0] != conv.kernel_size[1] \
            or conv.padding != (conv.kernel_size[0] // 2,) * 2 or pool.size != pool.stride \
            or pool.size[0] != pool.size[1] or "b" not in conv.params:
        raise ValueError(f"{func}: the conv must have stride 1, a square odd kernel, padding "
                         f"k // 2 and a bias, and the pool square non-overlapping windows; got "
                         f"{conv!r} and {pool!r}")
    return conv, pool, model[4]
