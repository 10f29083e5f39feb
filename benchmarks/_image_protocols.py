"""The image protocols: bundled 8x8 digits, MNIST one-class, and the paper's Fig. 8.

Images reach every detector as float64 rows of pixels scaled to [0, 1].
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from benchmarks._data import MNIST as MNISTData
from benchmarks._data import load_mnist
from benchmarks._metrics import auroc, f1_inlier
from benchmarks._tasks import Options, Protocol, Task, scores_metrics, subsample, task_rng
from skalocc.datasets import load_digits_novelty

MNIST_SHAPE = (28, 28)
DIGITS_SHAPE = (8, 8)

#: Outlier shares of the test sets in the paper's Fig. 8 (MNIST, F1).
PAPER_SHARES = (0.1, 0.2, 0.3, 0.4, 0.5)
#: F1 of ALOCC D(R(X)) read from Sabokrou et al. (CVPR 2018), Fig. 8.
PAPER_REFERENCE_F1 = {0.1: 0.97, 0.2: 0.92, 0.3: 0.92, 0.4: 0.91, 0.5: 0.88}


def _pixels(images: np.ndarray) -> np.ndarray:
    """uint8 images (n, h, w) to float64 rows in [0, 1]."""
    return images.reshape(len(images), -1).astype(np.float64) / 255.0


# ------------------------------------------------------------------ digits
def _digits_tasks(options: Options) -> Iterator[Task]:
    for k in options.digits:
        X_train, X_test, y_test = load_digits_novelty(
            k, test_size=0.5, random_state=options.split_seed
        )
        yield Task(
            f"digit {k}",
            X_train / 16.0,
            X_test / 16.0,
            y_test,
            {
                "digit": k,
                "n_train": len(X_train),
                "n_test": len(X_test),
                "n_outliers": int(np.sum(y_test == -1)),
            },
        )


DIGITS = Protocol(
    name="digits",
    description=(
        "scikit-learn's bundled 8x8 digits (`skalocc.datasets.load_digits_novelty`, "
        "`test_size=0.5`, `random_state=split_seed`): for each digit k, half of k's images "
        "(about 90) train; the other half plus every image of the other digits (about "
        "1 620) test, k being the inlier class. Pixels are scaled to [0, 1]. "
        "Metric: AUROC with the target digit as positive class."
    ),
    mode="image",
    image_shape=DIGITS_SHAPE,
    tasks=_digits_tasks,
    evaluate=scores_metrics,
    needs_labels=False,
    progress=("auroc",),
    tables=(("AUROC, target digit as positive class", "auroc"),),
)


# ------------------------------------------------------------------- MNIST
def _mnist_train(mnist: MNISTData, k: int, options: Options, protocol: str) -> np.ndarray:
    indices = np.flatnonzero(mnist.y_train == k)
    return subsample(
        indices, options.max_train, task_rng(options.split_seed, f"{protocol}/train/{k}")
    )


def _mnist_tasks(options: Options) -> Iterator[Task]:
    mnist = load_mnist(options.data_dir)
    test = subsample(
        np.arange(len(mnist.y_test)), options.max_test, task_rng(options.split_seed, "mnist/test")
    )
    X_test = _pixels(mnist.x_test[test])
    for k in options.digits:
        train = _mnist_train(mnist, k, options, "mnist")
        y_test = np.where(mnist.y_test[test] == k, 1, -1)
        yield Task(
            f"digit {k}",
            _pixels(mnist.x_train[train]),
            X_test,
            y_test,
            {
                "digit": k,
                "n_train": len(train),
                "n_test": len(test),
                "n_outliers": int(np.sum(y_test == -1)),
            },
        )


MNIST = Protocol(
    name="mnist",
    description=(
        "The standard one-class MNIST protocol: for each digit k, train on the MNIST "
        "training images of k (seeded subsample of `--max-train` when set), test on the "
        "10 000 test images (one seeded subsample of `--max-test`, the same for every "
        "digit, when set) with k as the inlier class. Pixels are scaled to [0, 1]. "
        "Metric: AUROC with the target digit as positive class."
    ),
    mode="image",
    image_shape=MNIST_SHAPE,
    tasks=_mnist_tasks,
    evaluate=scores_metrics,
    needs_labels=False,
    progress=("auroc",),
    tables=(("AUROC, target digit as positive class", "auroc"),),
)


def _share_label(share: float) -> str:
    """``0.1`` -> ``"10%"``."""
    return f"{round(100 * share)}%"


def _mnist_paper_tasks(options: Options) -> Iterator[Task]:
    mnist = load_mnist(options.data_dir)
    for k in options.digits:
        train = _mnist_train(mnist, k, options, "mnist-paper")
        # The largest mix (50% outliers) is twice the inliers: --max-test caps it.
        cap = None if options.max_test is None else max(1, options.max_test // 2)
        rng = task_rng(options.split_seed, f"mnist-paper/test/{k}")
        inliers = subsample(np.flatnonzero(mnist.y_test == k), cap, rng)
        n_in = len(inliers)
        n_out = {_share_label(p): round(n_in * p / (1 - p)) for p in PAPER_SHARES}
        # The mix at share p is the inliers plus the first n_out[p] of these.
        pool = rng.permutation(np.flatnonzero(mnist.y_test != k))
        outliers = pool[: max(n_out.values())]
        if len(outliers) < max(n_out.values()):
            raise ValueError(f"digit {k}: too few other-digit test images for the 50% mix.")
        test = np.concatenate([inliers, outliers])
        y_test = np.concatenate([np.ones(n_in, dtype=int), -np.ones(len(outliers), dtype=int)])
        yield Task(
            f"digit {k}",
            _pixels(mnist.x_train[train]),
            _pixels(mnist.x_test[test]),
            y_test,
            {"digit": k, "n_train": len(train), "n_inliers": n_in, "n_outliers_by_share": n_out},
        )


def _paper_metrics(task: Task, scores: np.ndarray, labels: np.ndarray | None) -> dict[str, float]:
    n_in = task.info["n_inliers"]
    metrics = {}
    for share, n_out in task.info["n_outliers_by_share"].items():
        end = n_in + n_out
        metrics[f"f1@{share}"] = f1_inlier(task.y_test[:end], labels[:end])
        metrics[f"auroc@{share}"] = auroc(task.y_test[:end], scores[:end])
    return metrics


MNIST_PAPER = Protocol(
    name="mnist-paper",
    description=(
        "The paper's Fig. 8 (Sabokrou et al., CVPR 2018): for each digit k, train on the "
        "MNIST training images of k (`--max-train` caps them); test on the test images of "
        "k (inliers; at most `--max-test` / 2 of them) mixed with seeded draws from the "
        "other digits' test images so that outliers are 10%, 20%, 30%, 40% and 50% of the "
        "set (the draws are nested: each mix extends the previous one). Metric: F1 of the "
        "target (inlier) class as positive, at each detector's own `predict` threshold; "
        "the table shows the mean over digits (per digit in the JSON, with AUROC)."
    ),
    mode="image",
    image_shape=MNIST_SHAPE,
    tasks=_mnist_paper_tasks,
    evaluate=_paper_metrics,
    needs_labels=True,
    progress=tuple(f"f1@{_share_label(p)}" for p in PAPER_SHARES),
    tables=(("F1 of the target class at predict's threshold, mean over digits", "f1"),),
    layout="shares",
    reference=(
        "paper's ALOCC D(R(X)) (reference, Fig. 8)",
        tuple(PAPER_REFERENCE_F1[p] for p in PAPER_SHARES),
    ),
)
