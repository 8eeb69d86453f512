r"""Learning a hidden 3x3 kernel from input/output pairs, with the conv gradients.

A "teacher" conv layer with a hidden kernel (a Sobel filter, say) turns random images
``x`` into targets ``t = conv2d(x, w_hidden)``. A "student" starts from a small random
kernel and runs plain gradient descent on the mean squared error

.. math::

    L(w) = \frac{1}{2M} \sum (\mathrm{conv2d}(x, w) - t)^2, \qquad
    dY = \frac{\mathrm{conv2d}(x, w) - t}{M}, \qquad
    w \leftarrow w - \eta \, dW ,

``M`` the number of output pixels and ``dW`` from :func:`cnnedu.nn.conv.conv2d_backward`.
Nothing else is used: if the gradient were wrong, the kernel would not converge.

>>> learner = KernelLearner("sobel_x", lr=0.3, seed=0)
>>> learner.step(60)
>>> print(learner.max_error() < 1e-3)
True
"""
from __future__ import annotations

import numbers

import numpy as np

from cnnedu._validate import as_float_array, check_choice, describe, integer
from cnnedu.nn.conv import conv2d, conv2d_backward

__all__ = ["HIDDEN_KERNELS", "hidden_kernel", "make_pairs", "KernelLearner", "learn_kernel"]

HIDDEN_KERNELS = {
    "sobel_x": np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]),
    "sobel_y": np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]]),
    "laplacian": np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]),
    "box_blur": np.full((3, 3), 1.0 / 9.0),
    "diagonal": np.array([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]]),
}

MAX_STEPS_PER_CALL = 1000


def hidden_kernel(name: str) -> np.ndarray:
    """A copy of one of :data:`HIDDEN_KERNELS` (3x3).

    >>> hidden_kernel("sobel_x")[1]
    array([-2.,  0.,  2.])
    """
    check_choice(name, list(HIDDEN_KERNELS), "name", "hidden_kernel")
    return HIDDEN_KERNELS[name].copy()


def _kernel(hidden, func: str) -> np.ndarray:
    if isinstance(hidden, str):
        return hidden_kernel(hidden)
    k = as_float_array(hidden, "hidden", func)
    if k.ndim != 2 or min(k.shape) < 1:
        raise ValueError(f"{func}: hidden must be a kernel name or a 2-D array (kh, kw); "
                         f"got {describe(k)}")
    if not np.all(np.isfinite(k)):
        raise ValueError(f"{func}: hidden must hold finite numbers")
    return k.astype(np.float64)


def make_pairs(hidden, *, n: int = 8, size: int = 16, seed: int = 0):
    """Random inputs and the hidden kernel's outputs.

    Returns
    -------
    x : ndarray, shape (n, 1, size, size)
        Standard normal noise (every direction of the 3x3 patch space is excited, so the
        kernel is identifiable).
    t : ndarray, shape (n, 1, size - kh + 1, size - kw + 1)
        ``conv2d(x, hidden)``.
    """
    func = "make_pairs"
    k = _kernel(hidden, func)
    n = integer(n, "n", func, minimum=1, maximum=256, expected="an integer in 1..256")
    lo = max(k.shape)
    size = integer(size, "size", func, minimum=lo, maximum=256,
                   expected=f"an integer in {lo}..256")
    x = np.random.default_rng(seed).standard_normal((n, 1, size, size))
    return x, conv2d(x, k[None, None])


class KernelLearner:
    """Gradient descent on a 3x3 (any kh x kw) kernel, one step at a time.

    Attributes
    ----------
    hidden : ndarray (kh, kw)
    w : ndarray (kh, kw)
        The current estimate.
    losses : list of float
        ``losses[k]`` is the loss of the kernel after ``k`` steps.
    kernels : list of ndarray
        Every kernel so far (``kernels[0]`` the random start).
    """

    def __init__(self, hidden="sobel_x", *, lr: float = 0.1, n: int = 8, size: int = 16,
                 seed: int = 0, init_std: float = 0.1):
        func = "KernelLearner"
        self.hidden = _kernel(hidden, func)
        self.lr = self._check_lr(lr)
        self.seed = seed
        self.init_std = float(init_std)
        self.x, self.t = make_pairs(self.hidden, n=n, size=size, seed=seed)
        self.reset()

    @staticmethod
    def _check_lr(lr) -> float:
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not (
                np.isfinite(lr) and lr > 0):
            raise ValueError(f"KernelLearner: lr must be a positive finite number; got {lr!r}")
        return float(lr)

    def reset(self) -> None:
        """Back to the random start (the same one every time: it is seeded)."""
        rng = np.random.default_rng(self.seed + 1)
        self.w = self.init_std * rng.standard_normal(self.hidden.shape)
        self.kernels = [self.w.copy()]
        self.losses = [self.loss_and_grad(self.w)[0]]
        self._r = None  # residual conv2d(x, w) - t of the current kernel

    def set_lr(self, lr) -> None:
        """Change the learning rate (from the next step on)."""
        self.lr = self._check_lr(lr)

    def loss_and_grad(self, w):
        """``L(w)`` and ``dL/dw`` (through :func:`cnnedu.nn.conv.conv2d_backward`)."""
        w4 = np.asarray(w, dtype=np.float64)[None, None]
        r = conv2d(self.x, w4) - self.t
        loss = 0.5 * float(np.mean(r * r))
        _, dw, _ = conv2d_backward(r / r.size, self.x, w4)
        return loss, dw[0, 0]

    @property
    def steps(self) -> int:
        return len(self.losses) - 1

    @property
    def diverged(self) -> bool:
        return not np.isfinite(self.losses[-1])

    def step(self, n: int = 1) -> None:
        """Take ``n`` gradient steps (at most :data:`MAX_STEPS_PER_CALL`); stops early if
        the loss stops being finite (learning rate too large).

        Each step costs one forward and one backward pass: the residual of the new kernel
        gives both its loss (recorded) and the next step's gradient.
        """
        n = integer(n, "n", "KernelLearner.step", minimum=0, maximum=MAX_STEPS_PER_CALL,
                    expected=f"an integer in 0..{MAX_STEPS_PER_CALL}")
        for _ in range(n):
            if self.diverged:
                return
            if self._r is None:
                self._r = conv2d(self.x, self.w[None, None]) - self.t
            _, dw, _ = conv2d_backward(self._r / self._r.size, self.x, self.w[None, None])
            with np.errstate(over="ignore", invalid="ignore"):
                self.w = self.w - self.lr * dw[0, 0]
                if np.all(np.isfinite(self.w)):
                    self._r = conv2d(self.x, self.w[None, None]) - self.t
                    loss = 0.5 * float(np.mean(self._r * self._r))
                else:
                    loss = float("inf")
            self.kernels.append(self.w.copy())
            self.losses.append(loss if np.isfinite(loss) else float("inf"))

    def max_error(self) -> float:
        """``max |w - hidden|``."""
        return float(np.max(np.abs(self.w - self.hidden)))


def learn_kernel(hidden="sobel_x", *, steps: int = 40, lr: float = 0.1, seed: int = 0):
    """Run :class:`KernelLearner` for ``steps`` steps; return ``(kernels, losses)``,
    shapes ``(steps + 1, kh, kw)`` and ``(steps + 1,)``.

    >>> kernels, losses = learn_kernel(steps=5)
    >>> kernels.shape, bool(losses[5] < losses[0])
    ((6, 3, 3), True)
    """
    learner = KernelLearner(hidden, lr=lr, seed=seed)
    learner.step(steps)
    return np.array(learner.kernels), np.array(learner.losses)
