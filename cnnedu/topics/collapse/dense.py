"""Dense nodes: a stack of affine layers folds into one, ``x -> M x + B``, at any depth.

Holds :func:`collapse_dense` and :func:`run_dense`, and their shared input check. The
public face is :mod:`cnnedu.topics.collapse` (import from there); the algebra is in its notes.
"""
from __future__ import annotations

from cnnedu.nn import activations as _activations
from cnnedu._validate import as_float_array, describe

__all__ = ["collapse_dense", "run_dense"]


def _dense_lists(weights, biases, func):
    if not isinstance(weights, (list, tuple)) or not isinstance(biases, (list, tuple)):
        raise TypeError(f"{func}: weights and biases must be lists (one entry per layer); "
                        f"got {describe(weights)} and {describe(biases)}")
    if len(weights) != len(biases) or not weights:
        raise ValueError(f"{func}: need one bias per weight and at least one layer; got "
                         f"{len(weights)} weights and {len(biases)} biases")
    ms = [as_float_array(m, f"weights[{i}]", func) for i, m in enumerate(weights)]
    bs = [as_float_array(b, f"biases[{i}]", func) for i, b in enumerate(biases)]
    scalar = all(m.ndim == 0 for m in ms) and all(b.ndim == 0 for b in bs)
    if not scalar:
        for i, (m, b) in enumerate(zip(ms, bs)):
            if m.ndim != 2 or b.ndim != 1 or b.shape[0] != m.shape[0]:
                raise ValueError(f"{func}: layer {i} must have m of shape (out, in) and b of "
                                 f"shape (out,); got m {m.shape} and b {b.shape}")
            if i and m.shape[1] != ms[i - 1].shape[0]:
                raise ValueError(f"{func}: layer {i} expects {m.shape[1]} inputs but layer "
                                 f"{i - 1} gives {ms[i - 1].shape[0]} outputs")
    return ms, bs, scalar


def collapse_dense(weights, biases):
    r"""The single affine map ``x -> M x + B`` equal to a stack of affine layers.

    Parameters
    ----------
    weights : list of float or ndarray, shape (out_l, in_l)
        ``m_0, m_1, ...`` in the order the input meets them.
    biases : list of float or ndarray, shape (out_l,)

    Returns
    -------
    M : float array (0-D) or ndarray, shape (out_last, in_0)
    B : float array (0-D) or ndarray, shape (out_last,)

    Notes
    -----
    Folding one layer at a time, from :math:`M = m_0, B = b_0`:

    .. math::

        M \leftarrow m_l M, \qquad B \leftarrow m_l B + b_l

    so for two layers :math:`M = m_1 m_0` and :math:`B = m_1 b_0 + b_1`.

    >>> import numpy as np
    >>> M, B = collapse_dense([np.eye(2) * 2, np.ones((1, 2))], [np.zeros(2), np.array([1.0])])
    >>> M, B
    (array([[2., 2.]]), array([1.]))
    """
    ms, bs, _ = _dense_lists(weights, biases, "collapse_dense")
    M, B = ms[0], bs[0]
    for m, b in zip(ms[1:], bs[1:]):
        M, B = m @ M if m.ndim else m * M, (m @ B if m.ndim else m * B) + b
    return M, B


def run_dense(weights, biases, x, activation: str = "identity"):
    """Run the affine layers one after the other on ``x``: ``x <- f(m x + b)``.

    ``activation`` (a name from :data:`cnnedu.nn.activations.NAMES`) is applied between the
    layers, not after the last. ``x`` is a scalar, shape (in_0,), or a batch (in_0, N).

    >>> float(run_dense([2.0, 3.0], [1.0, -4.0], 5.0))
    29.0
    """
    ms, bs, scalar = _dense_lists(weights, biases, "run_dense")
    act = _activations.get(activation)
    x = as_float_array(x, "x", "run_dense")
    if not scalar and (x.ndim not in (1, 2) or x.shape[0] != ms[0].shape[1]):
        raise ValueError(f"run_dense: x must have shape ({ms[0].shape[1]},) or "
                         f"({ms[0].shape[1]}, N); got {x.shape}")
    for i, (m, b) in enumerate(zip(ms, bs)):
        x = (m @ x + (b[:, None] if x.ndim == 2 else b)) if m.ndim else m * x + b
        if i < len(ms) - 1:
            x = act.forward(x)
    return x
