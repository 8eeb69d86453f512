"""Root pytest configuration (loaded for every test path, notebooks included).

Notebook kernels started by nbval inherit this process's environment. They run with
single-threaded BLAS, as ``tools/run_notebooks.py`` does when it saves the baseline: the
same environment for the saved outputs and the check, and no thread thrashing on small
machines (on 2 shared cores, threaded BLAS made tiny products about 100x slower).

``setdefault`` only fills in a thread count that is not set, so ``OPENBLAS_NUM_THREADS=2
python -m pytest ...`` runs with two. Nothing here (or in any test or CI script) touches
``OPENBLAS_CORETYPE`` or ``OPENBLAS_L2_SIZE``: some machines set them on purpose, and the
saved outputs must hold under every kernel type (``tests/test_packaging.py`` checks this).
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
