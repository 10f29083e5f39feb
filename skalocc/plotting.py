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

__all__ = [
    "ExplanationDisplay",
    "HistoryDisplay",
    "ReconstructionDisplay",
    "discriminator_probabilities",
]


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


class ExplanationDisplay:
    """Where a sample looks novel: heat maps over images, or a bar chart of a row's features.

    The contributions are those of :meth:`ALOCCDetector.explain` (R's squared
    reconstruction error per feature, on the detector's [0, 1] scale). Image
    samples are shown in a top row with their contributions as heat maps
    below; a tabular sample is shown as a horizontal bar chart of its
    ``top_k`` largest contributions.

    Parameters
    ----------
    contributions : ndarray of shape (n, n_features), (n, h, w) or (n, h, w, c)
        Non-negative contributions, one row (or image) per sample.
    images : ndarray of shape (n, h, w) or (n, h, w, c) or None, default=None
        The samples, scaled to [0, 1]: given, heat maps are drawn under them.
    feature_names : sequence of str or None, default=None
        Names of the features of tabular rows (``feature_names_in_``).
    top_k : int, default=10
        Bars of the chart (tabular rows).

    Attributes
    ----------
    figure_ : matplotlib.figure.Figure
        The figure.
    axes_ : ndarray of matplotlib.axes.Axes
        Shape (2, n) for images (samples over heat maps), (n,) for bar charts.

    See Also
    --------
    ReconstructionDisplay : Samples over their reconstructions.

    Examples
    --------
    >>> import numpy as np
    >>> from skalocc.plotting import ExplanationDisplay
    >>> rows = np.array([[0.1, 2.0, 0.3], [0.5, 0.0, 0.2]])
    >>> display = ExplanationDisplay(rows, feature_names=["a", "b", "c"], top_k=2).plot()
    >>> display.axes_.shape
    (2,)
    >>> [t.get_text() for t in display.axes_[0].get_yticklabels()]
    ['b', 'c']
    """

    def __init__(
        self,
        contributions: ArrayLike,
        *,
        images: ArrayLike | None = None,
        feature_names: Sequence[str] | None = None,
        top_k: int = 10,
    ):
        self.contributions = contributions
        self.images = images
        self.feature_names = feature_names
        self.top_k = top_k

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X: ArrayLike,
        *,
        top_k: int = 10,
        axes=None,
        cmap: str = "inferno",
    ) -> ExplanationDisplay:
        """Explain ``X`` with a fitted detector and plot the explanation.

        Parameters
        ----------
        estimator : ALOCCDetector
            A fitted detector.
        X : array-like of shape (n, n_features), (n, h, w) or (n, h, w, c)
            The samples to explain; a few (one chart or two images per sample).
        top_k : int, default=10
            Bars per chart (tabular detectors).
        axes : ndarray of matplotlib Axes, default=None
            Where to draw: shape (2, n) for images, (n,) for rows. None makes
            a new figure.
        cmap : str, default="inferno"
            Colormap of the heat maps.

        Returns
        -------
        display : ExplanationDisplay
            The display, drawn.
        """
        from skalocc._explain import contributions as explained
        from skalocc._validation import scaled_input

        check_is_fitted(estimator)
        chunks, _ = scaled_input(estimator, X)  # validated once
        x = np.concatenate(list(chunks))
        contributions = explained(estimator.reconstructor_, [x])
        names = getattr(estimator, "feature_names_in_", None)
        if estimator.image_shape_ is None:
            display = cls(
                contributions.reshape(len(x), -1),
                feature_names=None if names is None else list(names),
                top_k=top_k,
            )
        else:
            display = cls(contributions.reshape(x.shape), images=x, top_k=top_k)
        return display.plot(axes=axes, cmap=cmap)

    def plot(self, *, axes=None, cmap: str = "inferno") -> ExplanationDisplay:
        """Draw heat maps (when ``images`` is given) or bar charts.

        Parameters
        ----------
        axes : ndarray of matplotlib Axes, default=None
            Shape (2, n) for images, (n,) for rows; None makes a new figure.
        cmap : str, default="inferno"
            Colormap of the heat maps.

        Returns
        -------
        display : ExplanationDisplay
            ``self``, with ``figure_`` and ``axes_`` set.
        """
        plt = _pyplot()
        values = np.asarray(self.contributions, dtype=np.float64)
        n = len(values)
        if self.images is not None:
            images = np.asarray(self.images, dtype=np.float64)
            if images.shape != values.shape or images.ndim not in (3, 4):
                raise ValueError(
                    "images and contributions must be arrays of the same shape (n, h, w) "
                    f"or (n, h, w, c); got {images.shape} and {values.shape}."
                )
            if axes is None:
                _, axes = plt.subplots(
                    2, n, figsize=(1.3 * n + 0.8, 3.0), squeeze=False, layout="constrained"
                )
            axes = np.asarray(axes, dtype=object).reshape(2, n)
            heat = values.sum(axis=-1) if values.ndim == 4 else values
            image_rows = images[..., 0] if images.ndim == 4 and images.shape[-1] == 1 else images
            top = float(heat.max()) or 1.0
            for j in range(n):
                axes[0, j].imshow(image_rows[j], cmap="gray", vmin=0, vmax=1)
                shown = axes[1, j].imshow(heat[j], cmap=cmap, vmin=0, vmax=top)
                for ax in axes[:, j]:
                    ax.set_xticks([])
                    ax.set_yticks([])
            axes[0, 0].set_ylabel("X")
            axes[1, 0].set_ylabel("contribution")
            axes[0, 0].figure.colorbar(shown, ax=list(axes[1]), shrink=0.8)
        else:
            values = values.reshape(n, -1)
            names = self.feature_names
            if names is None:
                names = [f"x{j}" for j in range(values.shape[1])]
            if axes is None:
                _, axes = plt.subplots(
                    1,
                    n,
                    figsize=(3.2 * n, 0.3 * min(self.top_k, values.shape[1]) + 1.2),
                    squeeze=False,
                    layout="constrained",
                )
            axes = np.asarray(axes, dtype=object).reshape(n)
            for j in range(n):
                order = np.argsort(values[j])[::-1][: self.top_k]
                ax = axes[j]
                ax.barh(np.arange(len(order)), values[j][order])
                ax.set_yticks(np.arange(len(order)), [str(names[i]) for i in order])
                ax.invert_yaxis()  # the largest contribution on top
                ax.set_xlabel("contribution")
        self.axes_ = axes
        self.figure_ = np.ravel(axes)[0].figure
        return self
