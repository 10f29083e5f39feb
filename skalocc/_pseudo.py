"""Pseudo-anomalies: extra negatives for D, made from the training batch.

The paper's D only ever sees two kinds of input: real target samples
(label 1) and R's reconstructions of noisy ones (label 0). It then learns
to spot reconstruction artefacts (blur) rather than what makes a sample
belong to the target class, and scores novel samples that are crisp as
normal. Giving D a third kind of negative, target samples with their
structure broken, teaches it the structure itself (the idea behind the
pseudo-anomalies of "Old is Gold", CVPR 2020, and of self-supervised
detectors):

* images: rotations by 90/180/270 degrees (square images), horizontal and
  vertical flips, and circular shifts by half the height and/or width (the
  quadrants swap places). Each sample of the batch gets one transformation
  drawn at random, so D sees one pseudo-anomaly per real sample. Chimeras
  (one half of a sample joined to the other half of another sample of the
  batch) are deliberately not used: two halves of two target samples make a
  plausible target sample, so they taught D to reject real inliers (the
  measurement is on the benchmarks page, "MNIST with chimeras").
  With ``erase_fraction`` > 0, that share of the samples (drawn per sample)
  gets an erasure instead: a rectangle of half the image's height and width,
  at a random position, set to 0 (the bottom of the scaled range). A part
  missing is what separates many novelties from the target class (an 8
  without its upper loop is close to a 9, without its left side close to a
  3), and the rotations and flips cannot teach it: they leave a symmetric
  class (0, 1, 8) nearly unchanged. On MNIST digit 8 a third of erasures
  lifted the combined score's AUROC from 0.90 to 0.95 (benchmarks page).
* tabular rows: the sample plus Gaussian noise at three scales (0.05, 0.2
  and 0.5 in units of the scaled features: near misses to gross errors), and
  rows whose columns are shuffled independently across the batch (every
  feature keeps its distribution, the dependencies between features break).

Every function works on a batch tensor and draws its randomness from a
``keras.random.SeedGenerator``, so training stays reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

from skalocc._backend import tf_keras

tf, keras = tf_keras()

TABULAR_NOISE_SCALES = (0.05, 0.2, 0.5)


def _image_candidates(x):
    """Every structure-breaking transformation of an image batch that changes it."""
    h, w = int(x.shape[1]), int(x.shape[2])
    out = []
    if h == w and h > 1:
        # The three rotations by a quarter turn, without tf.image.rot90's
        # shape assertions (which make Grappler print a warning).
        xt = tf.transpose(x, [0, 2, 1, 3])
        out += [tf.reverse(xt, axis=[1]), tf.reverse(x, axis=[1, 2]), tf.reverse(xt, axis=[2])]
    if w > 1:
        out += [tf.reverse(x, axis=[2]), tf.roll(x, shift=w // 2, axis=2)]
    if h > 1:
        out += [tf.reverse(x, axis=[1]), tf.roll(x, shift=h // 2, axis=1)]
    if h > 1 and w > 1:
        out.append(tf.roll(x, shift=[h // 2, w // 2], axis=[1, 2]))
    return out


def _pick(candidates, n, seed_generator):
    """One candidate per sample, drawn at random: ``out[i] = candidates[k_i][i]``."""
    stacked = tf.stack(candidates, axis=0)
    choice = keras.random.randint((n,), 0, len(candidates), seed=seed_generator, dtype="int32")
    return tf.gather_nd(stacked, tf.stack([choice, tf.range(n)], axis=1))


def _erased(x, seed_generator):
    """``x`` with one rectangle of half its height and width set to 0, per image."""
    h, w = int(x.shape[1]), int(x.shape[2])
    ph, pw = max(1, h // 2), max(1, w // 2)
    n = tf.shape(x)[0]
    top = keras.random.randint((n, 1, 1, 1), 0, h - ph + 1, seed=seed_generator, dtype="int32")
    left = keras.random.randint((n, 1, 1, 1), 0, w - pw + 1, seed=seed_generator, dtype="int32")
    rows = tf.range(h)[None, :, None, None]
    cols = tf.range(w)[None, None, :, None]
    inside = (rows >= top) & (rows < top + ph) & (cols >= left) & (cols < left + pw)
    return tf.where(inside, tf.zeros_like(x), x)


def image_pseudo_anomalies(x, seed_generator, erase_fraction: float = 0.0):
    """One pseudo-anomaly per image of the batch ``x`` (shape ``(n, h, w, c)``).

    ``erase_fraction`` of the images (each drawn independently) are erased
    (:func:`_erased`), the others get a geometric transformation. With
    ``erase_fraction=0`` no draw is made for erasures, so training is that
    of version 0.2 bit for bit. A one-pixel image has no structure to break:
    it gets the tabular pseudo-anomalies of its channel values instead.
    """
    candidates = _image_candidates(x)
    if not candidates:
        rows = tf.reshape(x, (-1, int(x.shape[3])))
        return tf.reshape(tabular_pseudo_anomalies(rows, seed_generator), (-1, 1, 1, x.shape[3]))
    n = tf.shape(x)[0]
    geometric = _pick(candidates, n, seed_generator)
    if erase_fraction <= 0:
        return geometric
    erase = keras.random.uniform((n, 1, 1, 1), seed=seed_generator, dtype=x.dtype) < erase_fraction
    return tf.where(erase, _erased(x, seed_generator), geometric)


def tabular_pseudo_anomalies(x, seed_generator):
    """Noisy copies at each scale and a column-shuffled batch, concatenated.

    Returns ``len(TABULAR_NOISE_SCALES) + 1`` times as many rows as ``x``.
    """
    noisy = [
        x + keras.random.normal(tf.shape(x), stddev=scale, seed=seed_generator, dtype=x.dtype)
        for scale in TABULAR_NOISE_SCALES
    ]
    # Shuffle each column with its own permutation: argsort of uniform keys,
    # one row of keys per column (sorting along the last axis avoids an int32
    # transpose, which oneDNN reports on CPUs without AVX-512).
    keys = keras.random.uniform(
        (tf.shape(x)[1], tf.shape(x)[0]), seed=seed_generator, dtype=x.dtype
    )
    order = tf.argsort(keys, axis=-1)
    shuffled = tf.transpose(tf.gather(tf.transpose(x), order, batch_dims=1))
    return tf.concat([*noisy, shuffled], axis=0)


@dataclass(frozen=True)
class PseudoAnomalies:
    """The pseudo-anomalies D learns to reject, as one callable the trainers hold.

    Parameters
    ----------
    erase_fraction : float, default=0.0
        Share of the image pseudo-anomalies that are erasures
        (:func:`image_pseudo_anomalies`); tabular rows ignore it.
    """

    erase_fraction: float = 0.0

    def __call__(self, x, seed_generator):
        """Pseudo-anomalies for a batch of images (4-D) or tabular rows (2-D)."""
        if len(x.shape) == 4:
            return image_pseudo_anomalies(x, seed_generator, self.erase_fraction)
        return tabular_pseudo_anomalies(x, seed_generator)
