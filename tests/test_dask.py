"""ALOCCDetector on a real Dask cluster: grid search, scoring, worker threads, memory.

One ``LocalCluster`` of 2 worker processes (1 task each, loopback only) is
shared by the module; each worker gets the TensorFlow thread limits of
:func:`skalocc.dask.tensorflow_thread_env`.
"""

import collections
import glob
import os
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, StratifiedShuffleSplit

from skalocc import ALOCCDetector

da = pytest.importorskip("dask.array", reason="the dask extra is not installed")
distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
joblib = pytest.importorskip("joblib")

from skalocc.dask import score_blocks, tensorflow_thread_env  # noqa: E402

TINY_TABULAR = {"hidden_units": (8,), "latent_dim": 2, "epochs": 1, "batch_size": 32}


@pytest.fixture(scope="module")
def cluster():
    """A client of a 2-process LocalCluster whose workers limit TensorFlow's threads.

    Also holds ``threads_at_start``: per worker, the output of
    :func:`_tensorflow_threads` as soon as TensorFlow's runtime has started
    there (each fit adds a thread of its own).
    """
    env = tensorflow_thread_env(2, threads_per_worker=1)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            env=env,
        ) as cluster,
        distributed.Client(cluster) as dask_client,
    ):
        threads_at_start = dask_client.run(_tensorflow_threads)
        yield SimpleNamespace(client=dask_client, threads_at_start=threads_at_start)


@pytest.fixture
def client(cluster):
    """The Dask client of the module's cluster."""
    return cluster.client


@pytest.fixture(scope="module")
def zeros_vs_ones():
    """Digits 0 (label 1, the target class) and 1 (label -1) as rows."""
    X, y = load_digits(return_X_y=True)
    keep = y <= 1
    return X[keep], np.where(y[keep] == 0, 1, -1)


def test_import_skalocc_does_not_import_dask():
    code = "import sys, skalocc; print(sorted(m for m in sys.modules if m.startswith('dask')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_tensorflow_thread_env_shares_the_cores():
    assert tensorflow_thread_env(2, n_cores=2) == {
        "TF_NUM_INTRAOP_THREADS": "1",
        "TF_NUM_INTEROP_THREADS": "1",
    }
    assert (
        tensorflow_thread_env(3, threads_per_worker=2, n_cores=16)["TF_NUM_INTRAOP_THREADS"] == "2"
    )
    with pytest.raises(ValueError, match="n_workers"):
        tensorflow_thread_env(0)


def test_grid_search_on_dask_equals_sequential(client, zeros_vs_ones):
    X, y = zeros_vs_ones
    search = GridSearchCV(
        ALOCCDetector(random_state=0, **TINY_TABULAR),
        {"latent_dim": [2, 4]},
        scoring="roc_auc",
        cv=StratifiedShuffleSplit(1, test_size=0.5, random_state=0),  # 2 fits, 1 per worker
        refit=False,
    )
    sequential = search.set_params(n_jobs=1).fit(X, y).cv_results_
    with joblib.parallel_backend("dask"):
        on_dask = search.set_params(n_jobs=-1).fit(X, y).cv_results_
    # Tabular training and scoring are bit-identical across thread counts.
    np.testing.assert_array_equal(on_dask["split0_test_score"], sequential["split0_test_score"])
    assert on_dask["params"] == sequential["params"]
    assert np.all(sequential["mean_test_score"] > 0.75)  # learned (0.85, measured)


def _tensorflow_threads():
    """On a worker: the intra-op setting and the number of "tf_Compute" threads."""
    from skalocc._backend import tf_keras

    tf, _ = tf_keras()
    tf.reduce_sum(tf.ones((64, 64)) @ tf.ones((64, 64))).numpy()
    names = collections.Counter()
    for path in glob.glob("/proc/self/task/*/comm"):
        try:
            with open(path) as comm:
                names[comm.read().strip()] += 1
        except OSError:  # the thread ended meanwhile
            pass
    return os.environ.get("TF_NUM_INTRAOP_THREADS"), names["tf_Compute"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/task")
def test_workers_limit_tensorflow_threads(cluster):
    # TensorFlow names its inter-op pool's threads "tf_Compute": at start-up
    # there are TF_NUM_INTEROP_THREADS of them, one per core without it
    # (measured: 1 with the variable at 1, 2 on 2 cores and 3 at 3).
    env = tensorflow_thread_env(2)
    assert len(cluster.threads_at_start) == 2
    for intra, tf_compute in cluster.threads_at_start.values():
        assert intra == env["TF_NUM_INTRAOP_THREADS"]
        assert tf_compute == int(env["TF_NUM_INTEROP_THREADS"])


def test_score_blocks_equals_in_process_scoring(client, zeros_vs_ones):
    X, _ = zeros_vs_ones
    detector = ALOCCDetector(random_state=0, **TINY_TABULAR).fit(X[:150])
    blocks = da.from_array(X, chunks=(40, 16))  # 10 x 4 chunks
    scores = score_blocks(detector, blocks).compute()
    np.testing.assert_array_equal(scores, detector.score_samples(X))
    labels = score_blocks(detector, blocks, method="predict").compute()
    np.testing.assert_array_equal(labels, detector.predict(X))


def _fit_once(X, seed):
    ALOCCDetector(random_state=seed, **TINY_TABULAR).fit(X)


def _rss_mb():
    import gc

    from skalocc._process import resident_set_mb

    gc.collect()
    return resident_set_mb()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_repeated_fits_on_a_worker_do_not_grow_its_memory(client, zeros_vs_ones):
    # skalocc keeps a few MB per small fit (TensorFlow's own tf.function
    # leak, docs/reliability.md; about 6 MB per fit here, measured); a leak
    # of the traced step would cost about 26 MB per fit.
    X, _ = zeros_vs_ones
    worker = sorted(client.scheduler_info()["workers"])[0]
    rss = []
    for seed in range(4):
        client.submit(_fit_once, X, seed, workers=[worker], pure=False).result()
        rss.append(client.run(_rss_mb, workers=[worker])[worker])
    growth = rss[-1] - rss[0]  # after a warm-up fit: 3 fits
    assert growth < 40, f"worker RSS grew {growth:.0f} MB over 3 fits: {np.round(rss)}"
