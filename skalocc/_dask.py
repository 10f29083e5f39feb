"""Running skalocc on a Dask cluster: worker thread limits and block-wise scoring.

Dask is optional (``pip install "skalocc[dask]"``): this module imports
``dask.array`` only inside :func:`score_blocks`, and ``import skalocc`` never
imports it.

TensorFlow sizes its two thread pools when its runtime starts: the intra-op
pool (threads inside one kernel, e.g. a matrix product) from
``TF_NUM_INTRAOP_THREADS`` and the inter-op pool (kernels run side by side)
from ``TF_NUM_INTEROP_THREADS``, each defaulting to the number of cores.
Several Dask worker processes on one machine would each start pools of that
size and oversubscribe the cores, so the variables must be in each worker's
environment before TensorFlow starts there: :func:`tensorflow_thread_env`
computes them, and ``LocalCluster(env=...)`` (or the environment of the
``dask worker`` command) passes them on.
"""

from __future__ import annotations

import os

import numpy as np

__all__ = ["score_blocks", "tensorflow_thread_env"]

_METHODS = ("score_samples", "decision_function", "predict")


def tensorflow_thread_env(
    n_workers: int, *, threads_per_worker: int = 1, n_cores: int | None = None
) -> dict[str, str]:
    """Environment variables that share the cores among Dask workers' TensorFlow.

    Each of the ``n_workers * threads_per_worker`` tasks that may run at once
    gets ``n_cores // (n_workers * threads_per_worker)`` intra-op threads (at
    least 1) and one inter-op thread: ALOCC's training step is a chain of
    dependent kernels, so a wider inter-op pool only adds idle threads.

    Parameters
    ----------
    n_workers : int
        Worker processes on this machine.
    threads_per_worker : int, default=1
        Tasks each worker runs at once (Dask's ``threads_per_worker``).
    n_cores : int or None, default=None
        Cores to share; None uses the cores this process may run on.

    Returns
    -------
    env : dict of str to str
        ``TF_NUM_INTRAOP_THREADS`` and ``TF_NUM_INTEROP_THREADS``, for
        ``distributed.LocalCluster(env=...)`` or a worker's environment.

    Examples
    --------
    >>> from skalocc.dask import tensorflow_thread_env
    >>> tensorflow_thread_env(2, n_cores=8)
    {'TF_NUM_INTRAOP_THREADS': '4', 'TF_NUM_INTEROP_THREADS': '1'}
    >>> tensorflow_thread_env(4, threads_per_worker=2, n_cores=4)
    {'TF_NUM_INTRAOP_THREADS': '1', 'TF_NUM_INTEROP_THREADS': '1'}
    """
    for name, value in (("n_workers", n_workers), ("threads_per_worker", threads_per_worker)):
        if int(value) < 1:
            raise ValueError(f"{name} must be at least 1, got {value!r}.")
    if n_cores is None:
        n_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
        n_cores = n_cores or os.cpu_count() or 1
    intra = max(1, int(n_cores) // (int(n_workers) * int(threads_per_worker)))
    return {"TF_NUM_INTRAOP_THREADS": str(intra), "TF_NUM_INTEROP_THREADS": "1"}


def _apply_to_block(block: np.ndarray, detector, method: str) -> np.ndarray:
    return getattr(detector, method)(block)


def score_blocks(detector, X, method: str = "score_samples"):
    """Score a 2-D ``dask.array`` block by block with a fitted detector.

    The detector travels to each worker once (as one task of the graph),
    not once per block; each block of rows is scored there with
    ``detector.<method>``. Results equal in-process scoring: a sample's score
    does not depend on the other samples of its call.

    Parameters
    ----------
    detector : ALOCCDetector
        A fitted detector (tabular, or image mode on flattened rows).
    X : dask.array.Array of shape (n_samples, n_features)
        Rows to score, chunked along the rows (columns are merged into one
        chunk if needed).
    method : {"score_samples", "decision_function", "predict"}, \
default="score_samples"
        The detector method to apply.

    Returns
    -------
    scores : dask.array.Array of shape (n_samples,)
        Lazy; ``.compute()`` runs it on the current Dask scheduler.

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> from skalocc import ALOCCDetector
    >>> from skalocc.dask import score_blocks
    >>> X = np.random.default_rng(0).normal(size=(64, 4))
    >>> det = ALOCCDetector(hidden_units=(8,), latent_dim=2, epochs=1,
    ...                     random_state=0).fit(X)
    >>> scores = score_blocks(det, da.from_array(X, chunks=16))
    >>> bool(np.array_equal(scores.compute(scheduler="sync"), det.score_samples(X)))
    True
    """
    import dask
    import dask.array as da

    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}.")
    X = da.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"score_blocks expects a 2-D dask array of rows, got {X.ndim} dimensions.")
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    dtype = np.int64 if method == "predict" else np.float64
    return da.map_blocks(
        _apply_to_block,
        X,
        dask.delayed(detector, pure=True),
        method,
        drop_axis=1,
        dtype=dtype,
        meta=np.empty((0,), dtype=dtype),
    )
