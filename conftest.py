"""Root pytest configuration (loaded for every test path, notebooks included).

Notebook kernels started by nbval inherit this process's environment. They run with
single-threaded BLAS, as ``tools/run_notebooks.py`` does when it saves the baseline: the
same environment for the saved outputs and the check, and no thread thrashing on small
machines (on 2 shared cores, threaded BLAS made tiny products about 100x slower).
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
