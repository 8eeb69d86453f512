"""cnnedu.nn.layers against PyTorch: max pooling with ties, a whole model's loss and
gradients, softmax cross-entropy, SGD with momentum, and a few training steps."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

torch = pytest.importorskip("torch")
F = torch.nn.functional

from cnnedu.nn.layers import (  # noqa: E402
    SGD, Activation, Conv2D, Dense, Flatten, MaxPool2D, Sequential, fit,
    softmax_cross_entropy,
)


def t64(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


@settings(max_examples=40, deadline=None)
@given(N=st.integers(1, 2), C=st.integers(1, 3), H=st.integers(2, 9), W=st.integers(2, 9),
       k=st.integers(1, 3), s=st.integers(1, 3), overlap=st.booleans(),
       seed=st.integers(0, 99))
def test_maxpool_forward_backward_with_ties_vs_torch(N, C, H, W, k, s, overlap, seed):
    k = min(k, H, W)
    stride = s if overlap else None
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, size=(N, C, H, W)).astype(float)  # many ties
    pool = MaxPool2D(k, stride)
    y = pool.forward(x)
    dy = rng.normal(size=y.shape)
    dx = pool.backward(dy)

    xt = t64(x).requires_grad_(True)
    yt = F.max_pool2d(xt, k, stride=stride)
    yt.backward(t64(dy))
    np.testing.assert_array_equal(y, yt.detach().numpy())
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_maxpool_all_equal_window_vs_torch():
    x = np.zeros((1, 1, 4, 4))  # e.g. after a ReLU: every window is a 4-way tie
    pool = MaxPool2D(2)
    pool.forward(x)
    dx = pool.backward(np.ones((1, 1, 2, 2)))
    xt = t64(x).requires_grad_(True)
    F.max_pool2d(xt, 2).sum().backward()
    np.testing.assert_array_equal(dx, xt.grad.numpy())
    assert dx.sum() == 4 and dx[0, 0, ::2, ::2].sum() == 4


def build_pair(rng):
    """The same small CNN in cnnedu and in PyTorch, with the same weights."""
    ours = Sequential(
        Conv2D(2, 4, 3, padding=1, rng=rng), Activation("relu"), MaxPool2D(2),
        Conv2D(4, 3, 2, stride=2, rng=rng), Activation("tanh"),
        Flatten(), Dense(3 * 2 * 2, 5, rng=rng))
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(2, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(4, 3, 2, stride=2), torch.nn.Tanh(),
        torch.nn.Flatten(), torch.nn.Linear(3 * 2 * 2, 5)).double()
    with torch.no_grad():
        for i in (0, 3, 6):
            theirs[i].weight.copy_(t64(ours[i].params["w"]))
            theirs[i].bias.copy_(t64(ours[i].params["b"]))
    return ours, theirs


def test_sequential_loss_and_gradients_vs_torch():
    rng = np.random.default_rng(0)
    ours, theirs = build_pair(rng)
    x = rng.normal(size=(6, 2, 8, 8))
    labels = np.array([0, 1, 2, 3, 4, 1])

    logits = ours.forward(x)
    loss, dlogits = softmax_cross_entropy(logits, labels)
    ours.needs_input_grad = True
    dx = ours.backward(dlogits)

    xt = t64(x).requires_grad_(True)
    logits_t = theirs(xt)
    loss_t = F.cross_entropy(logits_t, torch.tensor(labels))
    loss_t.backward()

    np.testing.assert_allclose(logits, logits_t.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert loss == pytest.approx(loss_t.item(), rel=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-10, atol=1e-15)
    for i in (0, 3, 6):
        np.testing.assert_allclose(ours[i].grads["w"], theirs[i].weight.grad.numpy(),
                                   rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(ours[i].grads["b"], theirs[i].bias.grad.numpy(),
                                   rtol=1e-10, atol=1e-15)


def test_softmax_cross_entropy_vs_torch():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(7, 5)) * 20  # large logits too
    labels = rng.integers(0, 5, size=7)
    loss, dlogits = softmax_cross_entropy(logits, labels)
    zt = t64(logits).requires_grad_(True)
    lt = F.cross_entropy(zt, torch.tensor(labels))
    lt.backward()
    assert loss == pytest.approx(lt.item(), rel=1e-12)
    np.testing.assert_allclose(dlogits, zt.grad.numpy(), rtol=1e-10, atol=1e-16)


@pytest.mark.parametrize("momentum, weight_decay", [(0.9, 0.0), (0.0, 0.0), (0.5, 0.01)])
def test_sgd_vs_torch(momentum, weight_decay):
    rng = np.random.default_rng(2)
    dense = Dense(3, 2, rng=rng)
    p_t = [t64(dense.params["w"]).requires_grad_(True), t64(dense.params["b"]).requires_grad_(True)]
    opt = SGD(dense, lr=0.1, momentum=momentum, weight_decay=weight_decay)
    opt_t = torch.optim.SGD(p_t, lr=0.1, momentum=momentum, weight_decay=weight_decay)
    for _ in range(5):
        gw, gb = rng.normal(size=(2, 3)), rng.normal(size=2)
        dense.grads["w"][...] = gw
        dense.grads["b"][...] = gb
        opt.step()
        p_t[0].grad, p_t[1].grad = t64(gw), t64(gb)
        opt_t.step()
        np.testing.assert_allclose(dense.params["w"], p_t[0].detach().numpy(), rtol=1e-13)
        np.testing.assert_allclose(dense.params["b"], p_t[1].detach().numpy(), rtol=1e-13)


def test_training_steps_vs_torch():
    """Two epochs of fit() and the same mini-batches through torch: same weights after."""
    rng = np.random.default_rng(3)
    ours, theirs = build_pair(rng)
    x = rng.normal(size=(20, 2, 8, 8))
    y = rng.integers(0, 5, size=20)
    history = fit(ours, x, y, epochs=2, batch_size=8, lr=0.05, momentum=0.9, seed=7)

    order = np.random.default_rng(7)
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.05, momentum=0.9)
    xt, yt = t64(x), torch.tensor(y)
    losses = []
    for _ in range(2):
        perm = order.permutation(20)
        total = 0.0
        for start in range(0, 20, 8):
            idx = torch.tensor(perm[start:start + 8])
            opt_t.zero_grad()
            loss = F.cross_entropy(theirs(xt[idx]), yt[idx])
            loss.backward()
            opt_t.step()
            total += loss.item() * len(idx)
        losses.append(total / 20)
    np.testing.assert_allclose(history["loss"], losses, rtol=1e-10)
    for i in (0, 3, 6):
        np.testing.assert_allclose(ours[i].params["w"], theirs[i].weight.detach().numpy(),
                                   rtol=1e-9, atol=1e-13)
        np.testing.assert_allclose(ours[i].params["b"], theirs[i].bias.detach().numpy(),
                                   rtol=1e-9, atol=1e-13)


def test_default_init_distribution_like_torch():
    """PyTorch's default: w and b uniform within +-1/sqrt(fan_in)."""
    conv = Conv2D(4, 64, 3, rng=0)
    bound = 1 / np.sqrt(4 * 9)
    w = conv.params["w"]
    assert np.abs(w).max() <= bound and np.abs(conv.params["b"]).max() <= bound
    ref = torch.nn.Conv2d(4, 64, 3).weight.detach().numpy()
    assert w.std() == pytest.approx(ref.std(), rel=0.1)


@settings(max_examples=40, deadline=None)
@given(H=st.integers(2, 7), W=st.integers(2, 7), k=st.integers(1, 3), s=st.integers(1, 3),
       overlap=st.booleans(), seed=st.integers(0, 999), p_nan=st.sampled_from([0.1, 0.3, 0.8]))
def test_maxpool_with_nan_vs_torch(H, W, k, s, overlap, seed, p_nan):
    """Both code paths put the gradient on a NaN (the last of its window), as PyTorch."""
    k = min(k, H, W)
    stride = s if overlap else None
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, size=(2, 2, H, W)).astype(float)
    x[rng.random(x.shape) < p_nan] = np.nan
    x[0, 0, 0, 0] = np.inf  # an infinity beside the NaNs changes nothing
    pool = MaxPool2D(k, stride)
    y = pool.forward(x)
    dy = rng.normal(size=y.shape)
    dx = pool.backward(dy)
    xt = t64(x).requires_grad_(True)
    yt = F.max_pool2d(xt, k, stride=stride if stride is not None else k)
    yt.backward(t64(dy))
    np.testing.assert_array_equal(y, yt.detach().numpy())  # NaN == NaN here
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=1e-12)
