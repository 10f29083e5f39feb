"""Exceptions and warnings that skalocc raises and users may catch.

Examples
--------
>>> from skalocc.exceptions import TrainingDivergedError
>>> issubclass(TrainingDivergedError, FloatingPointError)
True
"""

from __future__ import annotations

__all__ = ["InconsistentVersionWarning", "TrainingDivergedError"]


class TrainingDivergedError(FloatingPointError):
    """Raised by ``fit`` when a training loss becomes NaN or infinite.

    The message names the epoch and the losses, and what to change
    (learning rates, ``reconstruction_weight``, the input's scale). The
    estimator keeps the model it had before the failed ``fit``.
    """


class InconsistentVersionWarning(UserWarning):
    """A pickle made by another skalocc version is being loaded."""
