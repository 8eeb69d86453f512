"""What the classic mistakes of notebook 05's exercises produce (the arrays the checks of
:mod:`cnnedu.exercises.checks.nb05` recognise and name).

Each function returns ``{description: array}``; the description completes "this is what
you get when ...". The arrays come from the same loops as the reference with one thing
done wrong, so a learner who made that mistake gets exactly that array.
"""
from __future__ import annotations

import numpy as np

from cnnedu.nn.conv import correlate2d, rot180

__all__ = ["conv_loops", "conv_mistakes", "pool_loops", "pool_mistakes"]

#: names of the conv_backward mistakes (tests use them)
ROT = ("dX is built with the kernel the wrong way round (rot180 missing from the full "
       "correlation, or an extra flip in the loops)")
SWAP = ("the input and output channel axes of w are not swapped for dX (w[c, f] used "
        "where w[f, c] belongs)")
DB_BATCH = "db is not summed over the batch (one number per sample and filter)"
DB_SPACE = "db is not summed over the map (one number per output position)"
DB_FIRST = "db is summed over the first sample only"
DB_MEAN = "db is averaged instead of summed"
DW_MEAN = "dW is averaged over the batch instead of summed"
NO_CROP = "the gradient of the padded input is not cropped"
CROP_ONE_SIDE = "the padding is cropped from one side only (dx_pad[:, :, :H, :W])"
CROP_OTHER_SIDE = "the padding is cropped from one side only (dx_pad[:, :, 2p:, 2p:])"
NO_STRIDE = ("the windows are placed at i + u instead of i*stride + u (the stride is "
             "ignored: dY is not dilated)")
NO_DILATE = ("dY is not dilated before the full correlation (the stride is ignored: "
             "the zeros for the skipped outputs are missing)")
ASSIGN_DX = "dX is written with = instead of += where windows overlap"
ASSIGN_DW = "dW is written with = instead of += (only the last window counts)"


HINTS = {
    ROT: "stamp dy[n, f, i, j] * w[f] onto the window as it is: the loops need no flip (as "
         "one operation that is the full correlation with rot180(w))",
    SWAP: "dx[n, c] sums over the filters f of dy[n, f] with w[f, c]: in the loops, add "
          "dy[n, f, i, j] * w[f] (all channels c at once) into dx_pad[n, :, window]",
    DB_BATCH: "db has shape (F,): sum dy over n, i and j (axis=(0, 2, 3))",
    DB_SPACE: "db has shape (F,): sum dy over n, i and j (axis=(0, 2, 3))",
    DB_FIRST: "every sample of the batch adds to db: sum over n too",
    DB_MEAN: "the loss sums over every output, so db sums dy (no division)",
    DW_MEAN: "every sample adds to dw: sum over n, do not divide by N",
    NO_CROP: "dx has x's shape (N, C, H, W): drop p rows and columns on every side, "
             "dx_pad[:, :, p:p + H, p:p + W]",
    CROP_ONE_SIDE: "the padding sits on both sides: dx_pad[:, :, p:p + H, p:p + W]",
    CROP_OTHER_SIDE: "the padding sits on both sides: dx_pad[:, :, p:p + H, p:p + W]",
    NO_STRIDE: "output (i, j) read rows i*stride .. i*stride + kh - 1 of x_pad: use the "
               "stride when you place the window",
    NO_DILATE: "put stride - 1 zeros between the entries of dY first (ct.dilate), then "
               "correlate: the skipped outputs have gradient 0",
    ASSIGN_DX: "a pixel in several windows gets the gradient of each: dx_pad[...] += ...",
    ASSIGN_DW: "every output position and sample adds to dw[f]: dw[f] += ...",
}


def conv_loops(dy, x, w, stride, padding, *, pos_stride=None, assign_dx=False,
               assign_dw=False):
    """The reference loops, with switches for the mistakes: ``pos_stride`` places the
    windows with another step, ``assign_*`` writes ``=`` instead of ``+=``.

    Returns ``dx_pad`` (uncropped), ``dw``, ``db``.
    """
    N, C, H, W = x.shape
    F, _, kh, kw = w.shape
    _, _, Ho, Wo = dy.shape
    s = stride if pos_stride is None else pos_stride
    p = padding
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dx_pad = np.zeros(x_pad.shape)
    dw = np.zeros(w.shape)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols = slice(i * s, i * s + kh), slice(j * s, j * s + kw)
                    if assign_dw:
                        dw[f] = dy[n, f, i, j] * x_pad[n, :, rows, cols]
                    else:
                        dw[f] += dy[n, f, i, j] * x_pad[n, :, rows, cols]
                    if assign_dx:
                        dx_pad[n, :, rows, cols] = dy[n, f, i, j] * w[f]
                    else:
                        dx_pad[n, :, rows, cols] += dy[n, f, i, j] * w[f]
    return dx_pad, dw, dy.sum(axis=(0, 2, 3))


def _undilated(dy, x, w, p):
    """The formula route without the dilation: full correlation of dY with rot180(w)
    (cropped by p), and x_pad correlated with dY; both come out the wrong size."""
    N, C = x.shape[:2]
    F = w.shape[0]
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    full = np.array([[sum(correlate2d(dy[n, f], rot180(w[f, c]), "full") for f in range(F))
                      for c in range(C)] for n in range(N)])
    dx = full[:, :, p:full.shape[2] - p, p:full.shape[3] - p] if p else full
    dw = np.array([[sum(correlate2d(x_pad[n, c], dy[n, f], "valid") for n in range(N))
                    for c in range(C)] for f in range(F)])
    return (dx if min(dx.shape) > 0 else None), dw


def _crop(a, p):
    H, W = a.shape[2] - 2 * p, a.shape[3] - 2 * p
    return a[:, :, p:p + H, p:p + W]


def conv_mistakes(dy, x, w, stride, padding):
    """``{"dx": {...}, "dw": {...}, "db": {...}}``: what each mistake gives."""
    p = padding
    H, W = x.shape[2:]
    dx_pad, dw, db = conv_loops(dy, x, w, stride, padding)
    out = {"dx": {}, "dw": {}, "db": {}}
    out["dx"][ROT] = _crop(conv_loops(dy, x, rot180(w), stride, padding)[0], p)
    if w.shape[0] == w.shape[1]:
        out["dx"][SWAP] = _crop(conv_loops(dy, x, np.ascontiguousarray(w.swapaxes(0, 1)),
                                           stride, padding)[0], p)
    if p:
        out["dx"][NO_CROP] = dx_pad
        out["dx"][CROP_ONE_SIDE] = dx_pad[:, :, :H, :W]
        out["dx"][CROP_OTHER_SIDE] = dx_pad[:, :, 2 * p:, 2 * p:]
    if stride > 1:
        ns_dx, ns_dw, _ = conv_loops(dy, x, w, stride, padding, pos_stride=1)
        out["dx"][NO_STRIDE] = _crop(ns_dx, p)
        out["dw"][NO_STRIDE] = ns_dw
        out["dx"][NO_DILATE], out["dw"][NO_DILATE] = _undilated(dy, x, w, p)
    out["dx"][ASSIGN_DX] = _crop(conv_loops(dy, x, w, stride, padding, assign_dx=True)[0], p)
    out["dw"][ASSIGN_DW] = conv_loops(dy, x, w, stride, padding, assign_dw=True)[1]
    out["dw"][DW_MEAN] = dw / x.shape[0]
    out["db"][DB_BATCH] = dy.sum(axis=(2, 3))
    out["db"][DB_SPACE] = dy.sum(axis=0)
    out["db"][DB_FIRST] = dy[0].sum(axis=(1, 2))
    out["db"][DB_MEAN] = dy.mean(axis=(0, 2, 3))
    return {part: {d: (a, HINTS[d]) for d, a in found.items() if a is not None}
            for part, found in out.items()}


# --------------------------------------------------------------------------- max pooling

TIE_ALL = "the gradient goes to every maximum of a window with ties (duplicated)"
TIE_SPLIT = "the gradient is split equally among the tied maxima"
TIE_LAST = "the gradient goes to the last maximum of the window, not the first"
ASSIGN_POOL = "the gradient is written with = instead of +=, where overlapping windows chose the same input"
POOL_NO_STRIDE = "the windows are placed every size pixels (the stride is ignored)"
POOL_AVERAGE = "the gradient is spread over the whole window (average pooling's backward)"


POOL_HINT = ("each dy[n, c, i, j] goes, whole, to the FIRST maximum of its window "
             "(np.argmax), at x index (i*stride + u, j*stride + v), and adds (+=) to what "
             "other windows sent there")


def pool_loops(dy, x, size, stride, *, tie="first", assign=False, step=None):
    """Max-pool backward loops with switches: ``tie`` in {"first", "last", "all",
    "split", "average"}, ``assign`` writes ``=``, ``step`` places the windows."""
    N, C = x.shape[:2]
    Ho, Wo = dy.shape[2:]
    step = stride if step is None else step
    dx = np.zeros(x.shape)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0 = i * step, j * step
                    win = x[n, c, r0:r0 + size, c0:c0 + size]
                    if win.shape != (size, size):
                        continue
                    g = dy[n, c, i, j]
                    if tie in ("all", "split", "average"):
                        mask = (win == win.max()) if tie != "average" else np.ones(win.shape)
                        share = g / mask.sum() if tie in ("split", "average") else g
                        dx[n, c, r0:r0 + size, c0:c0 + size] += share * mask
                        continue
                    flat = win.ravel()
                    k = int(np.argmax(flat)) if tie == "first" else (
                        flat.size - 1 - int(np.argmax(flat[::-1])))
                    u, v = divmod(k, size)
                    if assign:
                        dx[n, c, r0 + u, c0 + v] = g
                    else:
                        dx[n, c, r0 + u, c0 + v] += g
    return dx


def pool_mistakes(dy, x, size, stride):
    """``{description: dx}`` for the max-pool mistakes."""
    out = {TIE_ALL: pool_loops(dy, x, size, stride, tie="all"),
           TIE_SPLIT: pool_loops(dy, x, size, stride, tie="split"),
           TIE_LAST: pool_loops(dy, x, size, stride, tie="last"),
           POOL_AVERAGE: pool_loops(dy, x, size, stride, tie="average")}
    if stride < size:
        out[ASSIGN_POOL] = pool_loops(dy, x, size, stride, assign=True)
    if stride != size:
        out[POOL_NO_STRIDE] = pool_loops(dy, x, size, stride, step=size)
    return {d: (a, POOL_HINT) for d, a in out.items()}
