"""Builders for the reconstructor R and the discriminator D.

Each builder is a pure function returning an uncompiled ``keras.Model``.
``input_shape`` of length 3 ``(h, w, c)`` gives convolutional networks (the
paper's Fig. 3 design with configurable widths); length 1 ``(n_features,)``
gives dense (MLP) networks for tabular data.

Batch normalisation uses the paper's settings (momentum 0.9, epsilon 1e-6).
Every initializer gets its own seed drawn from ``rng`` so that a fit is
reproducible without touching any global seed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from skalocc._backend import tf_keras

_, keras = tf_keras()
layers = keras.layers

BN_MOMENTUM = 0.9
BN_EPSILON = 1e-6
LEAKY_SLOPE = 0.2


def _init(rng: np.random.Generator):
    return keras.initializers.GlorotUniform(seed=int(rng.integers(2**31 - 1)))


def _norm_act(x, activation: str):
    x = layers.BatchNormalization(momentum=BN_MOMENTUM, epsilon=BN_EPSILON)(x)
    if activation == "leaky_relu":
        return layers.LeakyReLU(negative_slope=LEAKY_SLOPE)(x)
    return layers.ReLU()(x)


def _encoder(x, input_shape, filters, hidden_units, kernel_size, rng):
    """The down-sampling stack shared by R's encoder and D."""
    if len(input_shape) == 1:
        for units in hidden_units:
            x = _norm_act(layers.Dense(units, kernel_initializer=_init(rng))(x), "leaky_relu")
        return x
    for n_filters in filters:
        x = layers.Conv2D(
            n_filters, kernel_size, strides=2, padding="same", kernel_initializer=_init(rng)
        )(x)
        x = _norm_act(x, "leaky_relu")
    return x


def build_reconstructor(
    input_shape: tuple[int, ...],
    *,
    filters: Sequence[int],
    hidden_units: Sequence[int],
    latent_dim: int | None,
    kernel_size: int,
    rng: np.random.Generator,
):
    """Build R: an encoder-decoder whose output lies in [0, 1].

    Parameters
    ----------
    input_shape : tuple of int
        ``(h, w, c)`` for images, ``(n_features,)`` for tabular rows.
    filters : sequence of int
        Widths of the stride-2 convolutions of the encoder (images); the
        decoder mirrors them.
    hidden_units : sequence of int
        Widths of the dense encoder layers (tabular); the decoder mirrors them.
    latent_dim : int or None
        Size of the dense bottleneck between encoder and decoder. ``None``
        leaves it out (fully convolutional, as in the paper, for images).
    kernel_size : int
        Side of the square convolution kernels.
    rng : numpy.random.Generator
        Source of the initializer seeds.

    Returns
    -------
    model : keras.Model
        Maps a batch of inputs of ``input_shape`` to reconstructions of the
        same shape.
    """
    inputs = keras.Input(shape=input_shape)
    if len(input_shape) == 1:
        x = _encoder(inputs, input_shape, filters, hidden_units, kernel_size, rng)
        if latent_dim is not None:
            x = layers.Dense(latent_dim, kernel_initializer=_init(rng), name="latent")(x)
        for units in reversed(hidden_units):
            x = _norm_act(layers.Dense(units, kernel_initializer=_init(rng))(x), "relu")
        outputs = layers.Dense(input_shape[0], activation="sigmoid", kernel_initializer=_init(rng))(
            x
        )
        return keras.Model(inputs, outputs, name="reconstructor")

    height, width, channels = input_shape
    factor = 2 ** len(filters)
    pad_h = math.ceil(height / factor) * factor - height
    pad_w = math.ceil(width / factor) * factor - width
    x = inputs
    if pad_h or pad_w:
        x = layers.ZeroPadding2D(((0, pad_h), (0, pad_w)))(x)
    x = _encoder(x, input_shape, filters, hidden_units, kernel_size, rng)
    if latent_dim is not None:
        code_shape = ((height + pad_h) // factor, (width + pad_w) // factor, filters[-1])
        x = layers.Flatten()(x)
        x = layers.Dense(latent_dim, kernel_initializer=_init(rng), name="latent")(x)
        x = layers.Dense(math.prod(code_shape), kernel_initializer=_init(rng))(x)
        x = layers.Reshape(code_shape)(_norm_act(x, "relu"))
    for n_filters in reversed(filters[:-1]):
        x = layers.Conv2DTranspose(
            n_filters, kernel_size, strides=2, padding="same", kernel_initializer=_init(rng)
        )(x)
        x = _norm_act(x, "relu")
    x = layers.Conv2DTranspose(
        channels,
        kernel_size,
        strides=2,
        padding="same",
        activation="sigmoid",
        kernel_initializer=_init(rng),
    )(x)
    if pad_h or pad_w:
        x = layers.Cropping2D(((0, pad_h), (0, pad_w)))(x)
    return keras.Model(inputs, x, name="reconstructor")


def build_discriminator(
    input_shape: tuple[int, ...],
    *,
    filters: Sequence[int],
    hidden_units: Sequence[int],
    kernel_size: int,
    rng: np.random.Generator,
):
    """Build D: the probability that an input belongs to the target class.

    Parameters
    ----------
    input_shape : tuple of int
        ``(h, w, c)`` for images, ``(n_features,)`` for tabular rows.
    filters : sequence of int
        Widths of the stride-2 convolutions (images).
    hidden_units : sequence of int
        Widths of the dense layers (tabular).
    kernel_size : int
        Side of the square convolution kernels.
    rng : numpy.random.Generator
        Source of the initializer seeds.

    Returns
    -------
    model : keras.Model
        Maps a batch of inputs to probabilities of shape ``(n, 1)``. Its
        pre-sigmoid layer is named ``"logit"``.
    """
    inputs = keras.Input(shape=input_shape)
    x = _encoder(inputs, input_shape, filters, hidden_units, kernel_size, rng)
    if len(input_shape) > 1:
        x = layers.Flatten()(x)
    logit = layers.Dense(1, kernel_initializer=_init(rng), name="logit")(x)
    outputs = layers.Activation("sigmoid", name="probability")(logit)
    return keras.Model(inputs, outputs, name="discriminator")


def float64_copy(model):
    """Return a float64 twin of ``model`` carrying the same (upcast) weights.

    Scoring runs through float64 twins: float32 kernels give a sample
    slightly different results (about 1e-7 relative) depending on its position
    in the batch, and scores should not depend on what else is scored with it.
    """

    def clone_layer(layer):
        return layer.__class__.from_config({**layer.get_config(), "dtype": "float64"})

    inputs = keras.Input(shape=model.input_shape[1:], dtype="float64")
    twin = keras.models.clone_model(model, input_tensors=inputs, clone_function=clone_layer)
    twin.set_weights([np.asarray(w, dtype=np.float64) for w in model.get_weights()])
    return twin


def keras_clone(model):
    """Return a new model of the same architecture (fresh weights)."""
    return keras.models.clone_model(model)
