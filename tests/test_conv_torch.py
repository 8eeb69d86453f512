"""cnnedu.nn.conv against PyTorch: forward (F.conv2d) and autograd backward."""
from __future__ import annotations

import numpy as np
import pytest

from cnnedu.nn.conv import conv2d, conv2d_backward

torch = pytest.importorskip("torch")
torch_F = pytest.importorskip("torch.nn.functional")

CASES = [
    # x shape, w shape, keyword arguments
    ((2, 3, 9, 9), (4, 3, 3, 3), dict()),
    ((2, 3, 9, 9), (4, 3, 3, 3), dict(stride=2, padding=1)),
    ((1, 2, 12, 10), (3, 2, 3, 2), dict(stride=(2, 3), padding=(1, 2), dilation=(2, 1))),
    ((3, 1, 8, 8), (2, 1, 5, 5), dict(padding=2, dilation=2)),
    ((2, 4, 7, 11), (5, 4, 1, 1), dict(stride=(1, 2))),
    ((1, 1, 20, 20), (1, 1, 3, 3), dict(padding=1)),  # C = F = 1: the "offsets" method
    ((2, 3, 16, 16), (4, 3, 3, 3), dict(padding=1)),  # the "flat" method
    ((1, 2, 64, 64), (2, 2, 9, 9), dict(padding=4)),  # large kernel: the FFT path
    ((2, 3, 6, 6), (2, 3, 6, 6), dict(padding=(0, 3))),
]


def torch_conv(x, w, b, dy, kwargs):
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    y = torch_F.conv2d(tx, tw, tb, **kwargs)
    y.backward(torch.tensor(dy))
    return y.detach().numpy(), tx.grad.numpy(), tw.grad.numpy(), tb.grad.numpy()


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-4)])
@pytest.mark.parametrize("xs, ws, kwargs", CASES)
def test_forward_and_backward_match_pytorch(xs, ws, kwargs, dtype, tol):
    rng = np.random.default_rng(sum(xs) + sum(ws))
    x = rng.standard_normal(xs).astype(dtype)
    w = rng.standard_normal(ws).astype(dtype)
    b = rng.standard_normal(ws[0]).astype(dtype)
    y = conv2d(x, w, b, **kwargs)
    dy = rng.standard_normal(y.shape).astype(dtype)
    dx, dw, db = conv2d_backward(dy, x, w, **kwargs)
    y_t, dx_t, dw_t, db_t = torch_conv(x, w, b, dy, kwargs)
    for name, ours, theirs in (("y", y, y_t), ("dx", dx, dx_t), ("dw", dw, dw_t),
                               ("db", db, db_t)):
        assert ours.shape == theirs.shape, name
        assert ours.dtype == dtype, name
        np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol * 10, err_msg=name)
