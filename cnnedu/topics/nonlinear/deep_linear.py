r"""Deep linear networks: no more expressive than one layer, but they learn differently.

A stack of linear layers ``W_L ... W_2 W_1`` is one matrix (the collapse), so depth adds
nothing to what it can *represent*. It does change how gradient descent *learns* it
(Saxe, McClelland and Ganguli, 2014, "Exact solutions to the nonlinear dynamics of
learning in deep linear neural networks"). Fit a target map
:math:`A = U \operatorname{diag}(s) V^\top` from whitened inputs, loss
:math:`\tfrac12 \lVert W_L \cdots W_1 - A \rVert_F^2`, by gradient descent from a small
start, and follow each mode :math:`m_i = u_i^\top (W_L \cdots W_1) v_i / s_i` (the
fraction of mode ``i`` learned):

- one layer: :math:`m_i(t) = 1 - (1 - \eta)^t (1 - m_i(0))`: every mode is learned at the
  same rate, whatever its strength :math:`s_i`;
- several layers: each mode sits on a plateau, then rises along an S-shaped curve, the
  strong modes first; a mode of strength :math:`s_i` takes a time of about
  :math:`1 / (\eta s_i)` times a factor that grows as the start gets smaller. The loss
  drops in steps, one per mode.

The public face is :mod:`cnnedu.topics.nonlinear` (import from there).

>>> r1 = train_deep_linear((3.0, 1.0), depth=1, steps=100, init_scale=0.0)
>>> r1.half_times().tolist()          # from 0: the same step for both modes
[14, 14]
>>> r3 = train_deep_linear((3.0, 1.0), depth=3, steps=600, lr=0.1, init_scale=0.3)
>>> bool(r3.half_times()[0] < r3.half_times()[1])    # the strong mode first
True
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnedu._validate import integer, real

__all__ = ["LinearDynamics", "train_deep_linear", "deep_linear_grads"]


@dataclass(frozen=True)
class LinearDynamics:
    """What :func:`train_deep_linear` returns.

    Attributes
    ----------
    depth : int
    strengths : ndarray, shape (n,)
        The target's singular values :math:`s_i`.
    modes : ndarray, shape (steps + 1, n)
        Fraction of each mode learned, :math:`u_i^\\top W v_i / s_i`, before each step and
        after the last (``W`` the product of the layers).
    losses : ndarray, shape (steps + 1,)
        :math:`\\tfrac12 \\lVert W - A \\rVert_F^2` at the same moments.
    """

    depth: int
    strengths: np.ndarray
    modes: np.ndarray
    losses: np.ndarray

    def half_times(self) -> np.ndarray:
        """The first step at which each mode is half learned (-1 if never), shape (n,)."""
        reached = self.modes >= 0.5
        return np.where(reached.any(axis=0), reached.argmax(axis=0), -1)


def _orthogonal(n, rng):
    q, r = np.linalg.qr(rng.normal(size=(n, n)))
    return q * np.sign(np.diag(r))


def deep_linear_grads(layers, A):
    r"""Loss and gradients of :math:`\tfrac12 \lVert W_L \cdots W_1 - A \rVert_F^2`.

    Parameters
    ----------
    layers : list of ndarray, shape (n, n) each, first layer first
    A : ndarray, shape (n, n)

    Returns
    -------
    loss : float
    product : ndarray, shape (n, n)
    grads : list of ndarray, shape (n, n)
        :math:`(W_L \cdots W_{l+1})^\top E\, (W_{l-1} \cdots W_1)^\top`, ``E`` the error.
    """
    n = A.shape[0]
    prefix = [np.eye(n)]                     # prefix[l] = W_l ... W_1
    for w in layers:
        prefix.append(w @ prefix[-1])
    E = prefix[-1] - A
    suffix = np.eye(n)                       # W_L ... W_{l+1}
    grads = [None] * len(layers)
    for l in range(len(layers) - 1, -1, -1):
        grads[l] = suffix.T @ E @ prefix[l].T
        suffix = suffix @ layers[l]
    return 0.5 * float(np.sum(E * E)), prefix[-1], grads


def train_deep_linear(strengths=(3.0, 1.0, 0.3), *, depth: int = 3, steps: int = 1000,
                      lr: float = 0.05, init_scale: float = 0.1,
                      seed: int = 0) -> LinearDynamics:
    r"""Gradient descent on a product of ``depth`` square matrices towards a target map.

    Parameters
    ----------
    strengths : sequence of float, length n
        Singular values of the target :math:`A = U \operatorname{diag}(s) V^\top` (``U``,
        ``V`` random orthogonal from ``seed``).
    depth : int
        Number of layers (1: a single matrix, the shallow case).
    steps : int
    lr : float
        Step size :math:`\eta`.
    init_scale : float
        Every starting weight is drawn from :math:`\mathcal N(0, (\text{init\_scale})^2 / n)`.
    seed : int

    Returns
    -------
    LinearDynamics

    Notes
    -----
    With :math:`W = W_L \cdots W_1` and :math:`E = W - A`, the gradient of layer ``l`` is
    :math:`(W_L \cdots W_{l+1})^\top E\, (W_{l-1} \cdots W_1)^\top`. Inputs are whitened,
    so this loss is the mean squared error up to a constant.
    """
    func = "train_deep_linear"
    s = np.asarray(strengths, dtype=float)
    if s.ndim != 1 or s.size == 0 or not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise ValueError(f"{func}: strengths must be a non-empty list of positive numbers; "
                         f"got {strengths!r}")
    depth = integer(depth, "depth", func, minimum=1)
    steps = integer(steps, "steps", func, minimum=0)
    lr = real(lr, "lr", func, minimum=0)
    init_scale = real(init_scale, "init_scale", func, minimum=0)
    n = s.size
    rng = np.random.default_rng(seed)
    U, V = _orthogonal(n, rng), _orthogonal(n, rng)
    A = (U * s) @ V.T
    layers = [rng.normal(scale=init_scale / np.sqrt(n), size=(n, n)) for _ in range(depth)]
    modes, losses = [], []
    for step in range(steps + 1):
        loss, product, grads = deep_linear_grads(layers, A)
        modes.append(np.einsum("ji,jk,ki->i", U, product, V) / s)
        losses.append(loss)
        if step == steps:
            break
        layers = [w - lr * g for w, g in zip(layers, grads)]
    return LinearDynamics(depth, s, np.array(modes), np.array(losses))
