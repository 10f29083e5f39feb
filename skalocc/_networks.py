"""Builders for the reconstructor R and the discriminator D.

Each builder is a pure function returning an uncompiled ``keras.Model``.
``input_shape`` of length 3 ``(h, w, c)`` gives convolutional networks (the
paper's Fig. 3 design with configurable widths); length 1 ``(n_features,)``
gives dense (MLP) networks for tabular data.

Batch normalisation uses the paper's settings (momentum 0.9, epsilon 1e-6).
Every initializer gets its own seed drawn from ``rng`` so that a fit is
reproducible without touching any global seed.

Every layer is named by its network and position (``r_conv_0``, ``d_bn_1``,
...; the special layers keep ``latent``, ``logit`` and ``probability``):
Keras would otherwise give each new layer a process-wide uniquified name
(``dense_1234``), and those names accumulate over many fits in one process.
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


class _Names:
    """Positional layer names of one network: ``<prefix>_<kind>_<index>``."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.counts: dict[str, int] = {}

    def __call__(self, kind: str) -> str:
        index = self.counts.get(kind, 0)
        self.counts[kind] = index + 1
        return f"{self.prefix}_{kind}_{index}"


def _norm_act(x, activation: str, names: _Names):
    x = layers.BatchNormalization(momentum=BN_MOMENTUM, epsilon=BN_EPSILON, name=names("bn"))(x)
    if activation == "leaky_relu":
        return layers.LeakyReLU(negative_slope=LEAKY_SLOPE, name=names("leaky_relu"))(x)
    return layers.ReLU(name=names("relu"))(x)


def _strided(layer_class, n_filters: int, kernel_size: int, rng, name: str, **kwargs):
    """A stride-2, "same"-padded (transposed) convolution, Glorot-initialised from ``rng``."""
    return layer_class(
        n_filters,
        kernel_size,
        strides=2,
        padding="same",
        kernel_initializer=_init(rng),
        name=name,
        **kwargs,
    )


def _encoder(x, input_shape, filters, hidden_units, kernel_size, rng, names: _Names):
    """The down-sampling stack shared by R's encoder and D."""
    if len(input_shape) == 1:
        for units in hidden_units:
            x = layers.Dense(units, kernel_initializer=_init(rng), name=names("dense"))(x)
            x = _norm_act(x, "leaky_relu", names)
        return x
    for n_filters in filters:
        x = _strided(layers.Conv2D, n_filters, kernel_size, rng, names("conv"))(x)
        x = _norm_act(x, "leaky_relu", names)
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
    names = _Names("r")
    inputs = keras.Input(shape=input_shape, name="r_input")
    if len(input_shape) == 1:
        x = _encoder(inputs, input_shape, filters, hidden_units, kernel_size, rng, names)
        if latent_dim is not None:
            x = layers.Dense(latent_dim, kernel_initializer=_init(rng), name="latent")(x)
        for units in reversed(hidden_units):
            x = layers.Dense(units, kernel_initializer=_init(rng), name=names("dense"))(x)
            x = _norm_act(x, "relu", names)
        outputs = layers.Dense(
            input_shape[0],
            activation="sigmoid",
            kernel_initializer=_init(rng),
            name=names("dense"),
        )(x)
        return keras.Model(inputs, outputs, name="reconstructor")

    height, width, channels = input_shape
    factor = 2 ** len(filters)
    pad_h = math.ceil(height / factor) * factor - height
    pad_w = math.ceil(width / factor) * factor - width
    x = inputs
    if pad_h or pad_w:
        x = layers.ZeroPadding2D(((0, pad_h), (0, pad_w)), name=names("pad"))(x)
    x = _encoder(x, input_shape, filters, hidden_units, kernel_size, rng, names)
    if latent_dim is not None:
        code_shape = ((height + pad_h) // factor, (width + pad_w) // factor, filters[-1])
        x = layers.Flatten(name=names("flatten"))(x)
        x = layers.Dense(latent_dim, kernel_initializer=_init(rng), name="latent")(x)
        x = layers.Dense(math.prod(code_shape), kernel_initializer=_init(rng), name=names("dense"))(
            x
        )
        x = layers.Reshape(code_shape, name=names("reshape"))(_norm_act(x, "relu", names))
    for n_filters in reversed(filters[:-1]):
        x = _strided(layers.Conv2DTranspose, n_filters, kernel_size, rng, names("deconv"))(x)
        x = _norm_act(x, "relu", names)
    x = _strided(
        layers.Conv2DTranspose, channels, kernel_size, rng, names("deconv"), activation="sigmoid"
    )(x)
    if pad_h or pad_w:
        x = layers.Cropping2D(((0, pad_h), (0, pad_w)), name=names("crop"))(x)
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
    names = _Names("d")
    inputs = keras.Input(shape=input_shape, name="d_input")
    x = _encoder(inputs, input_shape, filters, hidden_units, kernel_size, rng, names)
    if len(input_shape) > 1:
        x = layers.Flatten(name=names("flatten"))(x)
    logit = layers.Dense(1, kernel_initializer=_init(rng), name="logit")(x)
    outputs = layers.Activation("sigmoid", name="probability")(logit)
    return keras.Model(inputs, outputs, name="discriminator")


def _copy_as(model, dtype: str):
    """A twin of ``model`` whose layers compute in ``dtype``, with the same weights cast."""

    def clone_layer(layer):
        return layer.__class__.from_config({**layer.get_config(), "dtype": dtype})

    inputs = keras.Input(shape=model.input_shape[1:], dtype=dtype, name=f"{model.name}_input")
    twin = keras.models.clone_model(model, input_tensors=inputs, clone_function=clone_layer)
    twin.set_weights([np.asarray(w, dtype=dtype) for w in model.get_weights()])
    return twin


def float64_copy(model):
    """Return a float64 twin of ``model`` carrying the same (upcast) weights.

    The fitted detector stores float64 twins (pickles and model files keep
    them, bit for bit); scoring runs through float32 copies of them
    (:func:`float32_copy`, :mod:`skalocc._compiled`).
    """
    return _copy_as(model, "float64")


def float32_copy(model):
    """Return a float32 twin of ``model`` carrying the same (cast) weights.

    The networks are trained in float32, so a float32 copy of a float64 twin
    holds exactly the trained weights.
    """
    return _copy_as(model, "float32")


def keras_clone(model):
    """Return a new model of the same architecture (fresh weights)."""
    return keras.models.clone_model(model)
