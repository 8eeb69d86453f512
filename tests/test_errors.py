"""Clear errors across the public API, tested by kind: every public entry point that takes
a value of some kind, against every kind of bad value of that kind.

A clear error is a ``TypeError`` (wrong kind of thing) or ``ValueError`` (right kind,
wrong value) whose message names the function, what was expected ("must ...") and what
arrived ("got ..."): never a raw numpy or Python message from deep inside, never a silent
acceptance. Good values of unusual types (numpy scalars) must be accepted.
(The conv functions have their own file, tests/test_conv_errors.py.)
"""
from __future__ import annotations

import numpy as np
import pytest

from cnnedu.data import loaders
from cnnedu.nn import activations as act
from cnnedu.nn import init
from cnnedu.nn import losses
from cnnedu.nn import optim
from cnnedu.nn.conv import conv2d, conv2d_backward, correlate2d
from cnnedu.nn.layers import Activation, Conv2D, Dense, Flatten, MaxPool2D, Sequential


def assert_clear(fn, *words):
    """``fn()`` raises TypeError/ValueError naming what was expected and what arrived."""
    with pytest.raises((TypeError, ValueError)) as info:
        fn()
    msg = str(info.value)
    assert "got" in msg and ("must" in msg or "expected" in msg), msg
    for w in words:
        assert w in msg, msg
    return msg


def tiny_model():
    return Sequential(Flatten(), Dense(4, 2, rng=0))


X4 = np.zeros((6, 1, 2, 2))
Y4 = np.array([0, 1, 0, 1, 1, 0])

# ------------------------------------------------------------------------------ dtypes

BAD_DTYPES = ["banana", 3, None, np.int32, np.float16, "float32 ", np.complex128, True]
DTYPE_ENTRY_POINTS = {
    "Conv2D": lambda d: Conv2D(3, 8, 3, dtype=d),
    "Dense": lambda d: Dense(4, 3, dtype=d),
    "Layer.astype": lambda d: Dense(4, 3, rng=0).astype(d),
    "Sequential.astype": lambda d: tiny_model().astype(d),
    "load_image": lambda d: loaders.load_image("camera", dtype=d),
    "load_grey_image": lambda d: loaders.load_grey_image("camera", dtype=d),
    "load_digits": lambda d: loaders.load_digits(dtype=d),
}


@pytest.mark.parametrize("entry", DTYPE_ENTRY_POINTS)
@pytest.mark.parametrize("dtype", BAD_DTYPES, ids=repr)
def test_bad_dtype(entry, dtype):
    assert_clear(lambda: DTYPE_ENTRY_POINTS[entry](dtype), "float32 or float64")


@pytest.mark.parametrize("entry", DTYPE_ENTRY_POINTS)
@pytest.mark.parametrize("dtype", [np.float32, "float32", np.dtype("float64"), float])
def test_good_dtype_spellings(entry, dtype):
    DTYPE_ENTRY_POINTS[entry](dtype)


# ------------------------------------------------------------------------ seeds and rngs

BAD_SEEDS = [-1, "abc", 2.5, 2.0, True, [1, 2], np.float32(1), object()]
SEED_ENTRY_POINTS = {
    "Conv2D rng": lambda r: Conv2D(1, 2, 3, rng=r),
    "Dense rng": lambda r: Dense(4, 3, rng=r),
    "fit seed": lambda r: optim.fit(tiny_model(), X4, Y4, epochs=1, seed=r),
    "train_epoch rng": lambda r: optim.train_epoch(tiny_model(), X4, Y4,
                                                   optim.SGD(Dense(4, 2, rng=0)), rng=r),
    "init.he_normal rng": lambda r: init.he_normal((3, 4), r),
    "init.init_bias rng": lambda r: init.init_bias("pytorch_default", 3, 4, r),
}


@pytest.mark.parametrize("entry", SEED_ENTRY_POINTS)
@pytest.mark.parametrize("seed", BAD_SEEDS, ids=repr)
def test_bad_seed_or_rng(entry, seed):
    if entry.startswith("init.") and seed is True:
        pytest.skip("init takes a Generator only")
    assert_clear(lambda: SEED_ENTRY_POINTS[entry](seed))


@pytest.mark.parametrize("entry", ["Conv2D rng", "Dense rng", "fit seed", "train_epoch rng"])
@pytest.mark.parametrize("seed", [0, np.int64(7), np.random.default_rng(1)], ids=repr)
def test_good_seeds(entry, seed):
    SEED_ENTRY_POINTS[entry](seed)


def test_seed_gives_reproducible_layers():
    assert np.array_equal(Dense(4, 3, rng=5).params["w"], Dense(4, 3, rng=np.int64(5)).params["w"])


# ---------------------------------------------------------------------------- callables

BAD_CALLABLES = {
    "not callable": 5,
    "a string": "not_a_scheme_at_all",
    "wrong arity (1)": lambda a: a,
    "wrong arity (4)": lambda a, b, c, d: a,
}
CALLABLE_ENTRY_POINTS = {
    "Dense init": lambda f: Dense(4, 3, init=f),
    "Dense bias_init": lambda f: Dense(4, 3, bias_init=f),
    "Conv2D init": lambda f: Conv2D(1, 2, 3, init=f),
    "fit loss": lambda f: optim.fit(tiny_model(), X4, Y4, epochs=1, loss=f),
    "fit on_step": lambda f: optim.fit(tiny_model(), X4, Y4, epochs=1, on_step=f),
    "fit on_epoch": lambda f: optim.fit(tiny_model(), X4, Y4, epochs=1, on_epoch=f),
    "evaluate loss": lambda f: optim.evaluate(tiny_model(), X4, Y4, loss=f),
}


@pytest.mark.parametrize("entry", CALLABLE_ENTRY_POINTS)
@pytest.mark.parametrize("kind", BAD_CALLABLES)
def test_bad_callable(entry, kind):
    assert_clear(lambda: CALLABLE_ENTRY_POINTS[entry](BAD_CALLABLES[kind]))


BAD_INIT_RESULTS = {
    "a string": lambda s, r: "abc",
    "None": lambda s, r: None,
    "wrong shape": lambda s, r: np.zeros(7),
    "NaN": lambda s, r: np.full(s, np.nan),
    "inf": lambda s, r: np.full(s, np.inf),
    "complex": lambda s, r: np.zeros(s) + 1j,
    "objects": lambda s, r: np.full(s, object()),
}


@pytest.mark.parametrize("layer", ["Dense", "Conv2D"])
@pytest.mark.parametrize("what", ["init", "bias_init"])
@pytest.mark.parametrize("kind", BAD_INIT_RESULTS)
def test_initializer_returning_junk(layer, what, kind):
    make = (lambda **kw: Dense(4, 3, **kw)) if layer == "Dense" else (lambda **kw: Conv2D(1, 2, 3, **kw))
    msg = assert_clear(lambda: make(**{what: BAD_INIT_RESULTS[kind]}))
    assert msg.startswith(f"{layer}: {what}")


BAD_LOSS_RESULTS = {
    "None": lambda z, t: None,
    "a number only": lambda z, t: 1.0,
    "wrong shape": lambda z, t: (1.0, np.zeros(3)),
    "strings": lambda z, t: ("a", "b"),
}


@pytest.mark.parametrize("kind", BAD_LOSS_RESULTS)
@pytest.mark.parametrize("entry", ["fit", "evaluate"])
def test_loss_returning_junk(kind, entry):
    f = BAD_LOSS_RESULTS[kind]
    run = ((lambda: optim.fit(tiny_model(), X4, Y4, epochs=1, loss=f)) if entry == "fit"
           else (lambda: optim.evaluate(tiny_model(), X4, Y4, loss=f)))
    assert_clear(run, "loss")


# -------------------------------------------------------------------------- batch sizes

BAD_BATCH_SIZES = [0, -1, 2.5, 2.0, "4", True, np.float32(2), [2]]
BATCH_ENTRY_POINTS = {
    "Sequential.predict_scores": lambda b: tiny_model().predict_scores(X4, batch_size=b),
    "Sequential.predict": lambda b: tiny_model().predict(X4, batch_size=b),
    "accuracy": lambda b: optim.accuracy(tiny_model(), X4, Y4, batch_size=b),
    "evaluate": lambda b: optim.evaluate(tiny_model(), X4, Y4, batch_size=b),
    "fit": lambda b: optim.fit(tiny_model(), X4, Y4, epochs=1, batch_size=b),
    "train_epoch": lambda b: optim.train_epoch(tiny_model(), X4, Y4,
                                               optim.SGD(Dense(4, 2, rng=0)), batch_size=b),
}


@pytest.mark.parametrize("entry", BATCH_ENTRY_POINTS)
@pytest.mark.parametrize("batch_size", BAD_BATCH_SIZES, ids=repr)
def test_bad_batch_size(entry, batch_size):
    assert_clear(lambda: BATCH_ENTRY_POINTS[entry](batch_size), "batch_size")


@pytest.mark.parametrize("entry", BATCH_ENTRY_POINTS)
@pytest.mark.parametrize("batch_size", [1, 4, 100, np.int64(3)], ids=repr)
def test_good_batch_sizes(entry, batch_size):
    BATCH_ENTRY_POINTS[entry](batch_size)


def test_batched_predictions_equal_whole():
    m = tiny_model()
    x = np.random.default_rng(0).normal(size=(7, 1, 2, 2))
    np.testing.assert_allclose(m.predict_scores(x, batch_size=3), m.predict_scores(x))


# ------------------------------------------------------------------------ real numbers

BAD_REALS = ["0.1", None, np.nan, np.inf, True, 1j, [0.1]]
REAL_ENTRY_POINTS = {
    "SGD lr": lambda v: optim.SGD(Dense(2, 2, rng=0), lr=v),
    "SGD momentum": lambda v: optim.SGD(Dense(2, 2, rng=0), momentum=v),
    "SGD weight_decay": lambda v: optim.SGD(Dense(2, 2, rng=0), weight_decay=v),
    "fit lr": lambda v: optim.fit(tiny_model(), X4, Y4, epochs=1, lr=v),
    "leaky_relu alpha": lambda v: act.leaky_relu(np.ones(3), alpha=v),
    "elu_grad alpha": lambda v: act.elu_grad(np.ones(3), alpha=v),
    "Activation alpha": lambda v: Activation("leaky_relu", alpha=v),
    "init.normal std": lambda v: init.normal((2, 2), np.random.default_rng(0), std=v),
    "init.orthogonal gain": lambda v: init.orthogonal((2, 2), np.random.default_rng(0), gain=v),
    "init.constant value": lambda v: init.constant((2, 2), value=v),
}


@pytest.mark.parametrize("entry", REAL_ENTRY_POINTS)
@pytest.mark.parametrize("value", BAD_REALS, ids=repr)
def test_bad_real(entry, value):
    assert_clear(lambda: REAL_ENTRY_POINTS[entry](value))


@pytest.mark.parametrize("entry", REAL_ENTRY_POINTS)
@pytest.mark.parametrize("value", [np.float32(0.25), 0.5, 1], ids=repr)
def test_good_reals_including_numpy_scalars(entry, value):
    REAL_ENTRY_POINTS[entry](value)


@pytest.mark.parametrize("entry", ["SGD lr", "fit lr", "init.normal std", "init.orthogonal gain"])
@pytest.mark.parametrize("value", [0, -0.1])
def test_non_positive_where_positive_is_needed(entry, value):
    assert_clear(lambda: REAL_ENTRY_POINTS[entry](value))


# ------------------------------------------------------------------------------ arrays

BAD_ARRAYS = {
    "string": "abc",
    "ragged": [[1.0, 2.0], [3.0]],
    "strings": np.array(["a", "b"]),
    "complex": np.array([[1 + 1j, 0.0]]),
    "None": None,
    "object": object(),
}
ARRAY_ENTRY_POINTS = {
    **{name: getattr(act, name) for name in (
        "identity", "relu", "relu_grad", "leaky_relu", "leaky_relu_grad", "sigmoid",
        "sigmoid_grad", "tanh", "tanh_grad", "gelu", "gelu_grad", "elu", "elu_grad",
        "softplus", "softplus_grad")},
    "softmax": losses.softmax,
    "log_softmax": losses.log_softmax,
    "softmax_cross_entropy": lambda z: losses.softmax_cross_entropy(z, [0]),
    "Dense.forward": lambda x: Dense(2, 2, rng=0).forward(x),
    "Conv2D.forward": lambda x: Conv2D(1, 1, 1, rng=0).forward(x),
    "MaxPool2D.forward": lambda x: MaxPool2D(2).forward(x),
    "Flatten.forward": lambda x: Flatten().forward(x),
    "Activation.forward": lambda x: Activation("tanh").forward(x),
    "Sequential.forward": lambda x: tiny_model().forward(x),
    "conv2d": lambda x: conv2d(x, np.ones((1, 1, 1, 1))),
    "correlate2d": lambda x: correlate2d(x, np.ones((1, 1))),
}


@pytest.mark.parametrize("entry", ARRAY_ENTRY_POINTS)
@pytest.mark.parametrize("kind", BAD_ARRAYS)
def test_bad_array(entry, kind):
    assert_clear(lambda: ARRAY_ENTRY_POINTS[entry](BAD_ARRAYS[kind]))


@pytest.mark.parametrize("layer", ["Dense", "Conv2D", "MaxPool2D", "Flatten", "Activation"])
@pytest.mark.parametrize("kind", ["string", "None", "complex", "wrong shape"])
def test_bad_upstream_gradient(layer, kind):
    lay, x = {"Dense": (Dense(2, 2, rng=0), np.ones((1, 2))),
              "Conv2D": (Conv2D(1, 1, 1, rng=0), np.ones((1, 1, 2, 2))),
              "MaxPool2D": (MaxPool2D(2), np.ones((1, 1, 2, 2))),
              "Flatten": (Flatten(), np.ones((1, 1, 2, 2))),
              "Activation": (Activation("relu"), np.ones((1, 2)))}[layer]
    y = lay.forward(x)
    dy = {"string": "abc", "None": None, "complex": np.ones(y.shape) * 1j,
          "wrong shape": np.ones(y.shape + (1,))}[kind]
    assert_clear(lambda: lay.backward(dy), "dy")


def test_backward_before_forward():
    with pytest.raises(RuntimeError, match="call forward first"):
        Dense(2, 2, rng=0).backward(np.ones((1, 2)))


# ------------------------------------------------------------------------------- names

BAD_NAMES = ["banana", "", 3, None, "ReLU "]
NAME_ENTRY_POINTS = {
    "activations.get": act.get,
    "Activation": Activation,
    "init.get": init.get,
    "Dense init name": lambda n: Dense(2, 2, init=n),
    "Conv2D bias_init name": lambda n: Conv2D(1, 1, 1, bias_init=n),
}


@pytest.mark.parametrize("entry", NAME_ENTRY_POINTS)
@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
def test_bad_name(entry, name):
    if name is None and entry == "Conv2D bias_init name":
        pytest.skip("bias_init=None is the default: the bias that goes with init")
    assert_clear(lambda: NAME_ENTRY_POINTS[entry](name))


# ------------------------------------------------------------------ shapes and counts

BAD_SHAPES = [(-1, 2), (2.5, 2), "ab", (0, 3), None, (True, 2)]


@pytest.mark.parametrize("fn", [init.he_normal, init.glorot_uniform, init.pytorch_default,
                                init.orthogonal, init.normal])
@pytest.mark.parametrize("shape", BAD_SHAPES, ids=repr)
def test_bad_init_shape(fn, shape):
    assert_clear(lambda: fn(shape, np.random.default_rng(0)), "shape")


BAD_COUNTS = [0, -1, 2.5, "2", True, None]


@pytest.mark.parametrize("entry", ["Dense in", "Dense out", "Conv2D C", "Conv2D F",
                                   "Conv2D kernel", "MaxPool2D size", "Conv2D stride"])
@pytest.mark.parametrize("value", BAD_COUNTS, ids=repr)
def test_bad_count(entry, value):
    make = {"Dense in": lambda v: Dense(v, 2), "Dense out": lambda v: Dense(2, v),
            "Conv2D C": lambda v: Conv2D(v, 2, 3), "Conv2D F": lambda v: Conv2D(1, v, 3),
            "Conv2D kernel": lambda v: Conv2D(1, 2, v), "MaxPool2D size": lambda v: MaxPool2D(v),
            "Conv2D stride": lambda v: Conv2D(1, 2, 3, stride=v)}[entry]
    assert_clear(lambda: make(value))


BAD_LABELS = [[0.5], ["a"], [[0]], [5], [-1], [True]]


@pytest.mark.parametrize("labels", BAD_LABELS, ids=repr)
def test_bad_labels(labels):
    assert_clear(lambda: losses.softmax_cross_entropy([[1.0, 0.0]], labels), "labels")


@pytest.mark.parametrize("bad", [None, 3, "x", [1]], ids=repr)
def test_bad_models_and_layers(bad):
    assert_clear(lambda: Sequential(bad))
    assert_clear(lambda: optim.SGD(bad))
    assert_clear(lambda: optim.fit(bad, X4, Y4, epochs=1))


# ------------------------------------------------------------------- infinite logits

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_cross_entropy_stable_for_infinite_logits(dtype):
    with np.errstate(all="raise"):  # no NaN arithmetic, no warnings
        z = np.array([[np.inf, 0.0]], dtype=dtype)
        loss, d = losses.softmax_cross_entropy(z, [0])
        assert loss == 0.0 and np.array_equal(d, [[0.0, 0.0]]) and d.dtype == dtype
        loss, d = losses.softmax_cross_entropy(z, [1])
        assert loss == np.inf and np.array_equal(d, [[1.0, -1.0]])
        loss, d = losses.softmax_cross_entropy(np.array([[np.inf, np.inf, 0.0]], dtype), [1])
        assert loss == pytest.approx(np.log(2)) and np.allclose(d, [[0.5, -0.5, 0.0]])
        loss, d = losses.softmax_cross_entropy(np.array([[-np.inf, 0.0, 1.0]], dtype), [2])
        assert np.isfinite(loss) and d[0, 0] == 0.0
        np.testing.assert_array_equal(losses.softmax(np.array([[np.inf, 0.0]], dtype)), [[1.0, 0.0]])
        np.testing.assert_allclose(losses.log_softmax(np.array([[-np.inf, -np.inf]], dtype)),
                                   np.log([[0.5, 0.5]]), rtol=1e-6)
        np.testing.assert_array_equal(losses.log_softmax(np.array([[np.inf, 0.0]], dtype)),
                                      [[0.0, -np.inf]])


def test_nan_logits_give_nan_not_an_exception():
    loss, d = losses.softmax_cross_entropy([[np.nan, 0.0], [1.0, 0.0]], [0, 0])
    assert np.isnan(loss) and np.isnan(d[0]).all() and np.isfinite(d[1]).all()


def test_conv2d_backward_input_grad_must_be_bool():
    x, w = np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2))
    assert_clear(lambda: conv2d_backward(np.ones((1, 1, 2, 2)), x, w, input_grad=None),
                 "input_grad")
