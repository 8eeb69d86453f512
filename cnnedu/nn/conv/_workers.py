"""Chunks of a batch on worker threads (private), with single-threaded GEMMs.

Why: on a small machine a GEMM conv spends about a third of its time in copies (im2col,
storing ``y``, ``dy`` onto the grid, col2im), and a numpy copy runs on one core while
OpenBLAS's GEMMs use them all. Two chunks at once, each in its own thread with a
single-threaded GEMM, keep both cores busy through the copies as well (W2 of
``benchmarks/bench_conv.py``, forward+backward on 2 cores: see its README).

OpenBLAS (as bundled with numpy's wheels, built with pthreads) has one thread count for
the whole process (its ``openblas_set_num_threads_local`` sets that same count). While
chunks run on the workers, that count is 1, so that each worker's GEMM runs in the worker
itself and OpenBLAS's own threads stay idle; it is put back when the last running call
ends (a counter under a lock, so calls from several threads at once are safe). Another
thread's BLAS call made meanwhile runs single-threaded: slower, never wrong.

The workers are as many as OpenBLAS's thread count (at most the cores): with
``OPENBLAS_NUM_THREADS=1``, without OpenBLAS (MKL, Accelerate), or with ``WORKERS = 1``
the chunks run one after the other in the calling thread, and nothing is changed. The
chunks never depend on the threads, so the results are the same, bit for bit, either way.
"""
from __future__ import annotations

import ctypes
import functools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np

WORKERS = None  # None: as many as OpenBLAS's threads (at most the cores); tests set a number
_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_lock = threading.Lock()
_here = threading.local()  # .worker is True inside a worker thread
_active = 0                # calls running chunks on the workers now
_saved = 0                 # OpenBLAS's thread count before the first of them


@functools.lru_cache(maxsize=1)
def openblas():
    """``(get_threads, set_threads)`` ctypes functions of numpy's OpenBLAS, or ``None``."""
    root = Path(np.__file__).parent
    for folder in (root.parent / "numpy.libs", root / ".dylibs"):  # Linux, Windows; macOS
        for path in sorted(folder.glob("*openblas*")) if folder.is_dir() else ():
            try:
                lib = ctypes.CDLL(str(path))
            except OSError:
                continue
            for prefix, suffix in (("scipy_openblas_", "64_"), ("openblas_", "64_"),
                                   ("openblas_", "")):
                get = getattr(lib, f"{prefix}get_num_threads{suffix}", None)
                put = getattr(lib, f"{prefix}set_num_threads{suffix}", None)
                if get is not None and put is not None:
                    get.restype, get.argtypes = ctypes.c_int, []
                    put.restype, put.argtypes = None, [ctypes.c_int]
                    return get, put
    return None


@functools.lru_cache(maxsize=1)
def _cores() -> int:
    return os.cpu_count() or 1  # it reads a file on Linux (6-20 us): once is enough


def workers() -> int:
    """Threads a batch's chunks may run on now (1: in the calling thread)."""
    blas = openblas()
    if blas is None:
        return 1
    if WORKERS is not None:
        return max(1, int(WORKERS))
    with _lock:
        n = _saved if _active else int(blas[0]())
    return max(1, min(n, _cores()))


@contextmanager
def _single_threaded_blas():
    """OpenBLAS at one thread inside; put back when the last overlapping user leaves.

    Put back only if it is still 1: a thread that set another count meanwhile keeps it.
    (Another thread that saves and restores the count around its own work while a conv
    runs will restore the 1 it read: process-wide thread counts cannot be shared safely.)
    """
    global _active, _saved
    get, put = openblas()
    with _lock:
        if _active == 0:
            _saved = int(get())
            put(1)
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and int(get()) == 1:
                put(_saved)


def _start_worker() -> None:
    _here.worker = True


def _executor(n: int) -> ThreadPoolExecutor:
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != n:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool = ThreadPoolExecutor(n, thread_name_prefix="cnnedu-conv",
                                       initializer=_start_worker)
            _pool_size = n
        return _pool


def _after_fork_in_child() -> None:
    """The parent's threads do not exist here; a call that was running in the parent
    will never end here, so its OpenBLAS thread count is put back now."""
    global _pool, _pool_size, _active, _lock
    if _active and openblas() is not None:
        openblas()[1](_saved)
    _pool, _pool_size, _active, _lock = None, 0, 0, threading.Lock()
    _cores.cache_clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def single_threaded(count: int) -> bool:
    """Whether a call in ``count`` chunks runs single-threaded GEMMs (see
    :func:`map_chunks`): two or more chunks, with OpenBLAS."""
    return count >= 2 and openblas() is not None


def map_chunks(fn, chunks, scratch: int = 0, budget: int | None = None, combine=None):
    """``fn(c)`` for every chunk, on ``k`` worker threads when that is allowed.

    Returns ``[fn(c) for c in chunks]``, or, given ``combine``, calls ``combine(r)`` on
    the results in chunk order as they arrive (dropping each one) and returns ``None``.

    ``k`` workers take the chunks in turn from one queue while the calling thread waits
    (it does not take chunks itself: measured, its allocations then went through the
    main heap of glibc's malloc, which gave its pages back to the system after each
    chunk: a thousand page faults per W2 call, the caller's chunks three times slower).
    ``scratch`` is one chunk's scratch bytes: ``k`` chunks are in flight at once, so the
    threads are used only while ``k * scratch <= budget``. Inside a chunk (a nested
    call) the chunks run in that thread. When a chunk raises, or the caller is
    interrupted (Ctrl-C), no further chunk starts, the running ones end, OpenBLAS's
    thread count is put back and the error is raised.

    With OpenBLAS, two or more chunks always run with single-threaded GEMMs, on the
    workers or one after the other, so their bits never depend on the number of workers
    (a call of one chunk uses OpenBLAS's threads, as any numpy product does).
    """
    chunks = list(chunks)
    out = [] if combine is None else None
    keep = out.append if combine is None else combine

    def in_this_thread() -> None:
        for c in chunks:
            keep(fn(c))

    if not single_threaded(len(chunks)) or getattr(_here, "worker", False):
        in_this_thread()  # one chunk, no OpenBLAS, or a nested call: nothing to share
        return out
    k = workers()
    if budget is not None and k * scratch > budget:
        k = 1
    with _single_threaded_blas():
        if k <= 1:
            in_this_thread()
        else:
            _run_on_workers(fn, chunks, k, keep)
    return out


def _run_on_workers(fn, chunks, k, keep) -> None:
    """The workers' queue: results handed to ``keep`` in chunk order by whichever worker
    completes the next one; the first error is raised once every running chunk ended."""
    done, errors = {}, []
    state = {"next": 0, "stop": False, "running": 0}
    queue, take = iter(range(len(chunks))), threading.Lock()
    ended = threading.Condition(take)

    def drain() -> None:
        with take:
            if state["stop"]:
                return
            state["running"] += 1
        try:
            while True:
                with take:
                    i = None if state["stop"] else next(queue, None)
                if i is None:
                    return
                try:
                    r = fn(chunks[i])
                    with take:  # hand over the in-order prefix (keep runs under the lock)
                        done[i] = r
                        while state["next"] in done and not state["stop"]:
                            keep(done.pop(state["next"]))
                            state["next"] += 1
                except BaseException as exc:  # noqa: BLE001 (KeyboardInterrupt: re-raised)
                    with take:
                        errors.append(exc)
                        state["stop"] = True
                    return
        finally:
            with take:
                state["running"] -= 1
                ended.notify_all()

    pool, helpers = _executor(k), []
    try:
        for _ in range(k):
            try:
                helpers.append(pool.submit(drain))
            except RuntimeError:  # the interpreter is shutting down: no new threads
                break
        if not helpers:
            drain()               # then this thread does the chunks
        for h in helpers:
            h.result()
    except BaseException:  # Ctrl-C (even inside submit): stop the queue, and wait for
        with take:         # the running chunks by count, not by future
            state["stop"] = True
            while state["running"]:
                ended.wait()
        raise
    if errors:
        raise errors[0]
