"""Chunks of a batch on worker threads (private), one OpenBLAS thread each.

Why: on a small machine a GEMM conv spends about a third of its time in copies (im2col,
storing ``y``, ``dy`` onto the grid, col2im), and a numpy copy runs on one core while
OpenBLAS's GEMMs use them all. Two chunks at once, each in its own thread with a
single-threaded GEMM, keep both cores busy through the copies as well (W2 of
``benchmarks/bench_conv.py``, forward+backward on 2 cores: about a quarter faster).

This needs OpenBLAS's ``openblas_set_num_threads_local`` (OpenBLAS 0.3.27 and newer, as
bundled with numpy's wheels): each worker asks for one thread for its own calls, and
nothing changes for the rest of the process. Where it is missing (MKL, Accelerate, an
older OpenBLAS), where OpenBLAS is set to one thread (``OPENBLAS_NUM_THREADS=1``), or
when ``WORKERS`` is 1, the chunks run one after the other in the calling thread.
The chunks themselves never depend on the threads, so the results are the same, bit for
bit, either way.
"""
from __future__ import annotations

import ctypes
import functools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

WORKERS = None  # None: as many as OpenBLAS's threads (at most the cores); tests set a number
_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_lock = threading.Lock()
_here = threading.local()  # .worker is True inside a worker thread


@functools.lru_cache(maxsize=1)
def openblas():
    """``(set_local, get_threads)`` ctypes functions of numpy's OpenBLAS, or ``None``."""
    root = Path(np.__file__).parent
    for folder in (root.parent / "numpy.libs", root / ".dylibs"):  # Linux, Windows; macOS
        for path in sorted(folder.glob("*openblas*")) if folder.is_dir() else ():
            try:
                lib = ctypes.CDLL(str(path))
            except OSError:
                continue
            get = next((getattr(lib, n) for n in ("scipy_openblas_get_num_threads64_",
                                                  "openblas_get_num_threads64_",
                                                  "openblas_get_num_threads")
                        if hasattr(lib, n)), None)
            if get is not None and hasattr(lib, "openblas_set_num_threads_local"):
                get.restype = ctypes.c_int
                set_local = lib.openblas_set_num_threads_local
                set_local.argtypes, set_local.restype = [ctypes.c_int], ctypes.c_int
                return set_local, get
    return None


def workers() -> int:
    """Threads a batch's chunks may run on now (1: in the calling thread)."""
    blas = openblas()
    if blas is None:
        return 1
    if WORKERS is not None:
        return max(1, int(WORKERS))
    return max(1, min(int(blas[1]()), os.cpu_count() or 1))


def _start_worker(set_local) -> None:
    _here.worker = True
    set_local(1)


def _executor(n: int) -> ThreadPoolExecutor:
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != n:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool = ThreadPoolExecutor(n, thread_name_prefix="cnnedu-conv",
                                       initializer=_start_worker, initargs=(openblas()[0],))
            _pool_size = n
        return _pool


def _forget_pool() -> None:  # in a forked child the parent's threads do not exist
    global _pool, _pool_size
    _pool, _pool_size = None, 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def map_chunks(fn, chunks, scratch: int = 0, budget: int | None = None) -> list:
    """``[fn(c) for c in chunks]``, on the workers when that is worth it and allowed.

    ``scratch`` is one chunk's scratch bytes: with ``k`` workers, ``k`` chunks are in
    flight at once, so the threads are used only while ``k * scratch <= budget``.
    Inside a worker (a nested call) the chunks run in that thread.
    """
    chunks = list(chunks)
    k = 1 if len(chunks) < 2 or getattr(_here, "worker", False) else workers()
    if k > 1 and budget is not None and k * scratch > budget:
        k = 1
    if k <= 1:
        return [fn(c) for c in chunks]
    futures = [_executor(k).submit(fn, c) for c in chunks]
    try:
        return [f.result() for f in futures]
    finally:
        for f in futures:   # on an error, let the others finish before raising
            f.cancel()
        for f in futures:
            if not f.cancelled():
                f.exception()
