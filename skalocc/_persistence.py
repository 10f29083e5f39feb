"""Pickling of fitted Keras networks as plain config + weight arrays.

A fitted network is stored as its Keras config (``serialize_keras_object``)
and its weights as NumPy arrays, and rebuilt with ``deserialize_keras_object``
and ``set_weights``. The pickle holds no TensorFlow objects, loads bit-exact,
and needs no temporary files.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from skalocc._version import __version__
from skalocc.exceptions import InconsistentVersionWarning


@dataclass(frozen=True)
class SerializedModel:
    """A Keras model reduced to its config and weights."""

    config: dict
    weights: list[np.ndarray]

    @classmethod
    def from_model(cls, model) -> SerializedModel:
        """Capture ``model``'s architecture and weights."""
        from skalocc._backend import tf_keras

        _, keras = tf_keras()
        return cls(keras.saving.serialize_keras_object(model), model.get_weights())

    def to_model(self):
        """Rebuild the Keras model with identical weights."""
        from skalocc._backend import tf_keras

        _, keras = tf_keras()
        model = keras.saving.deserialize_keras_object(self.config)
        model.set_weights(self.weights)
        return model


def check_pickle_version(saved: str | None) -> None:
    """Warn when a pickle was written by a different skalocc version."""
    if saved != __version__:
        warnings.warn(
            f"Trying to unpickle an ALOCCDetector from skalocc version {saved} when "
            f"using version {__version__}. This might lead to breaking code or "
            "invalid results. Use at your own risk.",
            InconsistentVersionWarning,
            stacklevel=3,
        )
