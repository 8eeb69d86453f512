"""cnnedu.topics.init_derivations against independent numbers: PyTorch's documented default
(1/sqrt(fan_in)), the truncated normal's constant in cnnedu.nn.init, and measured stds."""
import math

import numpy as np
import pytest

from cnnedu.nn import init
from cnnedu.topics.depth import depth_profile
from cnnedu.topics.init_derivations import (he_uniform_limit, kaiming_uniform_limit,
                                            relu_rms_prediction, truncated_std,
                                            truncated_std_numeric)


def test_he_uniform_limit_matches_the_package_draws():
    shape = (32, 8, 3, 5)
    w = init.he_uniform(shape, np.random.default_rng(0))
    assert np.abs(w).max() <= he_uniform_limit(shape)
    assert np.abs(w).max() > 0.99 * he_uniform_limit(shape)
    assert he_uniform_limit(shape) == pytest.approx(math.sqrt(6 / 120))


@pytest.mark.parametrize("fan_in", [1, 27, 75, 576])
def test_pytorch_default_is_one_over_sqrt_fan_in(fan_in):
    assert kaiming_uniform_limit(fan_in, math.sqrt(5)) == pytest.approx(1 / math.sqrt(fan_in))
    assert kaiming_uniform_limit(fan_in, 0.0) == pytest.approx(math.sqrt(6 / fan_in))
    d = init.describe("pytorch_default", (8, fan_in, 1, 1))
    assert d.limit == pytest.approx(kaiming_uniform_limit(fan_in, math.sqrt(5)))


@pytest.mark.parametrize("c", [0.5, 1.0, 2.0, 3.0])
def test_truncated_std_closed_form_and_integration_agree(c):
    assert truncated_std_numeric(c) == pytest.approx(truncated_std(c), rel=1e-8)
    rng = np.random.default_rng(0)
    z = rng.standard_normal(400_000)
    assert z[np.abs(z) <= c].std() == pytest.approx(truncated_std(c), rel=5e-3)


def test_truncated_std_at_two_is_the_package_constant():
    assert truncated_std(2.0) == pytest.approx(init.TRUNCATED_NORMAL_STD_CORRECTION, rel=1e-12)


def test_relu_rms_prediction_against_a_wide_stack():
    """He at 32 channels: the measured root mean square after 6 layers is near 1."""
    assert relu_rms_prediction(math.sqrt(2 / 288), 288, 6) == pytest.approx(1.0)
    p = depth_profile("normal", "relu", depth=6, channels=32, size=32,
                      init_options={"std": 0.05}, keep_all=True)
    h = p.layer_arrays(6)[0]
    rms = float(np.sqrt(np.mean(h ** 2)))
    assert rms == pytest.approx(relu_rms_prediction(0.05, 288, 6), rel=0.5)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="c must be > 0"):
        truncated_std(0)
    with pytest.raises(TypeError):
        kaiming_uniform_limit(2.5, 0.0)
    with pytest.raises(ValueError):
        relu_rms_prediction(0.1, 0, 3)
