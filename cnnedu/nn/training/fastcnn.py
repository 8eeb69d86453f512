"""The fused numpy passes that make training fast: :class:`FastCNN`, its loss and its evaluation.

:class:`FastCNN` computes the forward and backward passes of a :func:`build_cnn` network
on the model's own arrays; :func:`_loss` is the mean softmax cross-entropy with its
gradient and :func:`evaluate_fast` scores a network batch by batch. Import these from the
public face, :mod:`cnnedu.nn.training`.
"""
from __future__ import annotations

import numpy as np

from cnnedu._validate import describe
from cnnedu.nn.training.model import _parts


class FastCNN:
    """The forward and backward passes of a :func:`build_cnn` network, lean and fused.

    Reads and writes the model's own arrays (``conv.params``, ``conv.grads``, ...): after
    :meth:`backward`, the layers' ``grads`` hold exactly what ``model.backward`` would
    put there (the tests compare them), so :class:`cnnedu.nn.optim.SGD` updates the model.

    Inside, maps are channels-last ``(N, H, W, F)``: im2col of the padded input is one
    copy of a strided view, the conv is one GEMM ``(N*H*W, C*k*k) @ (C*k*k, F)``, pooling
    keeps the index of the first maximum of each window (as :class:`MaxPool2D`), and the
    input gradient of the conv, which no parameter needs, is never computed.

    >>> from cnnedu.nn.training import build_cnn
    >>> model = build_cnn(seed=0)
    >>> net = FastCNN(model)
    >>> x = np.random.default_rng(1).random((4, 1, 8, 8))
    >>> bool(np.allclose(net.forward(x), model.forward(x)))
    True
    """

    def __init__(self, model):
        self.model = model
        self.conv, self.pool, self.dense = _parts(model, "FastCNN")
        self.k = self.conv.kernel_size[0]
        self.p = self.pool.size[0]
        self._cache = None

    def forward(self, x) -> np.ndarray:
        """Logits ``(N, K)`` for ``x`` ``(N, C, H, W)``; keeps what :meth:`backward` needs."""
        conv, dense, k, p = self.conv, self.dense, self.k, self.p
        w, b = conv.params["w"], conv.params["b"]
        dt = w.dtype
        x = np.asarray(x)
        if x.ndim != 4 or x.shape[1] != conv.in_channels:
            raise ValueError(f"FastCNN.forward: x must have shape (N, C, H, W) with "
                             f"C={conv.in_channels}; got {describe(x)}")
        if x.dtype != dt:
            x = x.astype(dt)
        N, C, H, W = x.shape
        Ho, Wo = H // p, W // p
        F = w.shape[0]
        if F * Ho * Wo != dense.in_features:
            raise ValueError(f"FastCNN.forward: images of {H}x{W} give {F * Ho * Wo} features; "
                             f"the dense layer reads {dense.in_features}")
        r = k // 2
        Hp, Wp = H + 2 * r, W + 2 * r
        xp = np.zeros((N, C, Hp, Wp), dtype=dt)
        xp[:, :, r:r + H, r:r + W] = x
        # im2col by one gather: rows (n, i, j), columns (c, u, v) as in w.reshape(F, -1)
        cols = np.take(xp.reshape(N, -1), self._gather(C, H, W, Hp, Wp), axis=1)
        cols = cols.reshape(N * H * W, C * k * k)
        z = cols @ w.reshape(F, -1).T                                      # (N*H*W, F)
        z += b
        a = np.maximum(z, 0).reshape(N, Ho, p, Wo, p, F)
        # max pool: the p*p window members are strided views; keep the first maximum
        pooled = a[:, :, 0, :, 0].copy()                                   # (N, Ho, Wo, F)
        for u in range(p):
            for v in range(p):
                if u or v:
                    np.maximum(pooled, a[:, :, u, :, v], out=pooled)
        feat = np.ascontiguousarray(pooled.transpose(0, 3, 1, 2)).reshape(N, -1)  # Flatten order
        logits = feat @ dense.params["w"].T
        if "b" in dense.params:
            logits += dense.params["b"]
        self._cache = (cols, z, a, pooled, feat, (N, H, W, Ho, Wo, F))
        return logits

    def _gather(self, C, H, W, Hp, Wp):
        key = (C, H, W)
        if getattr(self, "_gather_key", None) != key:
            k = self.k
            i, j = np.arange(H)[:, None], np.arange(W)[None, :]
            c, u, v = np.meshgrid(np.arange(C), np.arange(k), np.arange(k), indexing="ij")
            idx = (c.ravel()[None, None, :] * (Hp * Wp)
                   + (i[..., None] + u.ravel()) * Wp + (j[..., None] + v.ravel()))
            self._gather_idx = idx.reshape(-1)
            self._gather_key = key
        return self._gather_idx

    __call__ = forward

    def backward(self, dlogits, *, keep: bool = False):
        """Fill the layers' ``grads`` from ``dlogits`` ``(N, K)``.

        Returns ``None``, or with ``keep=True`` the intermediate gradients as a dict:
        ``"features"`` (the dense layer's input, ``(N, D)``), ``"feature_maps"`` (the
        conv output before ReLU, ``(N, F, H, W)``).
        """
        if self._cache is None:
            raise RuntimeError("FastCNN.backward: call forward first")
        cols, z, a, pooled, feat, (N, H, W, Ho, Wo, F) = self._cache
        conv, dense, p = self.conv, self.dense, self.p
        dt = z.dtype
        dlogits = np.asarray(dlogits, dtype=dt)
        if dlogits.shape != (N, dense.out_features):
            raise ValueError(f"FastCNN.backward: dlogits must have shape {(N, dense.out_features)}; "
                             f"got {describe(dlogits)}")
        dense.grads["w"][...] = dlogits.T @ feat
        if "b" in dense.params:
            dense.grads["b"][...] = dlogits.sum(axis=0)
        dfeat = dlogits @ dense.params["w"]                                # (N, D)
        dpooled = dfeat.reshape(N, F, Ho, Wo).transpose(0, 2, 3, 1)        # (N, Ho, Wo, F)
        # each window's gradient goes to its first maximum (row-major), as MaxPool2D
        dz = np.zeros((N, Ho, p, Wo, p, F), dtype=dt)
        taken = np.zeros(pooled.shape, dtype=bool)
        for u in range(p):
            for v in range(p):
                hit = a[:, :, u, :, v] == pooled
                if u or v:
                    hit &= ~taken
                taken |= hit
                np.multiply(dpooled, hit, out=dz[:, :, u, :, v])
        dz = dz.reshape(N * H * W, F)
        dz *= z > 0
        conv.grads["w"][...] = (dz.T @ cols).reshape(conv.params["w"].shape)
        conv.grads["b"][...] = dz.sum(axis=0)
        if keep:
            return {"features": dfeat,
                    "feature_maps": dz.reshape(N, H, W, F).transpose(0, 3, 1, 2).copy()}
        return None


def _loss(logits, labels):
    """Mean softmax cross-entropy and its gradient (as :func:`cnnedu.nn.losses.softmax_cross_entropy`)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(len(labels))
    loss = float(np.mean(np.log(s[:, 0]) - shifted[rows, labels]))
    d = e / s
    d[rows, labels] -= 1
    d /= len(labels)
    return loss, d


def evaluate_fast(net: FastCNN, x, y, batch_size: int = 512) -> tuple[float, float]:
    """Mean loss and accuracy of the network on ``(x, y)`` (no training)."""
    total, correct = 0.0, 0
    for i in range(0, len(x), batch_size):
        logits = net.forward(x[i:i + batch_size])
        yb = y[i:i + batch_size]
        total += _loss(logits, yb)[0] * len(yb)
        correct += int(np.count_nonzero(logits.argmax(axis=1) == yb))
    return total / len(x), correct / len(x)
