"""cnnedu.nn.training: one training path (train is fit; Trainer steps the same run), the
inspection tools, the sanity checks, the learner's plugged-in layer, and clear errors."""
import numpy as np
import pytest

from cnnedu.data import load_digits, train_test_split
from cnnedu.data.synthetic import make_bars
from cnnedu.nn.conv import conv2d, conv2d_backward
from cnnedu.nn.layers import fit
from cnnedu.nn.losses import softmax_cross_entropy
from cnnedu.nn.training import (OwnConv2D, Trainer, build_cnn, build_mlp, feature_maps,
                                filter_spread, gradient_chain, initial_loss, over_seeds,
                                overfit_tiny_batch, top_patches, train, with_own_conv)


@pytest.fixture(scope="module")
def digits():
    x, y = load_digits()
    return train_test_split(x, y, 0.2, seed=0)


def fwd(x, w, b, padding):
    return conv2d(x, w, b, padding=padding)


def bwd(dy, x, w, padding):
    return conv2d_backward(dy, x, w, padding=padding)


def test_train_is_fit_and_trainer_steps_the_same_run(digits):
    x_tr, _, y_tr, _ = digits
    model = build_cnn(seed=3)
    hist = fit(model, x_tr, y_tr, epochs=2, batch_size=32, lr=0.05, momentum=0.9, seed=3)
    run = train(x_tr, y_tr, epochs=2, lr=0.05, seed=3)
    np.testing.assert_array_equal(run.filters, model[0].params["w"])
    assert run.history["loss"] == hist["loss"] and run.history["accuracy"] == hist["accuracy"]
    t = Trainer(x_tr, y_tr, lr=0.05, seed=3)
    t.run_epoch()
    t.run_epoch()
    for key, p in model.params.items():
        np.testing.assert_array_equal(t.model.params[key], p, err_msg=key)
    assert t.history["loss"] == hist["loss"]


def test_float32_stays_float32(digits):
    x_tr, _, y_tr, _ = digits
    t = Trainer(x_tr[:64], y_tr[:64], dtype=np.float32)
    t.step(2)
    assert t.model[0].params["w"].dtype == np.float32
    assert t.model.forward(x_tr[:3].astype(np.float32)).dtype == np.float32


def test_training_passes_95_percent_on_validation_and_is_seeded(digits):
    x_tr, x_val, y_tr, y_val = digits
    a = train(x_tr, y_tr, x_val, y_val, epochs=10, seed=0, score_train=True)
    assert a.history["val_accuracy"][-1] >= 0.95
    assert len(a.history["train_accuracy"]) == 10
    # the running average lags the end-of-epoch score in the first epoch
    assert a.history["train_accuracy"][0] > a.history["accuracy"][0]
    b = train(x_tr, y_tr, x_val, y_val, epochs=1, seed=0)
    assert b.history["loss"][0] == a.history["loss"][0]


def test_snapshots_steps_and_epochs(digits):
    x_tr, _, y_tr, _ = digits
    run = train(x_tr, y_tr, epochs=2, snapshot_steps=(0, 3, 50), snapshot_epochs=(0, 2))
    assert sorted(run.step_snapshots) == [0, 3, 50] and sorted(run.snapshots) == [0, 2]
    assert not np.array_equal(run.step_snapshots[0], run.step_snapshots[3])
    assert run.steps_per_epoch == 45
    # the snapshot after the last batch of epoch 2 is the epoch-2 snapshot
    run2 = train(x_tr, y_tr, epochs=2, snapshot_steps=(90,), snapshot_epochs=(2,))
    np.testing.assert_array_equal(run2.step_snapshots[90], run2.snapshots[2])


def test_symmetry_both_cases(digits):
    x_tr, _, y_tr, _ = digits
    # constant filters and a constant dense layer: the filters stay one filter ...
    const = train(x_tr, y_tr, epochs=2, init="constant")
    assert filter_spread(const.filters) == 0.0
    assert filter_spread(const.snapshots[0] - const.filters) == 0.0
    assert np.abs(const.filters - const.snapshots[0]).max() > 0.05   # ... that did move
    # constant filters read by a random dense layer: they come apart at once
    model = build_cnn("constant", dense_init="pytorch_default", seed=0)
    _, levels = gradient_chain(model, x_tr[:64], y_tr[:64])
    assert filter_spread(levels[3].grad) > 1e-3


def test_gradient_chain_is_the_layers_backward(digits):
    x_tr, _, y_tr, _ = digits
    model = build_cnn(seed=0)
    before = {k: g.copy() for k, g in model.grads.items()}
    loss, levels = gradient_chain(model, x_tr[:16], y_tr[:16])
    assert [lv.name for lv in levels][:5] == ["scores", "features", "feature maps",
                                              "filter weights", "filter biases"]
    assert levels[2].shape == (16, 16, 8, 8) and levels[3].shape == (16, 1, 3, 3)
    assert all(lv.rms > 0 for lv in levels)
    lv = levels[3]
    assert lv.rms == pytest.approx(lv.norm / np.sqrt(lv.grad.size))
    assert abs(loss - np.log(10)) < 0.5
    for k, g in model.grads.items():
        np.testing.assert_array_equal(g, before[k])
    logits = model.forward(x_tr[:16])
    model.backward(softmax_cross_entropy(logits, y_tr[:16])[1])
    np.testing.assert_allclose(levels[3].grad, model[0].grads["w"], atol=1e-12)
    np.testing.assert_allclose(levels[5].grad, model[4].grads["w"], atol=1e-12)


def test_filter_spread_is_rms_about_the_mean():
    w = np.zeros((2, 1, 1, 2))
    w[0, 0, 0] = [1.0, 3.0]
    w[1, 0, 0] = [-1.0, 3.0]
    assert filter_spread(w) == pytest.approx(np.sqrt(4 / 4))
    with pytest.raises(ValueError, match=r"\(F, C, kh, kw\)"):
        filter_spread(np.ones(3))


def test_feature_maps_are_relu_of_conv(digits):
    x_tr = digits[0]
    model = build_cnn(seed=0)
    maps = feature_maps(model, x_tr[0])
    assert maps.shape == (16, 8, 8) and maps.min() >= 0
    np.testing.assert_allclose(maps, np.maximum(model[0].forward(x_tr[:1]), 0)[0])


def test_top_patches_are_the_strongest_responses(digits):
    x_tr = digits[0][:40]
    model = build_cnn(seed=1)
    patches, resp, where = top_patches(model, x_tr, filt=3, n=5)
    z = model[0].forward(x_tr)[:, 3]
    assert resp[0] == pytest.approx(z.max())
    w, b = model[0].params["w"][3], model[0].params["b"][3]
    for p, r in zip(patches, resp):   # each patch times the filter is its response
        assert float(np.sum(p * w) + b) == pytest.approx(r)
    assert len(set(where[:, 0])) == 5
    with pytest.raises(ValueError, match="filt"):
        top_patches(model, x_tr, filt=16)


def test_bars_filters_become_interpretable():
    x, y = make_bars(480, size=28, seed=0, dtype=np.float32)
    xt, yt = make_bars(160, size=28, seed=1, dtype=np.float32)
    run = train(x, y, xt, yt, epochs=3, n_filters=8, kernel_size=7, pool=28, seed=0,
                dtype=np.float32)
    assert run.history["val_accuracy"][-1] >= 0.95


def test_sanity_checks(digits):
    x_tr, _, y_tr, _ = digits
    assert abs(initial_loss(build_cnn(seed=0), x_tr, y_tr) - np.log(10)) < 0.1
    tiny = overfit_tiny_batch(x_tr, y_tr, n=20, epochs=40, seed=0)
    assert tiny.history["accuracy"][-1] == 1.0


def test_over_seeds_and_mlp(digits):
    x_tr, x_val, y_tr, y_val = digits
    r = over_seeds(x_tr[:300], y_tr[:300], x_val, y_val, x_val, y_val, seeds=(0, 1), epochs=2)
    assert r.val_accuracy.shape == (2, 2) and r.test_accuracy.shape == (2,)
    assert r.summary()[1] <= r.summary()[0] <= r.summary()[2]
    np.testing.assert_array_equal(r.test_accuracy, r.val_accuracy[:, -1])
    again = over_seeds(x_tr[:300], y_tr[:300], x_val, y_val, seeds=(0, 1), epochs=2,
                       reuse={0: r.runs[0]})
    assert again.runs[0] is r.runs[0]
    np.testing.assert_array_equal(again.val_accuracy, r.val_accuracy)
    with pytest.raises(ValueError, match="epochs"):
        over_seeds(x_tr[:300], y_tr[:300], x_val, y_val, seeds=(0,), epochs=3,
                   reuse={0: r.runs[0]})
    mlp = build_mlp(32, seed=0)
    assert mlp.n_params == 64 * 32 + 32 + 32 * 10 + 10
    h = fit(mlp, x_tr, y_tr, epochs=3, lr=0.05, seed=0)
    assert h["loss"][-1] < h["loss"][0]


def test_own_conv_layer_equals_conv2d(digits):
    x_tr, _, y_tr, _ = digits
    ref, mine = build_cnn(seed=2), build_cnn(seed=2)
    own = with_own_conv(mine, fwd, bwd)
    assert isinstance(own[0], OwnConv2D) and own[0].params["w"] is mine[0].params["w"]
    for model in (ref, own):
        model.backward(softmax_cross_entropy(model.forward(x_tr[:8]), y_tr[:8])[1])
    for key in ref.grads:
        np.testing.assert_allclose(own.grads[key], ref.grads[key], atol=1e-12)
    a = train(x_tr[:100], y_tr[:100], epochs=1, seed=2)
    b = train(x_tr[:100], y_tr[:100], epochs=1, seed=2,
              model=with_own_conv(build_cnn(seed=2), fwd, bwd))
    np.testing.assert_allclose(a.filters, b.filters, atol=1e-12)


@pytest.mark.parametrize("forward,backward,match", [
    (lambda x, w, b, padding: np.zeros((1, 1)), bwd, "returned y of shape"),
    (lambda x, w, b, padding: fwd(x, w, b, padding) * np.nan, bwd, "NaN"),
    (fwd, lambda dy, x, w, padding: 3, "must return \\(dx, dw, db\\)"),
    (fwd, lambda dy, x, w, padding: (x, w[0], np.zeros(16)), "dw of shape"),
    (fwd, lambda dy, x, w, padding: (x, w, "abc"), "db"),
])
def test_own_conv_layer_refuses_bad_results(forward, backward, match):
    model = with_own_conv(build_cnn(seed=0), forward, backward)
    x = np.zeros((2, 1, 8, 8))
    with pytest.raises(ValueError, match=match):
        model.backward(np.ones((2, 10)) if model.forward(x) is not None else None)


@pytest.mark.parametrize("kwargs,match", [
    ({"init": "nope"}, "init"), ({"kernel_size": 4}, "odd"), ({"pool": 3}, "divide"),
    ({"n_filters": 0}, "n_filters"), ({"n_classes": 1}, "n_classes"),
    ({"dense_init": "nope"}, "dense_init"),
])
def test_build_cnn_bad_input(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        build_cnn(**kwargs)


@pytest.mark.parametrize("seed,kind", [("abc", TypeError), (-1, ValueError), (2.5, TypeError),
                                       (True, TypeError), (None, TypeError)])
@pytest.mark.parametrize("entry", ["train", "Trainer", "build_cnn", "build_mlp"])
def test_bad_seeds_are_named(digits, entry, seed, kind):
    x_tr, _, y_tr, _ = digits
    calls = {"train": lambda: train(x_tr[:40], y_tr[:40], epochs=1, seed=seed),
             "Trainer": lambda: Trainer(x_tr[:40], y_tr[:40], seed=seed),
             "build_cnn": lambda: build_cnn(seed=seed),
             "build_mlp": lambda: build_mlp(seed=seed)}
    with pytest.raises(kind, match=f"{entry}: seed must be an integer"):
        calls[entry]()


def test_trainer_bad_input(digits):
    x_tr, _, y_tr, _ = digits
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        Trainer(x_tr[:, 0], y_tr)
    with pytest.raises(ValueError, match="lr"):
        Trainer(x_tr, y_tr, lr=0)
    with pytest.raises(ValueError, match="momentum"):
        Trainer(x_tr, y_tr, momentum=1.0)
    with pytest.raises(ValueError, match="y_train"):
        Trainer(x_tr, y_tr[:-1])
    with pytest.raises(ValueError, match="x_val and y_val"):
        train(x_tr, y_tr, x_tr)
    with pytest.raises(TypeError, match="build_cnn network"):
        gradient_chain(object(), x_tr[:2], y_tr[:2])
    with pytest.raises(TypeError, match="Sequential"):
        train(x_tr, y_tr, model=object())
