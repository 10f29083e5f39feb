"""The "features" score: distance to the nearest training sample in D's learned space.

D learns, adversarially, to tell target samples from R's reconstructions and
from pseudo-anomalies; its hidden layers are a representation of the target
class. A sample's "features" score is minus its Euclidean distance to the
nearest *reference* sample in that representation, where the reference
samples are the training samples (a uniform random subset of at most
``MAX_REFERENCE`` of them on large data). Higher is more normal.

The representation is every hidden layer of D for tabular rows (each dense
layer's activations after batch normalisation, concatenated), and D's last
convolution block (flattened) for images, whose earlier blocks are too large
to keep per reference sample.

A sample whose representation is identical to a reference sample's (a
training sample itself, scored again) is scored leave-one-out: against its
nearest *other* reference sample. So ``score_samples`` of the training
samples gives exactly the scores the threshold was set on (``fit_predict``
flags the ``contamination`` share, as scikit-learn expects), and those
scores are distributed almost as the scores of new target samples (a new
sample looks among ``m`` references, a reference among ``m - 1``): the
training-score threshold of ``contamination`` is close to a calibrated one.

The representation comes from D's compiled float32 function (fixed-size
batches, :mod:`skalocc._compiled`) and is cast to float64; distances are
computed in float64 on fixed-size blocks of query samples
(padded like the networks' batches), so a sample's score does not depend on
what else is scored with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from skalocc._backend import tf_keras
from skalocc._scoring import _fixed_batches, forward

tf, keras = tf_keras()

#: At most this many training samples are kept as references (a seeded draw).
MAX_REFERENCE = 10_000
# Query samples per distance block: 256 x 10 000 float64 distances = 20 MB.
_QUERY_BLOCK = 256


@dataclass(frozen=True, eq=False)
class FeatureReference:
    """The reference samples of the "features" score, in D's representation.

    Attributes
    ----------
    features : ndarray of shape (m, f), float64
        D's hidden representation of the ``m`` reference training samples.
    norms : ndarray of shape (m,), float64
        Their squared norms, derived from ``features`` on first use (scoring
        needs them on every call).
    """

    features: np.ndarray

    @cached_property
    def norms(self) -> np.ndarray:
        """Squared Euclidean norm of each reference row (computed once, on first use)."""
        return _squared_norms(self.features)


def _squared_norms(rows: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", rows, rows)


def feature_model(discriminator):
    """D from its input to its hidden representation, a new ``keras.Model``.

    Its LeakyReLU layers' outputs, flattened and concatenated (for images,
    the last one only). Scoring builds it once per fitted D, on D's float32
    copy, inside the compiled cache (:mod:`skalocc._compiled`).
    """
    hidden = [
        layer.output for layer in discriminator.layers if isinstance(layer, keras.layers.LeakyReLU)
    ]
    if len(discriminator.input.shape) > 2:  # images: the last block only
        hidden = hidden[-1:]
    flat = [
        keras.layers.Flatten(name=f"features_flatten_{i}")(h) if len(h.shape) > 2 else h
        for i, h in enumerate(hidden)
    ]
    out = flat[0] if len(flat) == 1 else keras.layers.Concatenate(name="features_concat")(flat)
    return keras.Model(discriminator.input, out, name="features_head")


def features(discriminator, x: np.ndarray) -> np.ndarray:
    """D's hidden representation of scaled samples ``x``, float64, shape ``(n, f)``.

    Computed by D's compiled float32 function (fixed-size batches) and cast
    to float64 for the distances.
    """
    return forward(discriminator, x, "features")


def nearest_distances(
    queries: np.ndarray, reference: np.ndarray, reference_norms: np.ndarray | None = None
) -> np.ndarray:
    """Distance from each query row to its nearest reference row that is not its copy.

    A query equal (bit for bit) to its nearest reference row is measured
    against the next nearest instead (leave-one-out for the reference rows
    themselves); with a single reference row, such a query gets distance 0.

    Parameters
    ----------
    queries : ndarray of shape (n, f)
        Feature rows to score.
    reference : ndarray of shape (m, f)
        The reference feature rows.
    reference_norms : ndarray of shape (m,), optional
        Their squared norms (:attr:`FeatureReference.norms`), if known.

    Returns
    -------
    distances : ndarray of shape (n,), float64
    """
    queries = np.asarray(queries, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    ref_norms = _squared_norms(reference) if reference_norms is None else reference_norms
    out = np.empty(len(queries), dtype=np.float64)
    start = 0
    for block, n in _fixed_batches(queries, _QUERY_BLOCK):  # fixed shape, as for the networks
        norms = _squared_norms(block)
        squared = (norms[:, None] + ref_norms[None, :] - 2.0 * (block @ reference.T))[:n]
        nearest = np.argmin(squared, axis=1)
        copies = np.flatnonzero(np.all(reference[nearest] == block[:n], axis=1))
        if len(reference) > 1:
            squared[copies, nearest[copies]] = np.inf
        else:
            squared[copies, nearest[copies]] = 0.0
        out[start : start + n] = np.sqrt(np.maximum(np.min(squared, axis=1), 0.0))
        start += n
    return out


def reference_positions(rng: np.random.Generator, n_samples: int) -> np.ndarray:
    """Positions of the reference samples among ``n_samples`` training samples, sorted."""
    if n_samples <= MAX_REFERENCE:
        return np.arange(n_samples)
    return np.sort(rng.choice(n_samples, size=MAX_REFERENCE, replace=False))


def fitted_reference(
    discriminator, train_rows, rng: np.random.Generator
) -> tuple[FeatureReference, np.ndarray]:
    """The reference of the training rows and their leave-one-out scores.

    Parameters
    ----------
    discriminator : keras.Model
        The fitted float64 D.
    train_rows : InMemoryRows or ScaledRows
        The rows trained on.
    rng : numpy.random.Generator
        Draws the reference rows when there are more than ``MAX_REFERENCE``.

    Returns
    -------
    reference : FeatureReference
    scores : ndarray of float64
        Leave-one-out scores of the reference rows (a uniform sample of the
        training rows' scores).
    """
    positions = reference_positions(rng, len(train_rows))
    rows = train_rows if len(positions) == len(train_rows) else train_rows.subset(positions)
    reference = np.concatenate([features(discriminator, x) for x in rows.scaled_chunks()])
    # Each reference row is its own nearest copy: scored leave-one-out.
    fitted = FeatureReference(reference)
    return fitted, -nearest_distances(reference, reference, fitted.norms)


def feature_scores(discriminator, x: np.ndarray, reference: FeatureReference) -> np.ndarray:
    """The "features" score of scaled samples ``x``: minus the nearest-reference distance."""
    return -nearest_distances(features(discriminator, x), reference.features, reference.norms)
