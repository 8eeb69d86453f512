"""How much scratch each conv method needs, and how to tile a call to stay under a budget
(private; pure arithmetic, tested on its own).

A *tile* is ``n`` samples x ``rows`` output rows x ``c`` input channels (all ``F``
filters). :func:`plan` splits, in this order of preference:

1. the batch into chunks of ``n`` samples (the tile holds whole samples);
2. when one sample is too large, its output rows into bands of ``rows`` rows (the band
   reads the padded input rows ``i*sh .. (i + rows - 1)*sh + dh*(kh - 1)``);
3. when one output row of every channel is too large, the input channels into groups of
   ``c`` (their contributions to ``y`` are summed; each group is planned again).

Bytes are counted for every array a method allocates while one tile is in flight (the
padded copy, the im2col matrix, the GEMM result, ``dy`` on the grid, ``dcols``, the col2im
buffer; the spectra for the FFT), with the previous tile's arrays already released. The
outputs themselves (``y``, ``dx``, ``dw``, ``db``) are not scratch.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

__all__ = ["Conv", "flat_pitch", "flat_spare", "flat_wastes", "gemm_bytes", "fft_bytes",
           "plan", "Plan", "cache_sized", "tiling", "fft_chunk", "correlate_rows"]


def flat_pitch(W: int, pw: int, W_out: int) -> int:
    """A row of the flat grid (stride 1): ``max(W + pw, W_out)``. Each row carries only
    its left padding; its right padding is the next row's left padding."""
    return max(W + pw, W_out)


def flat_wastes(pitch: int, W_out: int) -> bool:
    """Whether the flat grid would waste more than a sixth of its columns (then the
    strided im2col is used)."""
    return 5 * pitch > 6 * W_out


def flat_spare(kw: int, dw: int, pitch: int) -> int:
    """Zero rows after the flat grid's padded rows, so that the last windows' overrun of
    ``dw (kw - 1)`` columns stays inside the buffer."""
    return -(-(kw - 1) * dw // pitch)


@dataclass(frozen=True)
class Conv:
    """The sizes of one conv call: ``x`` (N, C, H, W), ``w`` (F, C, kh, kw), ..."""

    N: int
    C: int
    H: int
    W: int
    F: int
    kh: int
    kw: int
    sh: int = 1
    sw: int = 1
    dh: int = 1
    dw: int = 1
    ph: int = 0
    pw: int = 0
    itemsize: int = 8

    @property
    def Hp(self) -> int:
        return self.H + 2 * self.ph

    @property
    def Wp(self) -> int:
        return self.W + 2 * self.pw

    @property
    def pitch(self) -> int:
        """A row of the flat grid: :func:`flat_pitch`."""
        return flat_pitch(self.W, self.pw, self.Wo)

    def spare(self) -> int:
        """Zero rows after the flat grid's padded rows: :func:`flat_spare`."""
        return flat_spare(self.kw, self.dw, self.pitch)

    @property
    def Ho(self) -> int:
        return (self.Hp - self.dh * (self.kh - 1) - 1) // self.sh + 1

    @property
    def Wo(self) -> int:
        return (self.Wp - self.dw * (self.kw - 1) - 1) // self.sw + 1

    def rows_in(self, rows: int) -> int:
        """Padded input rows read by ``rows`` consecutive output rows."""
        return min(self.Hp, (rows - 1) * self.sh + self.dh * (self.kh - 1) + 1)


def gemm_bytes(g: Conv, method: str, backward: bool, n: int, rows: int, c: int) -> int:
    """Scratch bytes of one tile of the ``"flat"``, ``"strided"`` or ``"offsets"`` method.

    With ``L = rows * Wg`` positions per sample (``Wg = P`` = :attr:`Conv.pitch` on the
    flat grid, ``W_out`` otherwise) and ``r_in`` = :meth:`Conv.rows_in`:

    - padded input ``n c (r_in + s) P`` on the flat grid (``s`` = :meth:`Conv.spare`),
      ``n c r_in Wp`` otherwise;
    - GEMM methods: im2col ``c kh kw n L``; forward ``+ F n L`` (the product); backward
      ``+ F n L`` (``dy`` on the grid) ``+ c kh kw n L`` (``dcols``) ``+ c n (r_in + s) P``
      (col2im);
    - offsets: forward ``+ F n L + n L`` (accumulator, product); backward ``+ F n L``
      ``+ n c (r_in + s) P + n L``.
    """
    flat = method in ("flat", "offsets")
    L = rows * (g.pitch if flat else g.Wo)
    r_in = g.rows_in(rows)
    padded = n * c * (r_in + g.spare()) * g.pitch if flat else n * c * r_in * g.Wp
    if method == "offsets":
        total = padded + g.F * n * L + n * L + (padded if backward else 0)
    else:
        cols = c * g.kh * g.kw * n * L
        total = padded + cols + g.F * n * L
        if backward:
            total += cols + c * n * (r_in + g.spare()) * g.pitch
    return total * g.itemsize


def fft_bytes(g: Conv, backward: bool, n: int) -> int:
    """Scratch bytes of the FFT method on a chunk of ``n`` samples (all channels, rows).

    ``K = Hp (Wp // 2 + 1)`` frequencies, complex numbers of twice the itemsize, so a
    spectrum of ``m`` maps takes ``m K2`` itemsizes with ``K2 = 2 K`` (about ``Hp Wp``).
    Measured with tracemalloc (numpy 2.4), ``numpy.fft.rfft2`` peaks at about 6 times
    the spectrum it returns, and an inverse at about twice. The peak is the largest of
    the phases: the filters' transform (``6 F C K2``); then, per chunk, with the filters'
    spectrum kept (``F C K2``; backward also ``dW``, ``F C K2``), the padded chunk
    (``n C Hp Wp``) and its transform (``6 n C K2``), ``Y`` and its inverse
    (``3 n F K2``); backward also ``dY``'s transform (``6 n F K2``), the product summed
    into ``dW`` (``F C K2``), ``dX`` and its inverse (``3 n C K2``), and at the end the
    inverse of ``dW`` (``2 F C K2 + F C Hp Wp``).
    """
    K2 = 2 * g.Hp * (g.Wp // 2 + 1)
    real = g.Hp * g.Wp
    FC = g.F * g.C * K2
    if not backward:
        words = max(6 * FC, FC + n * g.C * real + 6 * n * g.C * K2 + 3 * n * g.F * K2)
    else:
        chunk = (n * g.C * real + 7 * n * g.C * K2 + 6 * n * g.F * K2 + FC
                 + 3 * n * g.C * K2)
        words = max(6 * FC, 2 * FC + chunk, 3 * FC + g.F * g.C * real)
    return words * g.itemsize


@dataclass(frozen=True)
class Plan:
    """How to tile a call: ``split`` is ``"samples"``, ``"rows"`` or ``"channels"``;
    ``size`` is the number of samples, output rows or channels per tile; ``bytes`` the
    scratch of one tile (``fits`` False when even the smallest tile is over budget)."""

    split: str
    size: int
    bytes: int
    fits: bool


def _largest(lo: int, hi: int, ok) -> int:
    """The largest ``v`` in ``[lo, hi]`` with ``ok(v)`` (``ok`` monotone), or ``lo - 1``."""
    if not ok(lo):
        return lo - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid - 1)
    return lo


def plan(g: Conv, method: str, backward: bool, budget: int) -> Plan:
    """The largest tile of ``method`` whose scratch (plus the tiling's own copies) fits.

    Splitting rows or channels costs extra copies on top of the tile's own scratch: the
    band of input rows (``C r_in W``) and its ``y`` (``F rows W_out``), or backward its
    ``dx`` (``C r_in W``) and ``dw``; for a channel group, the group's ``y``
    (``F H_out W_out``), or backward its ``dx`` (``c H W``) and ``dw`` (``F c kh kw``).
    What is left of the budget is handed to the tile, which is planned again.
    """
    def per(n, rows, c):
        return gemm_bytes(g, method, backward, n, rows, c)

    n = _largest(1, g.N, lambda v: per(v, g.Ho, g.C) <= budget)
    if n >= 1:
        return Plan("samples", n, per(n, g.Ho, g.C), True)
    it = g.itemsize

    def band(rows):  # + the band of input rows; its y, or its dx and dw
        xb = g.C * g.rows_in(rows) * g.W
        extra = xb + g.F * g.C * g.kh * g.kw if backward else g.F * rows * g.Wo
        return per(1, rows, g.C) + (xb + extra) * it
    rows = _largest(1, g.Ho, lambda r: band(r) <= budget)
    if rows >= 1:
        return Plan("rows", rows, band(rows), True)

    def group(c):  # + the group's y, or its dx and dw; the group is banded if it must be
        extra = c * g.H * g.W + g.F * c * g.kh * g.kw if backward else g.F * g.Ho * g.Wo
        return per(1, 1, c) + extra * it
    c = _largest(1, g.C - 1, lambda v: group(v) <= budget) if g.C > 1 else 0
    if c >= 1:
        return Plan("channels", c, group(c), True)
    if g.C > 1:
        return Plan("channels", 1, group(1), False)
    if g.Ho > 1:
        return Plan("rows", 1, band(1), False)
    return Plan("samples", 1, per(1, g.Ho, g.C), False)


def cache_sized(g: Conv, method: str, backward: bool, p: Plan, target: int,
                chunks: int = 1, floor: int = 0) -> Plan:
    """``p``'s chunks of whole samples made no larger than ``target`` scratch bytes where a
    sample fits in it, at least ``chunks`` of them while each keeps ``floor`` bytes or
    more, and of equal size (``ceil(N / count)`` samples each).

    Speed, not the budget: a chunk whose scratch stays in the last-level cache is faster
    than the whole batch at once (measured on W2 of ``benchmarks/bench_conv.py``, 64 x 16
    channels of 14x14, 32 filters: forward+backward about 10% faster with 8 MiB chunks than
    in one chunk, and slower again below 4 MiB, where the GEMMs get too small), and
    several chunks can run at once on worker threads (:mod:`cnnedu.nn.conv._workers`).
    The count depends on the shapes only, never on the machine, so the results do not
    either. Other plans (bands, channel groups, a plan that does not fit) are returned
    unchanged.
    """
    if p.split != "samples" or not p.fits or p.size <= 1:
        return p
    n = _largest(1, p.size, lambda v: gemm_bytes(g, method, backward, v, g.Ho, g.C) <= target)
    if n < 1:
        return p
    count = -(-g.N // n)
    one = gemm_bytes(g, method, backward, 1, g.Ho, g.C)
    most = g.N // max(1, -(-floor // one))  # chunks of at least ``floor`` bytes
    count = max(count, min(chunks, most))
    size = -(-g.N // count)
    if size >= p.size:
        return p
    return Plan("samples", size, gemm_bytes(g, method, backward, size, g.Ho, g.C), True)


def fft_chunk(g: Conv, backward: bool, budget: int) -> int:
    """Samples per chunk of the FFT method under ``budget``; 0 when one sample is too many."""
    return max(0, _largest(1, g.N, lambda v: fft_bytes(g, backward, v) <= budget))


@functools.lru_cache(maxsize=512)  # about 10 us a call: a tenth of a small conv's time
def tiling(g: Conv, method: str, backward: bool, budget: int, cache: int, chunks: int = 1,
           floor: int = 0):
    """``(method, tiles)`` for a call planned as ``method`` (see :func:`plan`): for
    ``"fft"`` the samples per chunk, or the GEMM method that replaces it when one
    sample's spectra are over budget; otherwise a :class:`Plan`, cache-sized
    (:func:`cache_sized` with ``cache``, ``chunks`` and ``floor``)."""
    if method == "fft":
        n = fft_chunk(g, backward, budget)
        if n:
            return method, n
        method = "strided" if flat_wastes(g.pitch, g.Wo) else "flat"
    return method, cache_sized(g, method, backward, plan(g, method, backward, budget), cache,
                               chunks, floor)


def correlate_rows(H_out: int, W_out: int, kh: int, kw: int, fft: bool, itemsize: int,
                   budget: int) -> int:
    """Output rows per band of a single-image correlation whose scratch fits ``budget``.

    A band of ``r`` rows reads ``r + kh - 1`` rows of ``W_out + kw - 1`` padded columns.
    Taps: the padded band and one product (``r W_out``). FFT on an ``(R, Q)`` =
    ``(r + 2 (kh - 1), W_out + 2 (kw - 1))`` grid: the band and ``7 R Q`` (measured with
    tracemalloc, numpy 2.4: ``numpy.fft.rfft2`` of a float32 array peaks at about 6 times
    its output, ``R (Q // 2 + 1)`` complex numbers, i.e. ``6 R Q`` itemsizes; the inverse
    then needs the spectrum and its own output, less).
    """
    def need(r):
        if fft:
            R, Q = r + 2 * (kh - 1), W_out + 2 * (kw - 1)
            return ((r + kh - 1) * (W_out + kw - 1) + 7 * R * Q) * itemsize
        return ((r + kh - 1) * (W_out + kw - 1) + r * W_out) * itemsize
    return max(1, _largest(1, H_out, lambda r: need(r) <= budget))
