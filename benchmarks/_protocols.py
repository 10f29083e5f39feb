"""The protocols by name, and the option presets of each (defaults and ``--quick``)."""

from __future__ import annotations

from benchmarks._adbench import ADBENCH, ADBENCH_MAX_TEST, ADBENCH_MAX_TRAIN, QUICK_ADBENCH
from benchmarks._image_protocols import DIGITS, MNIST, MNIST_PAPER
from benchmarks._tasks import Protocol

PROTOCOLS: dict[str, Protocol] = {p.name: p for p in (DIGITS, MNIST, MNIST_PAPER, ADBENCH)}

#: Options that ``--quick`` sets, per protocol, unless given explicitly. ALOCC's
#: default ``epochs="auto"`` runs at least 1 000 steps (about 100 s on 28x28
#: images on 2 CPU cores, whatever the number of images), so the quick MNIST
#: presets also shorten ALOCC's training to 20 epochs of 300 images (100
#: steps, about 10-15 s per fit): quick numbers check the pipeline, they are
#: not ALOCC's quality (run without ``--quick`` for that).
QUICK_ALOCC = {"epochs": 20}
QUICK = {
    "digits": {},
    "mnist": {"max_train": 300, "max_test": 2000, "alocc_params": QUICK_ALOCC},
    "mnist-paper": {"max_train": 300, "max_test": 1000, "alocc_params": QUICK_ALOCC},
    "adbench": {"max_train": 2000, "max_test": 2000, "datasets": QUICK_ADBENCH},
}
#: Defaults without ``--quick``.
DEFAULTS = {
    "digits": {},
    "mnist": {"max_train": None, "max_test": None},
    "mnist-paper": {"max_train": None, "max_test": None},
    "adbench": {"max_train": ADBENCH_MAX_TRAIN, "max_test": ADBENCH_MAX_TEST, "datasets": None},
}
