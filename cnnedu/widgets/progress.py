"""A training progress display: a live bar while it runs, stable text when it is done.

In a Jupyter kernel, :class:`Progress` shows an ``ipywidgets`` progress bar and a line of
the latest numbers, updated after every epoch (comm messages, not new outputs). When the
run ends the bar is closed (it disappears from the page) and one plain text line with the
final numbers is printed. The saved notebook therefore holds a fixed sentence (the bar's
text form, the same in every run) and formatted numbers: nbval compares them exactly.
``log_every=n`` also prints a line every ``n`` epochs, a visible loss log. Outside a
kernel (a script, a test) only the printed lines appear.

>>> p = Progress(3, "demo", log_every=2, live=False)
>>> for e in (1, 2, 3):
...     p.update(e, loss=1.0 / e, test_accuracy=0.9)
demo: epoch 2/3  loss 0.5000  test acc 90.00%
>>> p.close()
demo: done, epoch 3/3  loss 0.3333  test acc 90.00%
"""
from __future__ import annotations

import html
import numbers

__all__ = ["Progress", "format_metrics"]

_NAMES = {
    "loss": ("loss", "{:.4f}"),
    "accuracy": ("train acc (running)", "{:.2%}"),
    "test_loss": ("test loss", "{:.4f}"),
    "test_accuracy": ("test acc", "{:.2%}"),
    "val_loss": ("val loss", "{:.4f}"),
    "val_accuracy": ("val acc", "{:.2%}"),
    "train_accuracy": ("train acc (end of epoch)", "{:.2%}"),
}


def format_metrics(epoch: int, total: int, **metrics) -> str:
    """``"epoch 3/15  loss 0.1234  train acc (running) 96.10%"``: fixed formats, no clock.

    Known names (``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``, ``test_loss``,
    ``test_accuracy``, ``train_accuracy``) get their short label and format; any other number is shown as ``name 0.1235``.

    >>> format_metrics(3, 15, loss=0.123456, accuracy=0.961)
    'epoch 3/15  loss 0.1235  train acc (running) 96.10%'
    """
    parts = [f"epoch {epoch}/{total}"]
    for key, value in metrics.items():
        label, fmt = _NAMES.get(key, (key, "{:.4f}"))
        parts.append(f"{label} {fmt.format(float(value))}")
    return "  ".join(parts)


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with Jupyter
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


class _Bar:
    """The live part: a bar and a label, shown with a fixed text form."""

    def __init__(self, total: int, label: str):
        import ipywidgets as W

        self.label = label
        self.bar = W.IntProgress(value=0, min=0, max=total, bar_style="info",
                                 layout=W.Layout(width="320px"))
        self.text = W.HTML(f"{html.escape(label)}: starting")
        self.box = W.HBox([self.bar, self.text])
        self.box.add_class("cnnedu-progress")

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.box._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = f"{self.label}: progress bar (live while it runs)"
        return bundle

    def update(self, value: int, text: str) -> None:
        self.bar.value = value
        self.text.value = html.escape(f"{self.label}: {text}")

    def close(self) -> None:
        self.box.close()


class Progress:
    """Progress of a run of ``total`` epochs (or steps).

    Parameters
    ----------
    total : int
        How many updates make a full bar.
    label : str
        Shown before the numbers.
    log_every : int
        Also print a line every ``log_every`` updates (0: only the final line).
    live : bool, optional
        Show the bar; default: when running in a Jupyter kernel.
    """

    def __init__(self, total: int, label: str = "training", *, log_every: int = 0,
                 live: bool | None = None):
        if isinstance(total, bool) or not isinstance(total, numbers.Integral) or total < 1:
            raise ValueError(f"Progress: total must be a positive integer; got {total!r}")
        if isinstance(log_every, bool) or not isinstance(log_every, numbers.Integral) \
                or log_every < 0:
            raise ValueError(f"Progress: log_every must be an integer >= 0; got {log_every!r}")
        self.total = int(total)
        self.label = str(label)
        self.log_every = int(log_every)
        self.value = 0
        self.last = ""
        self.closed = False
        self._bar = None
        if _in_kernel() if live is None else live:
            from IPython.display import display

            self._bar = _Bar(self.total, self.label)
            display(self._bar)

    def update(self, value: int, **metrics) -> None:
        """Step ``value`` of ``total`` is done; ``metrics`` are the latest numbers."""
        if self.closed:
            raise RuntimeError("Progress.update: this display was closed")
        self.value = int(value)
        self.last = format_metrics(self.value, self.total, **metrics)
        if self._bar is not None:
            self._bar.update(min(self.value, self.total), self.last)
        if self.log_every and self.value % self.log_every == 0 and self.value < self.total:
            print(f"{self.label}: {self.last}")

    def close(self) -> None:
        """Remove the bar and print the final line (once)."""
        if self.closed:
            return
        self.closed = True
        if self._bar is not None:
            self._bar.close()
        if self.last:
            print(f"{self.label}: done, {self.last}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
