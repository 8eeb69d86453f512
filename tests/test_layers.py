"""Tests for cnnedu.nn.layers (and cnnedu.nn.losses, cnnedu.nn.optim): gradients, pooling ties,
validation, the optimizer and a small training run."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cnnedu.nn import losses
from cnnedu.nn import optim
from cnnedu.nn.gradcheck import numerical_gradient, rel_error
from cnnedu.nn.conv import conv2d_backward
from cnnedu.nn.layers import (
    SGD, Activation, Conv2D, Dense, Flatten, MaxPool2D, Sequential, SoftmaxCrossEntropy,
    accuracy, evaluate, fit, softmax, softmax_cross_entropy, train_epoch,
)
from cnnedu.data.synthetic import make_bars

TOL = 1e-7


def check_layer_grads(layer, x, rng):
    """dx and every parameter gradient of ``layer`` at ``x`` vs central differences."""
    y = layer.forward(x)
    dy = rng.normal(size=y.shape)
    dx = layer.backward(dy)
    assert dx.shape == x.shape
    num_dx = numerical_gradient(layer.forward, x, dy)
    assert rel_error(dx, num_dx) < TOL, "dx"
    for name, p in layer.params.items():
        num = numerical_gradient(lambda _: layer.forward(x), p, dy)
        assert layer.grads[name].shape == p.shape
        assert rel_error(layer.grads[name], num) < TOL, name
    return dx


# ------------------------------------------------------------------------ gradients

@pytest.mark.parametrize("kwargs, shape", [
    (dict(in_channels=2, out_channels=3, kernel_size=3), (2, 2, 5, 5)),
    (dict(in_channels=2, out_channels=3, kernel_size=3, padding=1), (2, 2, 5, 4)),
    (dict(in_channels=1, out_channels=2, kernel_size=(2, 3), stride=2, padding=(1, 0)),
     (3, 1, 6, 7)),
    (dict(in_channels=3, out_channels=2, kernel_size=1, bias=False), (2, 3, 3, 3)),
])
def test_conv2d_gradients(kwargs, shape):
    rng = np.random.default_rng(0)
    layer = Conv2D(**kwargs, rng=rng)
    check_layer_grads(layer, rng.normal(size=shape), rng)


def test_dense_gradients():
    rng = np.random.default_rng(1)
    check_layer_grads(Dense(5, 4, rng=rng), rng.normal(size=(3, 5)), rng)
    check_layer_grads(Dense(5, 2, bias=False, rng=rng), rng.normal(size=(4, 5)), rng)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "tanh", "sigmoid", "elu"])
def test_activation_gradients(name):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 3, 4, 4))
    x[np.abs(x) < 1e-3] = 0.5  # keep away from the kink at 0
    check_layer_grads(Activation(name), x, rng)


def test_flatten_gradients():
    rng = np.random.default_rng(3)
    layer = Flatten()
    assert layer.forward(np.zeros((2, 3, 4, 5))).shape == (2, 60)
    check_layer_grads(layer, rng.normal(size=(2, 3, 2, 2)), rng)


@pytest.mark.parametrize("size, stride, shape", [
    (2, None, (2, 3, 6, 6)),       # non-overlapping, divisible
    (2, None, (2, 2, 7, 5)),       # non-overlapping, a row and a column left over
    (3, 2, (2, 2, 7, 7)),          # overlapping
    ((2, 3), (1, 2), (1, 2, 5, 7)),  # rectangular, overlapping rows
    ((3, 2), None, (2, 1, 6, 6)),  # rectangular, non-overlapping
])
def test_maxpool_gradients(size, stride, shape):
    rng = np.random.default_rng(4)
    check_layer_grads(MaxPool2D(size, stride), rng.normal(size=shape), rng)


def test_softmax_cross_entropy_gradient_and_value():
    # moderate logits, so no gradient entry is so small that the finite difference's
    # rounding error (about 1e-16 * loss / h = 1e-10) dominates it
    rng = np.random.default_rng(5)
    logits = rng.normal(size=(4, 3))
    labels = np.array([0, 2, 1, 2])
    loss, dlogits = softmax_cross_entropy(logits, labels)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.mean(np.log(p[np.arange(4), labels])), rel=1e-12)
    np.testing.assert_allclose(dlogits, (p - np.eye(3)[labels]) / 4, rtol=1e-12)
    num = numerical_gradient(lambda z: np.array(softmax_cross_entropy(z, labels)[0]), logits)
    assert rel_error(dlogits, num) < TOL


def test_softmax_is_stable_and_normalised():
    z = np.array([[1000.0, 0.0, -1000.0], [5.0, 5.0, 5.0]])
    p = softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[0], [1.0, 0.0, 0.0])
    loss, d = softmax_cross_entropy(z, np.array([2, 0]))
    assert np.isfinite(loss) and np.all(np.isfinite(d))
    assert loss == pytest.approx((2000.0 + np.log(3.0)) / 2)
    np.testing.assert_allclose(losses.log_softmax(z)[1], -np.log(3.0))


def test_softmax_cross_entropy_class():
    crit = SoftmaxCrossEntropy()
    with pytest.raises(RuntimeError, match="call forward"):
        crit.backward()
    z = np.array([[1.0, 2.0], [0.5, -1.0]])
    assert crit.forward(z, np.array([1, 0])) == softmax_cross_entropy(z, np.array([1, 0]))[0]
    np.testing.assert_allclose(crit.backward(2.0),
                               2 * softmax_cross_entropy(z, np.array([1, 0]))[1])


def small_model(rng, dtype=np.float64):
    return Sequential(
        Conv2D(1, 3, 3, padding=1, rng=rng, dtype=dtype), Activation("tanh"),
        MaxPool2D(2), Conv2D(3, 2, 2, rng=rng, dtype=dtype), Activation("relu"),
        Flatten(), Dense(2 * 2 * 2, 3, rng=rng, dtype=dtype))


def test_sequential_end_to_end_gradients():
    """dx and every parameter gradient through the whole model, for a random dy."""
    rng = np.random.default_rng(6)
    model = small_model(rng)
    x = rng.normal(size=(3, 1, 6, 6))
    dy = rng.normal(size=model.forward(x).shape)
    model.needs_input_grad = True  # a model skips its input gradient unless asked
    dx = model.backward(dy)
    assert rel_error(dx, numerical_gradient(model.forward, x, dy)) < TOL
    assert list(model.grads) == ["0.w", "0.b", "3.w", "3.b", "6.w", "6.b"]
    for name, p in model.params.items():
        num = numerical_gradient(lambda _: model.forward(x), p, dy)
        assert rel_error(model.grads[name], num) < TOL, name


# -------------------------------------------------------------------- max pooling

def maxpool_naive(x, size, stride):
    """Loops: the first maximum of each window (row-major) gets the gradient."""
    kh, kw = size
    sh, sw = stride
    N, C, H, W = x.shape
    Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
    y = np.zeros((N, C, Ho, Wo))
    first = np.zeros((N, C, Ho, Wo, 2), dtype=int)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    win = x[n, c, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    u, v = np.unravel_index(np.argmax(win), win.shape)
                    y[n, c, i, j] = win[u, v]
                    first[n, c, i, j] = (i * sh + u, j * sw + v)
    return y, first


def maxpool_backward_naive(dy, first, shape):
    dx = np.zeros(shape)
    N, C, Ho, Wo = dy.shape
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r, s = first[n, c, i, j]
                    dx[n, c, r, s] += dy[n, c, i, j]
    return dx


@settings(max_examples=60, deadline=None)
@given(N=st.integers(1, 2), C=st.integers(1, 3), H=st.integers(2, 9), W=st.integers(2, 9),
       kh=st.integers(1, 3), kw=st.integers(1, 3), sh=st.integers(1, 3),
       sw=st.integers(1, 3), overlap=st.booleans(), seed=st.integers(0, 99))
def test_maxpool_matches_loops_with_many_ties(N, C, H, W, kh, kw, sh, sw, overlap, seed):
    kh, kw = min(kh, H), min(kw, W)
    stride = (sh, sw) if overlap else None
    pool = MaxPool2D((kh, kw), stride)
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, size=(N, C, H, W)).astype(float)  # plenty of ties
    y = pool.forward(x)
    y_ref, first = maxpool_naive(x, (kh, kw), pool.stride)
    np.testing.assert_array_equal(y, y_ref)
    dy = rng.normal(size=y.shape)
    np.testing.assert_allclose(pool.backward(dy), maxpool_backward_naive(dy, first, x.shape),
                               rtol=1e-12, atol=1e-15)


def test_maxpool_tie_gradient_goes_to_first_max_only():
    pool = MaxPool2D(2)
    x = np.array([[[[0.0, 0.0, 5.0, 1.0],
                    [0.0, 0.0, 2.0, 5.0],
                    [3.0, 1.0, 4.0, 4.0],
                    [3.0, 3.0, 4.0, 4.0]]]])
    np.testing.assert_array_equal(pool.forward(x), [[[[0.0, 5.0], [3.0, 4.0]]]])
    dx = pool.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    np.testing.assert_array_equal(dx[0, 0], [[1.0, 0.0, 2.0, 0.0],
                                             [0.0, 0.0, 0.0, 0.0],
                                             [3.0, 0.0, 4.0, 0.0],
                                             [0.0, 0.0, 0.0, 0.0]])
    # overlapping windows that share their maximum: the gradients add up there
    pool = MaxPool2D(2, stride=1)
    x = np.array([[[[1.0, 1.0, 1.0],
                    [1.0, 9.0, 1.0]]]])
    pool.forward(x)
    np.testing.assert_array_equal(pool.backward(np.array([[[[1.0, 10.0]]]])),
                                  [[[[0.0, 0.0, 0.0], [0.0, 11.0, 0.0]]]])


def test_maxpool_shapes_and_repr():
    assert repr(MaxPool2D(2)) == "MaxPool2D(size=2, stride=2)"
    assert repr(MaxPool2D((2, 3), 1)) == "MaxPool2D(size=(2, 3), stride=1)"
    assert MaxPool2D(3, 2).forward(np.zeros((1, 1, 7, 8))).shape == (1, 1, 3, 3)
    assert MaxPool2D(2).n_params == 0 and MaxPool2D(2).params == {}
    with pytest.raises(ValueError, match=r"window \(3, 3\) is larger than the input"):
        MaxPool2D(3).forward(np.zeros((1, 1, 2, 5)))


# --------------------------------------------------------------- layers: the API

def test_reprs_and_n_params():
    conv = Conv2D(1, 16, 3, padding=1, rng=0)
    assert repr(conv) == "Conv2D(C=1, F=16, k=3, stride=1, padding=1)"
    assert conv.n_params == 16 * 9 + 16
    assert repr(Conv2D(2, 4, (3, 5), stride=(1, 2), bias=False, rng=0)) == \
        "Conv2D(C=2, F=4, k=(3, 5), stride=(1, 2), padding=0, bias=False)"
    dense = Dense(256, 10, rng=0)
    assert repr(dense) == "Dense(in_features=256, out_features=10)"
    assert dense.n_params == 2570 and dense.params["w"].shape == (10, 256)
    assert repr(Activation("relu")) == "Activation('relu')"
    assert repr(Flatten()) == "Flatten()"
    model = small_model(np.random.default_rng(0))
    assert model.n_params == sum(layer.n_params for layer in model)
    assert repr(model).startswith("Sequential(\n  (0): Conv2D(C=1, F=3, k=3")


def test_initialization_by_name_seed_and_callable():
    a = Conv2D(3, 4, 3, rng=7)
    b = Conv2D(3, 4, 3, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a.params["w"], b.params["w"])
    np.testing.assert_array_equal(a.params["b"], b.params["b"])
    bound = 1 / np.sqrt(27)  # PyTorch default: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    assert np.abs(a.params["w"]).max() <= bound and np.abs(a.params["b"]).max() <= bound
    he = Conv2D(3, 4, 3, init="he_normal", rng=0)
    assert not he.params["b"].any()  # every scheme but PyTorch's starts b at 0
    ones = Dense(2, 3, init="ones", bias_init="ones")
    np.testing.assert_array_equal(ones.params["w"], np.ones((3, 2)))
    np.testing.assert_array_equal(ones.params["b"], np.ones(3))
    custom = Dense(2, 3, init=lambda shape, rng: np.full(shape, 0.5))
    assert custom.params["w"].max() == 0.5 and not custom.params["b"].any()
    with pytest.raises(ValueError, match="init.*'he_normal'.*got 'kaiming'"):
        Conv2D(1, 1, 3, init="kaiming")
    with pytest.raises(TypeError, match="in_channels must be a positive integer; got 1.5"):
        Conv2D(1.5, 2, 3)
    with pytest.raises(ValueError, match="out_features must be a positive integer; got 0"):
        Dense(3, 0)


def test_params_and_grads_are_live_references():
    rng = np.random.default_rng(8)
    dense = Dense(3, 2, rng=rng)
    w, gw = dense.params["w"], dense.grads["w"]
    x = rng.normal(size=(4, 3))
    dense.forward(x)
    dense.backward(np.ones((4, 2)))
    assert gw is dense.grads["w"] and np.array_equal(gw, np.ones((2, 4)) @ x)
    SGD(dense, lr=0.1, momentum=0.0).step()
    assert w is dense.params["w"]
    dense.zero_grad()
    assert not gw.any()


def test_float32_stays_float32():
    rng = np.random.default_rng(9)
    model = small_model(rng, dtype=np.float32)
    x = rng.normal(size=(2, 1, 6, 6)).astype(np.float32)
    logits = model.forward(x)
    assert logits.dtype == np.float32
    loss, d = softmax_cross_entropy(logits, np.array([0, 1]))
    assert d.dtype == np.float32
    model.needs_input_grad = True
    dx = model.backward(d)
    assert dx.dtype == np.float32
    assert all(g.dtype == np.float32 for g in model.grads.values())
    SGD(model, lr=0.1).step()
    assert all(p.dtype == np.float32 for p in model.params.values())
    # a float64 model converts in place
    model64 = small_model(np.random.default_rng(9)).astype(np.float32)
    fresh32 = small_model(np.random.default_rng(9), dtype=np.float32)
    for name, p in model64.params.items():
        assert p.dtype == np.float32 and model64.grads[name].dtype == np.float32
        np.testing.assert_array_equal(p, fresh32.params[name])
    assert model64.forward(x).dtype == np.float32


def test_sequential_api():
    rng = np.random.default_rng(10)
    layers = [Flatten(), Dense(4, 3, rng=rng)]
    a, b = Sequential(*layers), Sequential(layers)
    assert a.layers == b.layers and len(a) == 2 and a[1] is layers[1]
    assert [n for n, _, _ in a.parameters()] == ["1.w", "1.b"]
    x = rng.normal(size=(5, 1, 2, 2))
    np.testing.assert_array_equal(a.predict(x), a.forward(x).argmax(axis=1))
    np.testing.assert_allclose(a.predict_scores(x, batch_size=2), a.forward(x))
    text = small_model(rng).summary((1, 6, 6))
    assert "(3, 3, 3)" in text and text.splitlines()[-1].split()[-1] == "83"
    with pytest.raises(TypeError, match="layer 1 must be a cnnedu layer"):
        Sequential(Flatten(), "relu")


# ------------------------------------------------------------------- validation

def test_wrong_input_shape_names_layer_and_expectation():
    conv = Conv2D(1, 16, 3, padding=1, rng=0)
    with pytest.raises(ValueError) as err:
        conv.forward(np.zeros((32, 3, 8, 8)))
    msg = str(err.value)
    assert "Conv2D(C=1, F=16, k=3, stride=1, padding=1)" in msg
    assert "(N, C, H, W) with C=1" in msg and "(32, 3, 8, 8)" in msg
    with pytest.raises(ValueError, match=r"Conv2D.*C=1.*got an array of shape \(8, 8\)"):
        conv.forward(np.zeros((8, 8)))
    with pytest.raises(ValueError, match=r"Dense\(in_features=256.*\(N, in_features\) with "
                                         r"in_features=256.*\(2, 16, 4, 4\).*Flatten"):
        Dense(256, 10, rng=0).forward(np.zeros((2, 16, 4, 4)))
    with pytest.raises(ValueError, match=r"MaxPool2D.*\(N, C, H, W\).*\(4, 4\)"):
        MaxPool2D(2).forward(np.zeros((4, 4)))
    with pytest.raises(TypeError, match="numeric"):
        Activation("relu").forward("abc")


def test_backward_before_forward_and_wrong_dy():
    for layer in (Conv2D(1, 2, 3, rng=0), Dense(2, 2, rng=0), MaxPool2D(2), Flatten(),
                  Activation("relu")):
        with pytest.raises(RuntimeError, match=r"backward: call forward first"):
            layer.backward(np.zeros((1, 2)))
    with pytest.raises(RuntimeError, match=r"Dense.*call forward first"):
        Sequential(Flatten(), Dense(4, 2, rng=0)).backward(np.zeros((1, 2)))
    dense = Dense(3, 2, rng=0)
    dense.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"dy must have the shape of the last output, "
                                         r"\(4, 2\); got an array of shape \(4, 3\)"):
        dense.backward(np.zeros((4, 3)))


def test_loss_label_errors():
    z = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"labels must be class indices in 0..3 .*K=4.*got 4"):
        softmax_cross_entropy(z, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match=r"class indices in 0..3.*got -1"):
        softmax_cross_entropy(z, np.array([0, -1, 1]))
    with pytest.raises(ValueError, match=r"one entry per row of logits.*\(3,\); got 2 labels"):
        softmax_cross_entropy(z, np.array([0, 1]))
    with pytest.raises(ValueError, match=r"integer class indices.*float64"):
        softmax_cross_entropy(z, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"logits must have shape \(N, K\)"):
        softmax_cross_entropy(np.zeros((2, 3, 4)), np.array([0, 1]))


# ------------------------------------------------------------------------- SGD

def test_sgd_momentum_rule_by_hand():
    dense = Dense(2, 1, init="zeros")
    opt = SGD(dense, lr=0.5, momentum=0.9, weight_decay=0.1)
    grads = [np.array([[1.0, -2.0]]), np.array([[0.5, 0.0]]), np.array([[-1.0, 1.0]])]
    p, v = np.zeros((1, 2)), np.zeros((1, 2))
    for g in grads:
        dense.grads["w"][...] = g
        dense.grads["b"][...] = 0.0
        opt.step()
        gg = g + 0.1 * p
        v = 0.9 * v + gg
        p = p - 0.5 * v
        np.testing.assert_allclose(dense.params["w"], p, rtol=1e-14)
    assert repr(opt) == "SGD(lr=0.5, momentum=0.9, weight_decay=0.1)"
    plain = Dense(2, 1, init="zeros")
    SGD(plain, lr=0.1, momentum=0.0).step()  # zero grads: nothing moves
    assert not plain.params["w"].any()
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        SGD(plain, lr=0.0)
    with pytest.raises(TypeError, match="parameters"):
        SGD([1, 2], lr=0.1)


# --------------------------------------------------------------------- training

def bars_model(rng):
    return Sequential(Conv2D(1, 4, 3, padding=1, rng=rng), Activation("relu"),
                      MaxPool2D(2), Flatten(), Dense(4 * 6 * 6, 4, rng=rng))


def test_tiny_training_run_learns_bars():
    x, y = make_bars(240, size=12, thickness=1.5, noise=0.05, seed=0)
    x_te, y_te = make_bars(80, size=12, thickness=1.5, noise=0.05, seed=1)
    model = bars_model(np.random.default_rng(0))
    before = evaluate(model, x_te, y_te)
    steps, epochs = [], []
    history = fit(model, x, y, epochs=8, batch_size=16, lr=0.05, seed=0,
                  validation=(x_te, y_te),
                  on_step=lambda e, s, loss: steps.append((e, s)),
                  on_epoch=lambda e, h: epochs.append((e, len(h["loss"]))))
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history["loss"]) == 8 and len(steps) == 8 * 15
    assert epochs == [(e, e + 1) for e in range(8)]
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["val_loss"][-1] < before[0]
    assert accuracy(model, x_te, y_te) >= 0.9 > before[1]
    assert accuracy(model, x_te, y_te) == history["val_accuracy"][-1]


def test_fit_is_reproducible_and_shuffles():
    x, y = make_bars(64, size=10, seed=2)
    runs = []
    for seed in (0, 0, 1):
        model = Sequential(Flatten(), Dense(100, 4, rng=3))
        runs.append(fit(model, x, y, epochs=2, batch_size=8, seed=seed)["loss"])
    assert runs[0] == runs[1] and runs[0] != runs[2]


def test_train_epoch_without_shuffle_and_last_partial_batch():
    x, y = make_bars(10, size=10, seed=3)
    model = Sequential(Flatten(), Dense(100, 4, rng=0))
    seen = []
    loss, acc = train_epoch(model, x, y, SGD(model, lr=0.01), batch_size=4,
                            on_step=lambda e, s, l: seen.append(s))
    assert seen == [0, 1, 2] and 0 <= acc <= 1 and loss > 0


def test_training_input_errors():
    model = Sequential(Flatten(), Dense(4, 2, rng=0))
    x = np.zeros((5, 1, 2, 2))
    with pytest.raises(ValueError, match=r"same length N.*\(5, 1, 2, 2\) and 4 labels"):
        fit(model, x, np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="integer labels"):
        accuracy(model, x, np.zeros(5))
    with pytest.raises(ValueError, match="batch_size must be a positive integer; got 0"):
        fit(model, x, np.zeros(5, dtype=int), batch_size=0)
    with pytest.raises(ValueError, match=r"class indices in 0..1.*got 7"):
        accuracy(model, x, np.array([0, 1, 7, 0, 1]))


def test_optim_module_names():
    assert optim.SGD is SGD and optim.fit is fit and losses.softmax is softmax


# ------------------------------------------------ skipping the input gradient of layer 0

def test_sequential_skips_first_layer_input_gradient():
    rng = np.random.default_rng(11)
    model = small_model(rng)
    x = rng.normal(size=(3, 1, 6, 6))
    dy = rng.normal(size=model.forward(x).shape)
    assert model.needs_input_grad is False and model[0].needs_input_grad is False
    assert all(layer.needs_input_grad for layer in model.layers[1:])
    assert model.backward(dy) is None
    skipped = {k: g.copy() for k, g in model.grads.items()}
    model.needs_input_grad = True
    dx = model.backward(dy)
    assert dx.shape == x.shape and model[0].needs_input_grad is True
    # the parameter gradients do not depend on whether dx was computed
    for k, g in model.grads.items():
        np.testing.assert_array_equal(g, skipped[k])


@pytest.mark.parametrize("layer, x", [
    (Conv2D(2, 3, 3, padding=1, rng=0), np.ones((2, 2, 5, 4))),
    (Conv2D(2, 3, 7, padding=3, rng=0), np.ones((1, 2, 50, 50))),  # the FFT path
    (Conv2D(1, 2, 3, rng=0), np.ones((2, 1, 5, 5))),  # few channels: the offsets path
    (Conv2D(2, 3, 3, stride=2, rng=0), np.ones((2, 2, 7, 6))),
    (Dense(4, 3, rng=0), np.ones((2, 4)))])
def test_layer_without_input_gradient(layer, x):
    y = layer.forward(x)
    dy = np.random.default_rng(0).normal(size=y.shape)
    dx = layer.backward(dy)
    full = {k: g.copy() for k, g in layer.grads.items()}
    layer.needs_input_grad = False
    assert layer.backward(dy) is None
    for k, g in layer.grads.items():
        np.testing.assert_allclose(g, full[k], rtol=1e-12, atol=1e-12)
    assert dx.shape == x.shape


def test_conv2d_backward_input_grad_false():
    rng = np.random.default_rng(12)
    x, w, dy = rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=(2, 4, 4, 3))
    dx, dw, db = conv2d_backward(dy, x, w)
    none, dw2, db2 = conv2d_backward(dy, x, w, input_grad=False)
    assert none is None
    np.testing.assert_array_equal(dw, dw2)
    np.testing.assert_array_equal(db, db2)
    with pytest.raises(TypeError, match="input_grad must be True or False; got str 'no'"):
        conv2d_backward(dy, x, w, input_grad="no")
    with pytest.raises(TypeError, match="needs_input_grad must be True or False"):
        Sequential(Dense(2, 2, rng=0)).needs_input_grad = 1


def test_conv2d_layer_validates_once_and_still_refuses_bad_input():
    conv = Conv2D(2, 3, 3, rng=0)
    conv.forward(np.ones((2, 2, 5, 5)))
    assert len(conv._checked) == 1
    conv.forward(np.ones((4, 2, 5, 5)))  # another batch size: the same entry serves
    assert len(conv._checked) == 1
    with pytest.raises(ValueError, match="larger than|kernel"):
        conv.forward(np.ones((1, 2, 2, 2)))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\) with C=2"):
        conv.forward(np.ones((1, 3, 5, 5)))
    # a float32 layer fed float64 takes the validated path (float64 result, no crash)
    conv32 = Conv2D(2, 3, 3, rng=0, dtype=np.float32)
    assert conv32.forward(np.ones((1, 2, 5, 5))).dtype == np.float64
    assert conv32.backward(np.ones((1, 3, 3, 3))).shape == (1, 2, 5, 5)


@pytest.mark.parametrize("stride", [None, 1])
def test_maxpool_gradient_goes_to_the_nan(stride):
    # the case: y is NaN, so its gradient belongs to the NaN (as PyTorch), not to 1.0
    x = np.array([[[[1.0, 0.0], [0.0, np.nan]]]])
    pool = MaxPool2D(2, stride=stride)
    assert np.isnan(pool.forward(x)).all()
    np.testing.assert_array_equal(pool.backward(np.ones((1, 1, 1, 1))),
                                  [[[[0.0, 0.0], [0.0, 1.0]]]])
    # two NaNs in one window: the last one in row-major order (PyTorch's rule)
    x2 = np.array([[[[np.nan, 5.0], [np.nan, 0.0]]]])
    pool.forward(x2)
    np.testing.assert_array_equal(pool.backward(np.ones((1, 1, 1, 1))),
                                  [[[[0.0, 0.0], [1.0, 0.0]]]])
    # overlapping windows with stride 1 on a 3x3: hard-coded from PyTorch
    x3 = np.array([[[[1.0, 0, np.nan], [0, np.nan, 2.0], [3, 1, 1]]]])
    p1 = MaxPool2D(2, stride=1)
    assert np.isnan(p1.forward(x3)).all()
    np.testing.assert_array_equal(p1.backward(np.ones((1, 1, 2, 2))),
                                  [[[[0, 0, 0], [0, 4.0, 0], [0, 0, 0]]]])
