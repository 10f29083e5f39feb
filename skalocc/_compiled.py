"""Compiled scoring: R and D called through traced float32 functions.

The fitted detector stores float64 twins of R and D (``reconstructor_``,
``discriminator_``: what pickles and model files keep). Scoring does not run
them: float64 convolutions have no fast CPU kernels. It runs float32 copies
of them (:func:`skalocc._networks.float32_copy`; exact, the networks were
trained in float32) through one ``tf.function`` per network, output and batch
shape, traced once with a fixed input signature and reused by every later
call, from any thread.

Batches always have the same shape (``skalocc._scoring._fixed_batches``), so
a sample's outputs do not depend on the other samples of the call, and a
traced function gives the same bits in every process on the same machine.

The cache is keyed, weakly, by the fitted network: a dropped detector's
copies and traced functions go with it.
"""

from __future__ import annotations

import threading
import weakref

import numpy as np

from skalocc._backend import tf_keras
from skalocc._networks import float32_copy

tf, keras = tf_keras()

#: The outputs a compiled function can give: the network's own output, D's
#: pre-sigmoid layer (named "logit"), D's hidden representation
#: (:func:`skalocc._features.feature_model`).
OUTPUTS = ("output", "logit", "features")

_lock = threading.Lock()
# fitted network -> (its float32 copy, {(output, batch_size): tf.function})
_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _head(network, output: str):
    """The float32 ``network`` up to ``output`` (a keras.Model)."""
    if output == "output":
        return network
    if output == "logit":
        return keras.Model(network.input, network.get_layer("logit").output, name="logit_head")
    from skalocc._features import feature_model

    return feature_model(network)


def compiled(model, output: str = "output", batch_size: int = 512):
    """The traced float32 function of ``model`` up to ``output`` on batches of ``batch_size``.

    Built (a float32 copy of ``model`` and one trace) on first use and
    cached for the lifetime of ``model``; thread-safe.

    Parameters
    ----------
    model : keras.Model
        A fitted network (the float64 twins the detector stores, or any
        Keras model of the same kind).
    output : {"output", "logit", "features"}, default="output"
        What the function returns: ``model``'s output, D's logit, or D's
        hidden representation.
    batch_size : int, default=512
        The fixed number of rows of every batch it is called on.

    Returns
    -------
    function : tf.types.experimental.PolymorphicFunction
        Takes a float32 batch of shape ``(batch_size, *input_shape)`` and
        returns float32 outputs, in inference mode.
    """
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}.")
    key = (output, int(batch_size))
    with _lock:
        entry = _cache.get(model)
        if entry is None:
            entry = (float32_copy(model), {})
            _cache[model] = entry
        network, functions = entry
        function = functions.get(key)
        if function is None:
            head = _head(network, output)
            spec = tf.TensorSpec((int(batch_size), *network.input_shape[1:]), tf.float32)

            @tf.function(input_signature=[spec])
            def function(x):
                return head(x, training=False)

            function.get_concrete_function()  # the one trace, made here under the lock
            functions[key] = function
    return function


def cached_functions(model) -> dict:
    """The compiled functions built so far for ``model``, by ``(output, batch_size)``."""
    with _lock:
        entry = _cache.get(model)
        return {} if entry is None else dict(entry[1])


def as_float32(batch: np.ndarray) -> np.ndarray:
    """``batch`` as a C-ordered float32 array (the compiled functions' input)."""
    return np.ascontiguousarray(batch, dtype=np.float32)
