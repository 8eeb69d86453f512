"""cnnedu.widgets.progress: stable text, a live bar only in a kernel."""
import pytest

from cnnedu.widgets.progress import Progress, format_metrics


def test_format_metrics_is_fixed_format():
    s = format_metrics(2, 15, loss=0.123456789, accuracy=0.5, test_loss=1.0, test_accuracy=0.97, other=2)
    assert s == "epoch 2/15  loss 0.1235  train acc (running) 50.00%  test loss 1.0000  test acc 97.00%  other 2.0000"


def test_log_every_and_final_line(capsys):
    with Progress(4, "run", log_every=2, live=False) as p:
        for e in range(1, 5):
            p.update(e, loss=1.0 / e)
    out = capsys.readouterr().out.splitlines()
    assert out == ["run: epoch 2/4  loss 0.5000", "run: done, epoch 4/4  loss 0.2500"]
    with pytest.raises(RuntimeError, match="closed"):
        p.update(5, loss=0.1)


def test_live_bar_has_fixed_text_and_closes(capsys):
    p = Progress(3, "live", live=True)
    bundle = p._bar._repr_mimebundle_()
    assert bundle["text/plain"] == "live: progress bar (live while it runs)"
    p.update(2, loss=0.5)
    assert p._bar.bar.value == 2 and "epoch 2/3" in p._bar.text.value
    assert p._bar._repr_mimebundle_()["text/plain"] == bundle["text/plain"]
    p.close()
    p.close()  # once only
    assert capsys.readouterr().out.count("done") == 1


@pytest.mark.parametrize("total,log_every", [(0, 0), (-1, 0), (2.5, 0), (3, -1), (True, 0)])
def test_bad_arguments(total, log_every):
    with pytest.raises(ValueError, match="Progress"):
        Progress(total, log_every=log_every, live=False)


def test_not_live_outside_a_kernel():
    assert Progress(2)._bar is None
