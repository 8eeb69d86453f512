"""Building blocks shared by the widgets.

A widget in cnnedu only wires controls to plain, tested functions. These pieces keep that
wiring short and safe:

- :class:`ImagePanel`: a titled ``ipywidgets.Image`` fed PNG bytes by :mod:`cnnedu.viz.render`
  (a few ms per update, where a matplotlib re-render costs about 100 ms).
- :class:`MessageLine`: one line of text for status and error messages.
- :func:`safe_update`: wraps an update method so any exception becomes a visible message and
  the widget keeps working.
- :func:`parse_number`: turns what a learner typed into a float, or a clear message.
- :class:`LiveWidget`: the base class; shows the live widget in JupyterLab, and in saved
  notebooks a stable one-line text (what nbval compares) and a still picture of the
  widget's panels (``image/png``, for GitHub, nbconvert and the website).

Colours come from JupyterLab's theme variables (``--jp-error-color1``,
``--jp-ui-font-color1``), so messages read in the light and the dark theme; rows of
controls wrap on narrow screens (a projector at 1024 px) instead of overflowing.

>>> parse_number("2.5")
(2.5, '')
>>> parse_number("abc")
(None, "'abc' is not a number")
>>> parse_number("nan")
(None, "'nan' is not a finite number")
"""
from __future__ import annotations

import base64
import functools
import html
import math
import re

import ipywidgets as W

from cnnedu.viz.render import to_png
from cnnedu.viz.snapshot import tile_pngs

__all__ = ["ImagePanel", "MessageLine", "safe_update", "parse_number", "LiveWidget"]


#: The widgets' shared style (put in every panel title, so it is on the page with them).
_CSS = (".cnnedu-panel img{image-rendering:pixelated}"
        ".cnnedu-root .widget-hbox,.cnnedu-root .jupyter-widget-hbox{flex-wrap:wrap}"
        ".cnnedu-root .widget-button,.cnnedu-root .jupyter-button{min-width:fit-content}"
        ".cnnedu-root,.cnnedu-root .widget-label{color:var(--jp-ui-font-color1)}")


class ImagePanel:
    """A title above an image that shows a 2-D array (or RGB uint8) as PNG.

    ``panel.show(a, signed=True)`` colour-maps ``a`` (diverging and centred on 0 when
    ``signed``), enlarges it to about ``size`` pixels, and writes the PNG bytes into the
    image. ``panel.widget`` is the ipywidgets container.
    """

    def __init__(self, title: str, size: int = 200, caption: str = ""):
        self.size = size
        self.title = W.HTML(self._title_html(title))
        self.image = W.Image(format="png", layout=W.Layout(width=f"{size}px", height=f"{size}px",
                                                            object_fit="contain"))
        self.caption = W.HTML(html.escape(caption))
        self.widget = W.VBox([self.title, self.image, self.caption],
                             layout=W.Layout(align_items="center", margin="0 6px"))
        self.widget.add_class("cnnedu-panel")

    def show(self, a, *, signed: bool = False, caption: str | None = None, **kwargs) -> None:
        self.image.value = to_png(a, signed=signed, min_size=self.size, **kwargs)
        if caption is not None:
            self.caption.value = html.escape(caption)

    @staticmethod
    def _title_html(title: str) -> str:
        # pixelated: when the browser scales the PNG to the panel, cells stay crisp;
        # rows of controls wrap on narrow screens, buttons keep their labels
        return (f"<style>{_CSS}</style>"
                f"<b>{html.escape(title)}</b>")

    def set_title(self, title: str) -> None:
        self.title.value = self._title_html(title)


class MessageLine:
    """One line of text under the controls: information, or a problem in red."""

    def __init__(self):
        self.widget = W.HTML("")
        self.widget.add_class("cnnedu-message")
        self.text = ""

    def info(self, text: str) -> None:
        self.text = text
        self.widget.value = f"<span>{html.escape(text)}</span>"

    def error(self, text: str) -> None:
        self.text = text
        self.widget.value = (f"<span style='color:var(--jp-error-color1, #b00020)'>"
                             f"<b>Problem:</b> {html.escape(text)}</span>")

    def clear(self) -> None:
        self.text = ""
        self.widget.value = ""


def safe_update(method):
    """Decorate a widget's update method: an exception becomes a message on ``self.message``
    (a :class:`MessageLine`) instead of a traceback, and the widget stays usable."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # shown to the learner, never raised into the kernel
            self.message.error(f"{type(exc).__name__}: {exc}")
            return None

    return wrapper


# minus signs a learner may paste or type besides "-": matplotlib's U+2212 (its tick labels
# print negative numbers with it), the figure dash, the en dash, the small and fullwidth
# hyphen-minus
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\ufe63": "-",
                              "\uff0d": "-"})


def parse_number(text, *, minimum: float | None = None, maximum: float | None = None):
    """Parse a typed number; return ``(value, "")`` or ``(None, message)``.

    A unicode minus (``"\u22122"``, as matplotlib prints ``-2``) counts as ``-``.

    >>> parse_number("\u22122"), parse_number("1e\u22123")
    ((-2.0, ''), (0.001, ''))
    >>> parse_number("abc")
    (None, "'abc' is not a number")
    """
    s = str(text).strip()
    if not s:
        return None, "the box is empty"
    try:
        v = float(s.translate(_MINUS_SIGNS))
    except ValueError:
        return None, f"{s!r} is not a number"
    if not math.isfinite(v):
        return None, f"{s!r} is not a finite number"
    if minimum is not None and v < minimum:
        return None, f"{s} is below the minimum {minimum:g}"
    if maximum is not None and v > maximum:
        return None, f"{s} is above the maximum {maximum:g}"
    return v, ""


class LiveWidget:
    """Base class: subclasses build ``self.widget`` (the root container) and ``self.message``.

    In a live kernel the widget is displayed; the text part of its display is a fixed
    sentence (``summary``), so saved notebooks are stable for nbval.
    """

    summary = "interactive widget"
    widget: W.Widget
    message: MessageLine

    def _repr_mimebundle_(self, **kwargs):
        self.widget.add_class("cnnedu-root")
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = (f"{type(self).__name__}: {self.summary} "
                                "(run this notebook in JupyterLab to use it)")
        still = self.still_png()
        if still is not None:
            bundle["image/png"] = base64.b64encode(still).decode("ascii")
        return bundle

    def panels(self) -> list[tuple[str, bytes]]:
        """(title, PNG bytes) of every picture the widget shows now, in the order built."""
        found = []
        for value in vars(self).values():
            for panel in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(panel, ImagePanel) and panel.image.value:
                    title = re.sub(r"<style>.*?</style>|<[^>]+>", "", panel.title.value)
                    found.append((html.unescape(title).strip(), bytes(panel.image.value)))
        if not found:  # widgets that draw into plain ipywidgets.Image
            stack = [self.widget]
            while stack:
                w = stack.pop(0)
                if isinstance(w, W.Image) and w.value and w.format == "png":
                    found.append(("", bytes(w.value)))
                stack.extend(getattr(w, "children", ()) or ())
        return found

    def still_png(self) -> bytes | None:
        """A still picture of the widget's current panels, or None if it shows none."""
        panels = self.panels()
        return tile_pngs(panels) if panels else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}: {self.summary}"
