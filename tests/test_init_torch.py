"""cnnedu.nn.init against PyTorch's own layers and initializers (skipped without torch)."""
import math

import numpy as np
import pytest

from cnnedu.nn import init

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("shape", [(256, 64, 3, 3), (20, 3, 5, 5), (16, 4, 3, 5),
                                   (10, 784), (6, 2, 5)])
def test_fans_match_pytorch(shape):
    t = torch.empty(shape)
    assert init.fans(shape) == torch.nn.init._calculate_fan_in_and_fan_out(t)


def _bounds_and_std(values, bound, std, n):
    assert np.all(np.abs(values) <= bound)
    assert values.max() > bound * (1 - 0.01) and values.min() < -bound * (1 - 0.01)
    assert abs(values.std() - std) < 5 * std / math.sqrt(2 * n)


def test_pytorch_default_matches_conv2d():
    torch.manual_seed(0)
    layer = torch.nn.Conv2d(64, 256, kernel_size=3)
    tw = layer.weight.detach().numpy().astype(np.float64)
    d = init.describe("pytorch_default", tuple(tw.shape))
    assert d.limit == pytest.approx(1 / math.sqrt(64 * 9), rel=1e-12)
    _bounds_and_std(tw, d.limit, d.std, tw.size)
    ours = init.pytorch_default(tw.shape, np.random.default_rng(0))
    _bounds_and_std(ours, d.limit, d.std, ours.size)
    assert ours.std() == pytest.approx(tw.std(), rel=0.02)

    # the bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in)); many layers to get enough samples
    torch.manual_seed(1)
    tb = np.concatenate([torch.nn.Conv2d(64, 256, 3).bias.detach().numpy()
                         for _ in range(20)]).astype(np.float64)
    _bounds_and_std(tb, d.limit, d.std, tb.size)
    ob = init.init_bias("pytorch_default", 5120, 576, np.random.default_rng(1))
    _bounds_and_std(ob, d.limit, d.std, ob.size)


def test_pytorch_default_matches_linear():
    torch.manual_seed(2)
    layer = torch.nn.Linear(300, 512)
    tw = layer.weight.detach().numpy().astype(np.float64)
    assert init.fans(tw.shape) == (300, 512)
    d = init.describe("pytorch_default", tw.shape)
    _bounds_and_std(tw, d.limit, d.std, tw.size)
    assert np.all(np.abs(layer.bias.detach().numpy()) <= 1 / math.sqrt(300))


@pytest.mark.parametrize("ours, theirs", [
    ("he_uniform", lambda t: torch.nn.init.kaiming_uniform_(t, nonlinearity="relu")),
    ("glorot_uniform", torch.nn.init.xavier_uniform_),
    ("pytorch_default", lambda t: torch.nn.init.kaiming_uniform_(t, a=math.sqrt(5))),
])
def test_uniform_bounds_match_pytorch_initializers(ours, theirs):
    torch.manual_seed(3)
    shape = (128, 64, 3, 3)
    tw = theirs(torch.empty(shape, dtype=torch.float64)).numpy()
    d = init.describe(ours, shape)
    _bounds_and_std(tw, d.limit, d.std, tw.size)


@pytest.mark.parametrize("ours, theirs", [
    ("he_normal", lambda t: torch.nn.init.kaiming_normal_(t, nonlinearity="relu")),
    ("glorot_normal", torch.nn.init.xavier_normal_),
])
def test_normal_std_matches_pytorch(ours, theirs):
    # PyTorch's normals are not truncated, but aim at the same std
    torch.manual_seed(4)
    shape = (128, 64, 3, 3)
    tw = theirs(torch.empty(shape, dtype=torch.float64)).numpy()
    d = init.describe(ours, shape)
    assert abs(tw.std() - d.std) < 5 * d.std / math.sqrt(2 * tw.size)


def test_truncated_normal_matches_pytorch_trunc_normal():
    torch.manual_seed(5)
    sigma = 0.1 / init.TRUNCATED_NORMAL_STD_CORRECTION
    tw = torch.nn.init.trunc_normal_(torch.empty(200_000, dtype=torch.float64),
                                     std=sigma, a=-2 * sigma, b=2 * sigma).numpy()
    ours = init.truncated_normal((200_000,), np.random.default_rng(5), std=0.1)
    for w in (tw, ours):
        assert np.all(np.abs(w) <= 2 * sigma)
        assert abs(w.std() - 0.1) < 5 * 0.1 / math.sqrt(2 * w.size)


@pytest.mark.parametrize("shape", [(5, 3, 3, 3), (3, 3, 5, 3), (2, 4, 1, 1)])
def test_dirac_matches_pytorch(shape):
    tw = torch.nn.init.dirac_(torch.empty(shape, dtype=torch.float64)).numpy()
    np.testing.assert_array_equal(init.dirac(shape), tw)
    x = torch.randn(2, shape[1], 6, 7, dtype=torch.float64)
    y = torch.nn.functional.conv2d(x, torch.from_numpy(init.dirac(shape)),
                                   padding=(shape[2] // 2, shape[3] // 2))
    m = min(shape[0], shape[1])
    np.testing.assert_array_equal(y[:, :m].numpy(), x[:, :m].numpy())
