"""A still picture of a live widget, for places without a kernel (GitHub, nbconvert, the site).

A widget's panels are PNG images (:mod:`cnnedu.viz.render`); :func:`tile_pngs` lays them
side by side on a white card, each under its title, wrapping into rows no wider than
``max_width``, with one line of text underneath saying that the widget is live in
JupyterLab. The result is put
in the widget's output as ``image/png`` beside the widget view, so a saved notebook shows
what the widget looks like (nbval does not compare images).

>>> import io
>>> from PIL import Image
>>> from cnnedu.viz.render import to_png
>>> png = tile_pngs([("a map", to_png([[0.0, 1.0], [1.0, 0.0]], min_size=40))] * 3)
>>> Image.open(io.BytesIO(png)).size[0] >= 3 * 40
True
"""
from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

__all__ = ["tile_pngs", "NOTE"]

#: The line under every still picture.
NOTE = "Still picture of a live widget: run this notebook in JupyterLab to use it."
_GAP = 12
_MARGIN = 10
_TITLE = 22


def _fit(text: str, width: int, font) -> str:
    """``text`` cut with an ellipsis to fit ``width`` pixels."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "...") > width:
        text = text[:-1]
    return text + "..."


def tile_pngs(panels, *, note: str = NOTE, max_width: int = 900, height: int = 200) -> bytes:
    """PNG bytes of ``panels`` (``(title, png_bytes)`` pairs) tiled in rows, each image
    under its title, with ``note`` under them all. Each image is scaled (nearest neighbour,
    so cells stay crisp) to ``height`` pixels high, or less if it would be wider than
    ``max_width``."""
    font = ImageFont.load_default(size=15)
    images = []
    for title, data in panels:
        im = Image.open(io.BytesIO(data)).convert("RGB")
        scale = min(height / im.height, max_width / im.width)
        size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
        im = im.resize(size, Image.NEAREST)
        if title:
            framed = Image.new("RGB", (max(im.width, 10), im.height + _TITLE), "white")
            ImageDraw.Draw(framed).text((0, 2), _fit(title, im.width, font), fill=(20, 20, 20),
                                        font=font)
            framed.paste(im, (0, _TITLE))
            im = framed
        images.append(im)
    rows, row, width = [], [], 0
    for im in images:
        if row and width + _GAP + im.width > max_width:
            rows.append(row)
            row, width = [], 0
        width += (_GAP if row else 0) + im.width
        row.append(im)
    if row:
        rows.append(row)
    text_h = 24
    card_w = max([sum(im.width for im in r) + _GAP * (len(r) - 1) for r in rows]
                 + [int(font.getlength(note)) + 1])  # the note always fits
    card_h = sum(max(im.height for im in r) for r in rows) + _GAP * max(len(rows) - 1, 0)
    card = Image.new("RGB", (card_w + 2 * _MARGIN, card_h + 2 * _MARGIN + text_h), "white")
    y = _MARGIN
    for r in rows:
        x = _MARGIN
        for im in r:
            card.paste(im, (x, y))
            x += im.width + _GAP
        y += max(im.height for im in r) + _GAP
    draw = ImageDraw.Draw(card)
    draw.text((_MARGIN, card.height - text_h), note, fill=(60, 60, 60), font=font)
    out = io.BytesIO()
    # 256 colours are plenty for colour-mapped panels, and a third of the bytes
    card.convert("P", palette=Image.Palette.ADAPTIVE, colors=256).save(out, format="PNG",
                                                                      optimize=True)
    return out.getvalue()
