"""TrainAndWatch without a browser: every control value gives a picture or a message."""
import asyncio

import numpy as np
import pytest

from cnnedu.viz.render import png_to_array
from cnnedu.nn.training import INITIALIZERS
from cnnedu.widgets.train_and_watch import STEPS_PER_TICK, TrainAndWatch


@pytest.fixture
def w():
    return TrainAndWatch(max_epochs=1)


def pixels(panel):
    return png_to_array(panel.image.value)


def test_tick_trains_and_redraws(w):
    before = pixels(w.p_filters)
    w.tick()
    assert w.trainer.steps == STEPS_PER_TICK
    assert np.any(pixels(w.p_filters) != before)
    assert "batch 5" in w.status.value


def test_reset_returns_to_the_seeded_start(w):
    start = w.trainer.filters
    w.tick()
    w.reset()
    assert w.trainer.steps == 0
    np.testing.assert_array_equal(w.trainer.filters, start)


def test_start_runs_in_the_background_and_pause_stops_it(w):
    async def scenario():
        w.start()
        assert w.running and w.b_start.disabled and w.lr_box.disabled
        await asyncio.sleep(0.3)
        w.pause()
        steps = w.trainer.steps
        await asyncio.sleep(0.1)
        return steps

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        steps = loop.run_until_complete(scenario())
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    assert steps >= STEPS_PER_TICK
    assert w.trainer.steps == steps          # nothing ran after Pause
    assert not w.running and not w.b_start.disabled
    assert "paused" in w.message.text


def test_stops_at_max_epochs(w):
    for _ in range(100):
        w.tick()
    assert w.trainer.epoch == 1 and w.finished
    assert "epochs done" in w.message.text
    w.start()
    assert not w.running and "Reset" in w.message.text


@pytest.mark.parametrize("text", ["abc", "nan", "", "-1", "0", "1e9", "inf", "  "])
def test_bad_learning_rates_give_a_message(w, text):
    w.lr_box.value = text
    assert "learning rate" in w.message.text and w.lr == 0.05
    w.tick()  # still works
    assert w.trainer.steps == STEPS_PER_TICK


@pytest.mark.parametrize("text", ["0.0001", "2", "0.5"])
def test_extreme_learning_rates_train_or_explain(w, text):
    w.lr_box.value = text
    assert w.lr == float(text) and w.trainer.steps == 0
    for _ in range(10):
        w.tick()
    assert w.p_filters.image.value[:4] == b"\x89PNG"
    if not np.isfinite(w.trainer.batch_losses[-1]):
        assert "too large" in w.message.text


def test_every_initializer(w):
    for name in INITIALIZERS:
        w.init_dd.value = name
        assert w.trainer.init == name and w.trainer.steps == 0
        w.tick()
        assert "initializer" in w.message.text or w.message.text == ""
    w.init_dd.value = "constant"
    w.tick()
    f = w.trainer.filters
    assert np.all(f == f[0])


def test_repr_is_stable(w):
    assert repr(w) == "TrainAndWatch: train and watch: the digits CNN trains live (filters, loss, accuracy)"
