"""Plots of a fitted :class:`~skalocc.ALOCCDetector`, as scikit-learn's displays.

Each display is built either from the values to plot (``Display(...).plot()``)
or from a fitted detector (``Display.from_estimator(...)``), draws with
matplotlib and keeps the matplotlib objects it made as attributes ending in
``_`` (``figure_``, ``ax_`` or ``axes_``), so that plots can be changed after
the fact. matplotlib is an optional dependency (``pip install
"skalocc[plot]"``), imported when a plot is drawn, not when this module is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.utils.validation import check_is_fitted

__all__ = ["HistoryDisplay", "ReconstructionDisplay", "discriminator_probabilities"]


def _pyplot():
    """Import matplotlib.pyplot, or explain how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError("skalocc's plots need matplotlib: pip install 'skalocc[plot]'.") from exc
    return plt


def discriminator_probabilities(estimator, X: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """D's probability of the target class for X and for its reconstruction R(X).

    These are the scores ``score_samples`` returns with
    ``novelty_score="D(X)"`` and ``novelty_score="D(R(X))"`` (the paper's
    OCC1 and OCC2), computed from one fitted detector whatever its
    ``novelty_score``.

    Parameters
    ----------
    estimator : ALOCCDetector
        A fitted detector.
    X : array-like of shape (n_samples, n_features), (n, h, w) or (n, h, w, c)
        Samples.

    Returns
    -------
    d_x : ndarray of shape (n_samples,)
        D(X), in (0, 1); higher means more target-like.
    d_rx : ndarray of shape (n_samples,)
        D(R(X)), in (0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from skalocc import ALOCCDetector
    >>> from skalocc.plotting import discriminator_probabilities
    >>> X = np.random.default_rng(0).normal(size=(40, 3))
    >>> det = ALOCCDetector(hidden_units=(4,), latent_dim=2, epochs=1,
    ...                     novelty_score="D(X)", random_state=0).fit(X)
    >>> d_x, d_rx = discriminator_probabilities(det, X)
    >>> bool(np.allclose(d_x, det.score_samples(X)))
    True
    """
    from skalocc._validation import scaled_input

    chunks, _ = scaled_input(estimator, X)  # large inputs come in chunks of rows
    return _probabilities(estimator, list(chunks))


def _probabilities(estimator, chunks: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """D(X) and D(R(X)) of scaled, validated ``chunks``."""
    from skalocc._scoring import novelty_scores

    nets = estimator.reconstructor_, estimator.discriminator_
    d_x = [novelty_scores(*nets, x, "D(X)") for x in chunks]
    d_rx = [novelty_scores(*nets, x, "D(R(X))") for x in chunks]
    return np.concatenate(d_x), np.concatenate(d_rx)


class ReconstructionDisplay:
    """Montage of samples (top row) over their reconstructions R(X) (bottom row).

    Under each pair the display prints D(X) and D(R(X)), D's probability that
    the sample and its reconstruction belong to the target class, as in
    Figs. 1 and 9 of the ALOCC paper. Images are shown on the detector's
    scale ([0, 1], as the networks see them).

    Parameters
    ----------
    images : ndarray of shape (n, h, w) or (n, h, w, c)
        The samples, scaled to [0, 1].
    reconstructions : ndarray, same shape as ``images``
        R's reconstructions, on the same scale.
    d_x, d_rx : ndarray of shape (n,) or None, default=None
        D(X) and D(R(X)), printed under each column when given.
    labels : sequence of str or None, default=None
        A title for each column (e.g. "inlier" / "outlier").

    Attributes
    ----------
    figure_ : matplotlib.figure.Figure
        The figure of the montage.
    axes_ : ndarray of matplotlib.axes.Axes, shape (2, n)
        Row 0 shows the samples, row 1 the reconstructions.

    See Also
    --------
    HistoryDisplay : The training losses of a detector.

    Examples
    --------
    >>> import numpy as np
    >>> from skalocc.plotting import ReconstructionDisplay
    >>> images = np.random.default_rng(0).uniform(size=(3, 8, 8))
    >>> display = ReconstructionDisplay(images, images * 0.9, d_x=[0.9, 0.8, 0.1],
    ...                                 d_rx=[0.7, 0.6, 0.2]).plot()
    >>> display.axes_.shape
    (2, 3)
    """

    def __init__(
        self,
        images: ArrayLike,
        reconstructions: ArrayLike,
        *,
        d_x: ArrayLike | None = None,
        d_rx: ArrayLike | None = None,
        labels: Sequence[str] | None = None,
    ):
        self.images = images
        self.reconstructions = reconstructions
        self.d_x = d_x
        self.d_rx = d_rx
        self.labels = labels

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X: ArrayLike,
        *,
        labels: Sequence[str] | None = None,
        axes=None,
        cmap: str = "gray",
    ) -> ReconstructionDisplay:
        """Reconstruct ``X`` with a fitted image-mode detector and plot the montage.

        Parameters
        ----------
        estimator : ALOCCDetector
            Fitted with images (``image_shape_`` is not None).
        X : array-like of shape (n, n_features), (n, h, w) or (n, h, w, c)
            The samples to show; a dozen fit on a row.
        labels : sequence of str or None, default=None
            A title for each column.
        axes : ndarray of matplotlib Axes of shape (2, n), default=None
            Where to draw; None makes a new figure.
        cmap : str, default="gray"
            Colormap of single-channel images.

        Returns
        -------
        display : ReconstructionDisplay
            The display, drawn.

        Notes
        -----
        The gallery example "Reconstructions and the discriminator's
        verdicts" draws this montage for a fitted detector; the class's
        Examples section draws one from arrays.
        """
        from skalocc._scoring import forward
        from skalocc._validation import scaled_input

        check_is_fitted(estimator)
        if estimator.image_shape_ is None:
            raise ValueError(
                "ReconstructionDisplay shows images: the detector was fitted on tabular "
                "rows (image_shape_ is None). Fit it with image_shape or image arrays."
            )
        chunks, _ = scaled_input(estimator, X)  # validated once
        x = np.concatenate(list(chunks))  # a montage shows a few samples
        reconstructions = np.clip(forward(estimator.reconstructor_, x), 0.0, 1.0)
        d_x, d_rx = _probabilities(estimator, [x])
        display = cls(x, reconstructions, d_x=d_x, d_rx=d_rx, labels=labels)
        return display.plot(axes=axes, cmap=cmap)

    def plot(self, *, axes=None, cmap: str = "gray") -> ReconstructionDisplay:
        """Draw the montage.

        Parameters
        ----------
        axes : ndarray of matplotlib Axes of shape (2, n), default=None
            Where to draw; None makes a new figure.
        cmap : str, default="gray"
            Colormap of single-channel images.

        Returns
        -------
        display : ReconstructionDisplay
            ``self``, with ``figure_`` and ``axes_`` set.
        """
        plt = _pyplot()
        images = np.asarray(self.images, dtype=np.float64)
        recs = np.asarray(self.reconstructions, dtype=np.float64)
        if images.ndim not in (3, 4) or recs.shape != images.shape:
            raise ValueError(
                "images and reconstructions must be arrays of the same shape (n, h, w) "
                f"or (n, h, w, c); got {images.shape} and {recs.shape}."
            )
        n = len(images)
        if axes is None:
            _, axes = plt.subplots(
                2, n, figsize=(1.3 * n + 0.6, 3.2), squeeze=False, layout="constrained"
            )
        axes = np.asarray(axes, dtype=object).reshape(2, n)
        for j in range(n):
            for row, data in enumerate((images[j], recs[j])):
                ax = axes[row, j]
                if data.ndim == 3 and data.shape[-1] == 1:
                    data = data[..., 0]
                ax.imshow(data, cmap=cmap if data.ndim == 2 else None, vmin=0, vmax=1)
                ax.set_xticks([])
                ax.set_yticks([])
            if self.labels is not None:
                axes[0, j].set_title(str(self.labels[j]), fontsize=9)
            lines = []
            if self.d_x is not None:
                lines.append(f"D(X)={float(np.asarray(self.d_x)[j]):.2f}")
            if self.d_rx is not None:
                lines.append(f"D(R(X))={float(np.asarray(self.d_rx)[j]):.2f}")
            if lines:
                axes[1, j].set_xlabel("\n".join(lines), fontsize=8)
        axes[0, 0].set_ylabel("X")
        axes[1, 0].set_ylabel("R(X)")
        self.axes_ = axes
        self.figure_ = axes[0, 0].figure
        return self


class HistoryDisplay:
    """Training curves: each loss of ``history_`` against the epoch.

    Parameters
    ----------
    history : mapping of str to sequence of float
        Per-epoch values, as in ``ALOCCDetector.history_``.

    Attributes
    ----------
    lines_ : dict of str to matplotlib.lines.Line2D
        One line per plotted key.
    ax_ : matplotlib.axes.Axes
        The axes of the plot.
    figure_ : matplotlib.figure.Figure
        The figure holding ``ax_``.

    See Also
    --------
    ReconstructionDisplay : Samples and their reconstructions.

    Examples
    --------
    >>> from skalocc.plotting import HistoryDisplay
    >>> display = HistoryDisplay({"d_loss": [1.4, 1.2, 1.1], "r_loss": [2.0, 1.5, 1.3]})
    >>> sorted(display.plot().lines_)
    ['d_loss', 'r_loss']
    """

    def __init__(self, history: Mapping[str, Sequence[float]]):
        self.history = history

    @classmethod
    def from_estimator(
        cls, estimator, *, keys: Sequence[str] | None = None, ax=None, **kwargs: Any
    ) -> HistoryDisplay:
        """Plot the ``history_`` of a fitted detector.

        Parameters
        ----------
        estimator : ALOCCDetector
            A fitted detector.
        keys : sequence of str or None, default=None
            The losses to plot; None plots every one.
        ax : matplotlib.axes.Axes, default=None
            Where to draw; None makes a new figure.
        **kwargs
            Passed to ``ax.plot`` for every line.

        Returns
        -------
        display : HistoryDisplay
            The display, drawn.

        Notes
        -----
        The gallery example "Training curves" plots a fitted detector's
        history; the class's Examples section plots one from a dict.
        """
        check_is_fitted(estimator)
        history = estimator.history_
        if keys is not None:
            missing = [k for k in keys if k not in history]
            if missing:
                raise ValueError(
                    f"No {missing} in the detector's history_; it has {sorted(history)}."
                )
            history = {k: history[k] for k in keys}
        return cls(dict(history)).plot(ax=ax, **kwargs)

    def plot(self, *, ax=None, **kwargs: Any) -> HistoryDisplay:
        """Draw one line per loss.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, default=None
            Where to draw; None makes a new figure.
        **kwargs
            Passed to ``ax.plot`` for every line.

        Returns
        -------
        display : HistoryDisplay
            ``self``, with ``lines_``, ``ax_`` and ``figure_`` set.
        """
        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots(layout="constrained")
        self.lines_ = {}
        first_epoch = {name: 1 for name in self.history}
        if "d_refine_loss" in self.history:  # the second phase follows the first
            first_epoch["d_refine_loss"] = len(self.history.get("d_loss", ())) + 1
        for name, values in self.history.items():
            epochs = np.arange(first_epoch[name], first_epoch[name] + len(values))
            (self.lines_[name],) = ax.plot(epochs, values, label=name, **kwargs)
        ax.set_xlabel("epoch")
        ax.set_ylabel("mean loss")
        if self.lines_:
            ax.legend()
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
