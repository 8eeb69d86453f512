"""A batch's chunks on worker threads (cnnedu.nn.conv._workers): same bits as in one
thread, in order, errors passed on, the budget kept, OpenBLAS's thread count put back
(also when calls overlap), and safe after a fork."""
import multiprocessing
import os
import sys
import threading

import numpy as np
import pytest

from cnnedu.nn.conv import _im2col, _plan, _workers, conv2d, conv2d_backward

needs_openblas = pytest.mark.skipif(
    _workers.openblas() is None,
    reason="numpy's BLAS is not OpenBLAS: chunks run in the calling thread")


def _problem(seed, N=12, C=5, H=9, W=11, F=6, k=3):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C, H, W)).astype(np.float32)
    w = rng.standard_normal((F, C, k, k)).astype(np.float32)
    b = rng.standard_normal(F).astype(np.float32)
    return x, w, b, rng


@pytest.fixture
def blas_threads():
    """OpenBLAS set to 3 threads for the test (the suite runs with 1), then put back."""
    if _workers.openblas() is None:
        pytest.skip("numpy's BLAS is not OpenBLAS")
    get, put = _workers.openblas()
    before = get()
    put(3)
    yield get
    put(before)


@needs_openblas
@pytest.mark.parametrize("force", ["flat", "strided"])
@pytest.mark.parametrize("kwargs", [dict(padding=1), dict(padding=(2, 0), dilation=(1, 2))])
def test_workers_give_the_same_bits_as_one_thread(force, kwargs, blas_threads, monkeypatch):
    """With OpenBLAS at 3 threads (products this large are threaded), 1, 2 or 3 workers,
    and OpenBLAS at 1 thread: the same bits (every GEMM of a chunked call is
    single-threaded)."""
    monkeypatch.setattr(_im2col, "FORCE", force)
    monkeypatch.setattr(_im2col, "CHUNK_FLOOR", 0)   # 4 chunks of 16 samples
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 16, 14, 14))
    w = rng.standard_normal((32, 16, 3, 3))
    b = rng.standard_normal(32)
    results = {}
    for n in (1, 2, 3, "blas 1"):
        monkeypatch.setattr(_workers, "WORKERS", 1 if n == "blas 1" else n)
        if n == "blas 1":
            _workers.openblas()[1](1)
        y = conv2d(x, w, b, **kwargs)
        dy = np.random.default_rng(2).standard_normal(y.shape)
        results[n] = (y, *conv2d_backward(dy, x, w, **kwargs))
    for n in (2, 3, "blas 1"):
        for a, c in zip(results[n], results[1]):
            np.testing.assert_array_equal(a, c)


def test_the_chunks_depend_on_the_shapes_only():
    g = _plan.Conv(64, 16, 14, 14, 32, 3, 3, ph=1, pw=1, itemsize=4)
    one = _plan.gemm_bytes(g, "flat", False, 1, g.Ho, g.C)
    whole = _plan.plan(g, "flat", False, 10**9)
    # at least 4 chunks, of equal size, while a chunk keeps `floor` bytes
    p = _plan.cache_sized(g, "flat", False, whole, 10**9, chunks=4, floor=one)
    assert p.size == 16
    p = _plan.cache_sized(g, "flat", False, whole, 10**9, chunks=4, floor=20 * one)
    assert p.size == 22          # 64 // 20 = 3 chunks at most: 22, 22, 20
    p = _plan.cache_sized(g, "flat", False, whole, 10**9, chunks=4, floor=40 * one)
    assert p == whole            # no two chunks of 40 samples in 64
    p = _plan.cache_sized(g, "flat", False, whole, 10 * one, chunks=4, floor=one)
    assert p.size == 10          # the cache target asks for more chunks (7)


@needs_openblas
def test_map_chunks_runs_on_two_threads_and_keeps_the_order(monkeypatch):
    monkeypatch.setattr(_workers, "WORKERS", 2)
    names, first, second = [], threading.Event(), threading.Event()

    def fn(c):
        names.append(threading.current_thread().name)
        if not first.is_set():
            first.set()
            second.wait(30)     # the first chunk waits: another thread must take one
        else:
            second.set()
        return c * c

    assert _workers.map_chunks(fn, range(8)) == [c * c for c in range(8)]
    assert second.is_set()       # a second thread took a chunk while the first waited
    here = threading.current_thread().name
    assert len(set(names)) == 2 and here not in names   # the caller only waits
    assert all(n.startswith("cnnedu-conv") for n in names)
    got = []
    assert _workers.map_chunks(lambda c: -c, range(6), combine=got.append) is None
    assert got == [0, -1, -2, -3, -4, -5]                # combined in chunk order
    # one chunk, one worker allowed, or over the budget: in the calling thread
    first.set(), second.set()
    for kwargs, chunks, limit in [({}, [3], 2), ({}, range(3), 1),
                                  (dict(scratch=600, budget=1000), range(3), 2)]:
        monkeypatch.setattr(_workers, "WORKERS", limit)
        names.clear()
        _workers.map_chunks(fn, chunks, **kwargs)
        assert set(names) == {here}


@needs_openblas
def test_a_nested_call_runs_in_its_worker(monkeypatch):
    monkeypatch.setattr(_workers, "WORKERS", 2)

    def outer(c):
        me = threading.current_thread().name
        inner = _workers.map_chunks(lambda d: threading.current_thread().name, range(3))
        return set(inner) == {me}

    assert all(_workers.map_chunks(outer, range(4)))


@needs_openblas
def test_an_error_in_a_chunk_is_raised_after_the_running_ones_end(monkeypatch):
    """Chunk 0 fails while chunk 1 runs: map_chunks raises only once chunk 1 (and any
    chunk a free worker took meanwhile) is over; chunks not yet started are dropped."""
    monkeypatch.setattr(_workers, "WORKERS", 2)
    log = []
    one_runs, zero_fails = threading.Event(), threading.Event()
    a = np.random.default_rng(0).standard_normal((200, 200))

    def fn(c):
        if c == 0:
            one_runs.wait(30)
            zero_fails.set()
            raise MemoryError("chunk 0")
        if c == 1:
            one_runs.set()
            zero_fails.wait(30)
            for _ in range(30):          # still busy when chunk 0's error arrives
                a @ a
        log.append(f"end {c}")
        return c

    with pytest.raises(MemoryError, match="chunk 0"):
        _workers.map_chunks(fn, range(6))
    log.append("raised")
    assert "end 1" in log and log[-1] == "raised"   # nothing ends after the error is raised


@needs_openblas
def test_two_callers_at_once_get_their_own_results(monkeypatch):
    monkeypatch.setattr(_im2col, "CHUNK_FLOOR", 0)
    monkeypatch.setattr(_workers, "WORKERS", 2)
    x, w, b, _ = _problem(3, N=16)
    expected = conv2d(x, w, b, padding=1)
    out = {}

    def call(i):
        out[i] = conv2d(x * (i + 1), w, b * (i + 1), padding=1)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for i in range(3):
        np.testing.assert_allclose(out[i], expected * (i + 1), rtol=1e-5, atol=1e-4)


def _child(queue):
    x, w, b, _ = _problem(4)
    queue.put(float(conv2d(x, w, b, padding=1).sum()))


@needs_openblas
@pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_starts_its_own_workers(monkeypatch):
    """The parent's worker threads do not exist in a forked child: without the at-fork
    reset, the child's first conv would wait forever on them."""
    monkeypatch.setattr(_im2col, "CHUNK_FLOOR", 0)
    monkeypatch.setattr(_workers, "WORKERS", 2)
    x, w, b, _ = _problem(4)
    expected = float(conv2d(x, w, b, padding=1).sum())      # the parent's pool is running
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue,))
    proc.start()
    proc.join(60)
    alive = proc.is_alive()
    if alive:
        proc.kill()
    assert not alive, "the forked child hung on the parent's worker threads"
    assert queue.get(timeout=5) == pytest.approx(expected, rel=1e-6)


@needs_openblas
def test_chunks_run_with_one_blas_thread_and_the_count_is_put_back(blas_threads,
                                                                    monkeypatch):
    monkeypatch.setattr(_workers, "WORKERS", 2)
    inside = _workers.map_chunks(lambda c: blas_threads(), range(4))
    assert inside == [1, 1, 1, 1] and blas_threads() == 3
    with pytest.raises(ValueError):
        _workers.map_chunks(lambda c: int("x"), range(4))
    assert blas_threads() == 3


@needs_openblas
def test_overlapping_calls_put_the_count_back_once_both_end(blas_threads, monkeypatch):
    """Call A ends while call B still runs: the count stays 1 until B ends, then is 3
    (saving and restoring per call would leave it at 1)."""
    monkeypatch.setattr(_workers, "WORKERS", 2)
    a_started, b_started, a_done = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def chunk_a(c):
        if c == 0:
            a_started.set()
            b_started.wait(30)
        return c

    def chunk_b(c):
        if c == 0:
            b_started.set()
            a_done.wait(30)
            seen["while B runs"] = blas_threads()
        return c

    def call_a():
        _workers.map_chunks(chunk_a, range(2))
        a_done.set()

    ta = threading.Thread(target=call_a)
    ta.start()
    a_started.wait(30)
    tb = threading.Thread(target=lambda: _workers.map_chunks(chunk_b, range(2)))
    tb.start()
    ta.join(30)
    tb.join(30)
    assert a_done.is_set() and seen == {"while B runs": 1}
    assert blas_threads() == 3
    monkeypatch.setattr(_workers, "WORKERS", None)   # as many as OpenBLAS's threads
    assert _workers.workers() == min(3, os.cpu_count())


def _report_blas(queue):
    queue.put((_workers.openblas()[0](), _workers._active))


@needs_openblas
@pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "fork"), reason="needs fork")
def test_a_child_forked_during_a_call_gets_the_blas_count_back(blas_threads, monkeypatch):
    """Forked while chunks run (OpenBLAS at 1 thread): the call never ends in the child,
    so the child must get the count (3) back at once."""
    monkeypatch.setattr(_workers, "WORKERS", 2)
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = []

    def fn(c):
        if c == 0:
            proc = ctx.Process(target=_report_blas, args=(queue,))
            proc.start()
            procs.append(proc)
        return c

    _workers.map_chunks(fn, range(2))
    procs[0].join(60)
    assert queue.get(timeout=10) == (3, 0)


_CTRL_C = """
import signal, threading
import numpy as np
from cnnedu.nn.conv import _workers
get, put = _workers.openblas()
put(3)
_workers.WORKERS = 2
main, log = threading.main_thread().ident, []
a = np.random.default_rng(0).standard_normal((200, 200))

def fn(c):
    if c == 0:
        signal.pthread_kill(main, signal.SIGINT)   # the caller is interrupted
        for _ in range(30):                        # while this chunk still runs
            a @ a
    log.append(f"end {c}")
    return c

try:
    _workers.map_chunks(fn, range(40))
except KeyboardInterrupt:
    log.append("raised")
_workers._pool.shutdown(wait=True)                 # anything left would end (and log) here
print(repr((log, get())))
"""


@needs_openblas
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_the_queue_and_waits_for_the_running_chunks():
    """Ctrl-C in the caller while chunks run (in a fresh interpreter): no chunk starts
    after it, the running one ends before KeyboardInterrupt is raised, and OpenBLAS is
    back at its count (3)."""
    import ast
    import subprocess
    run = subprocess.run([sys.executable, "-c", _CTRL_C], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    log, threads = ast.literal_eval(run.stdout.strip().splitlines()[-1])
    assert "end 0" in log and log[-1] == "raised" and len(log) < 41, log
    assert threads == 3
