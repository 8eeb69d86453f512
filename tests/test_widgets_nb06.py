"""TrainAndWatch without a browser: every control value gives a picture or a message; the
background loop is stepped explicitly (a sleep the test controls), never by waiting."""
import asyncio
import threading

import numpy as np
import pytest

from cnnedu.viz.render import png_to_array
from cnnedu.nn.training import INITIALIZERS
from cnnedu.widgets.train_and_watch import PACES, STEPS_PER_TICK, TrainAndWatch, plural


class ManualSleep:
    """A stand-in for asyncio.sleep: each call waits until the test calls release()."""

    def __init__(self):
        self.waiting = []
        self.calls = 0

    async def __call__(self, seconds):
        self.calls += 1
        fut = asyncio.get_running_loop().create_future()
        self.waiting.append(fut)
        await fut

    def release(self):
        for fut in self.waiting:
            if not fut.done():
                fut.set_result(None)
        self.waiting.clear()


@pytest.fixture
def w():
    return TrainAndWatch(max_epochs=1)


@pytest.fixture
def loop():
    lp = asyncio.new_event_loop()
    asyncio.set_event_loop(lp)
    yield lp
    for task in asyncio.all_tasks(lp):
        task.cancel()
    settle(lp)                                  # the cancelled tasks end
    lp.close()
    asyncio.set_event_loop(None)


def settle(loop, rounds=5):
    """Run the loop's ready callbacks ``rounds`` times, each task until it waits again (no
    clock involved: ``stop`` scheduled first ends ``run_forever`` after one batch)."""
    for _ in range(rounds):
        loop.call_soon(loop.stop)
        loop.run_forever()


def pixels(panel):
    return png_to_array(panel.image.value)


def test_tick_trains_and_redraws(w):
    before = pixels(w.p_filters)
    w.tick()
    assert w.trainer.steps == STEPS_PER_TICK
    assert np.any(pixels(w.p_filters) != before)
    assert "batch 5 " in w.status.value


def test_reset_returns_to_the_seeded_start(w):
    start = w.trainer.filters
    w.tick()
    w.reset()
    assert w.trainer.steps == 0
    np.testing.assert_array_equal(w.trainer.filters, start)


def test_start_runs_in_the_background_and_pause_stops_it(loop):
    sleep = ManualSleep()
    w = TrainAndWatch(max_epochs=1, sleep=sleep)
    w.start()
    assert w.running and w.b_start.disabled and w.lr_box.disabled and w.b_step.disabled
    settle(loop)
    assert w.trainer.steps == STEPS_PER_TICK and sleep.calls == 1   # one tick, then a pause
    sleep.release()
    settle(loop)
    assert w.trainer.steps == 2 * STEPS_PER_TICK
    w.pause()
    sleep.release()
    settle(loop)
    assert w.trainer.steps == 2 * STEPS_PER_TICK            # nothing ran after Pause
    assert not w.running and not w.b_start.disabled and not w.loop_alive
    assert "paused after 10 batches" in w.message.text
    assert "cnnedu-tw-stopped" in w.widget._dom_classes     # the browser test waits on it
    w.start()
    assert "cnnedu-tw-stopped" not in w.widget._dom_classes


def test_pause_on_another_thread_waits_for_the_tick_in_progress(w):
    """JupyterLab 4.6 runs button handlers on a kernel subshell's own thread, beside the
    training loop: a Pause arriving mid-tick must wait for that tick and count its batches
    (the browser once showed "paused after 36 batches" under a status of batch 40)."""
    entered, release = threading.Event(), threading.Event()
    step = w.trainer.step

    def held_step(n):
        entered.set()
        assert release.wait(30)
        return step(n)

    w.trainer.step = held_step
    w.running = True
    ticker = threading.Thread(target=w.tick)
    ticker.start()
    assert entered.wait(30)                      # the tick is inside Trainer.step now
    pauser = threading.Thread(target=w.pause)
    pauser.start()
    pauser.join(0.5)     # without the lock Pause ends here, having read 0 batches
    release.set()
    ticker.join(30)
    pauser.join(30)
    assert not ticker.is_alive() and not pauser.is_alive()
    assert w.trainer.steps == STEPS_PER_TICK and not w.running
    assert f"paused after {STEPS_PER_TICK} batches" in w.message.text
    assert f"batch {STEPS_PER_TICK} " in w.status.value


def test_still_picture_titles_name_the_fixed_scales(w):
    titles = [t for t, _ in w.panels()]
    assert len(titles) == 3 and titles[0].startswith("the 16 filters after 0 batches")
    assert titles[1] == "loss 0.01 to 10 (log) vs batch 0 to 36"
    assert titles[2] == "val. accuracy 0 to 100% vs epoch 0 to 1"


def test_the_warning_uses_a_theme_colour(w):
    w.lr_box.value = "1.5"
    for _ in range(6):
        w.tick()
    assert "too large" in w.warning.value and "var(--jp-error-color1" in w.warning.value
    assert "#b35900" not in w.warning.value and "warn-color" not in w.warning.value


def test_pause_then_start_within_one_pause_keeps_one_loop(loop):
    sleep = ManualSleep()
    w = TrainAndWatch(max_epochs=1, sleep=sleep)
    w.start()
    settle(loop)
    first = w._task
    w.pause()
    w.start()                                  # the first loop is still in its pause
    assert w._task is first
    w.start()                                  # a second click changes nothing either
    settle(loop)
    assert w.trainer.steps == STEPS_PER_TICK
    sleep.release()
    settle(loop)
    assert w.trainer.steps == 2 * STEPS_PER_TICK           # one tick per pause: one loop
    assert len([t for t in asyncio.all_tasks(loop) if not t.done()]) == 1


def test_loop_ends_at_max_epochs_with_a_message(loop):
    sleep = ManualSleep()
    w = TrainAndWatch(max_epochs=1, sleep=sleep)
    w.pace_dd.value = "fast (6 batches per redraw)"
    w.start()
    for _ in range(10):
        settle(loop)
        sleep.release()
    assert w.finished and not w.running and not w.loop_alive
    assert w.message.text == "1 epoch done: press Reset to train again."
    assert w.trainer.steps == w.trainer.steps_per_epoch


def test_stops_at_max_epochs(w):
    for _ in range(100):
        w.tick()
    assert w.trainer.epoch == 1 and w.finished
    assert "1 epoch done" in w.message.text
    w.start()
    assert not w.running and "Reset" in w.message.text


def test_plural():
    assert plural(1, "epoch") == "1 epoch" and plural(15, "epoch") == "15 epochs"
    assert plural(0, "batch") == "0 batches"


@pytest.mark.parametrize("pace", list(PACES))
def test_every_pace(w, pace):
    w.pace_dd.value = pace
    w.tick()
    assert w.trainer.steps == PACES[pace][0]


@pytest.mark.parametrize("text", ["abc", "nan", "", "-1", "0", "1e9", "inf", "  "])
def test_bad_learning_rates_give_a_message(w, text):
    w.lr_box.value = text
    assert "learning rate" in w.message.text and w.lr == 0.05
    w.tick()  # still works
    assert w.trainer.steps == STEPS_PER_TICK


@pytest.mark.parametrize("text", ["0.0001", "2", "0.5", "\u22120.5"])
def test_extreme_learning_rates_train_or_explain(w, text):
    w.lr_box.value = text
    for _ in range(10):
        w.tick()
    assert w.p_filters.image.value[:4] == b"\x89PNG"
    if not np.isfinite(w.trainer.batch_losses[-1]):
        assert "too large" in w.message.text


def test_a_large_learning_rate_is_warned_about(w):
    w.lr_box.value = "1.5"
    for _ in range(60):
        w.tick()
    assert w.trainer.epoch == 1
    assert "too large" in w.warning.value or "too large" in w.message.text
    w.lr_box.value = "0.05"
    for _ in range(60):
        w.tick()
    assert w.warning.value == ""


def test_accuracy_is_on_validation_data_not_test(w):
    x_tr, x_val = w._data[0], w._data[1]
    assert len(x_tr) == 1151 and len(x_val) == 287
    for _ in range(100):
        w.tick()
    assert "validation accuracy" in w.status.value


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


def test_no_warning_while_the_loss_falls(w):
    for _ in range(6):                          # 30 batches at the default learning rate
        w.tick()
    assert w.warning.value == ""
    w.lr_box.value = "1.5"                      # the same 30 batches at 1.5: at chance
    for _ in range(6):
        w.tick()
    assert "no lower than where it started" in w.warning.value
