"""The protocols by name, and the option presets of each (defaults and ``--quick``)."""

from __future__ import annotations

from benchmarks._adbench import ADBENCH, ADBENCH_MAX_TEST, ADBENCH_MAX_TRAIN, QUICK_ADBENCH
from benchmarks._image_protocols import DIGITS, MNIST, MNIST_PAPER
from benchmarks._tasks import Protocol

PROTOCOLS: dict[str, Protocol] = {p.name: p for p in (DIGITS, MNIST, MNIST_PAPER, ADBENCH)}

#: Options that ``--quick`` sets, per protocol, unless given explicitly. Measured
#: with the library's defaults of 2026-11 (20 epochs): one ALOCC fit on 300 MNIST
#: images takes about 13 s on 2 CPU cores, so a quick MNIST run (30 ALOCC fits)
#: takes about 7 minutes; quick runs grow with ALOCC's default ``epochs``.
QUICK = {
    "digits": {},
    "mnist": {"max_train": 300, "max_test": 2000},
    "mnist-paper": {"max_train": 300, "max_test": 1000},
    "adbench": {"max_train": 2000, "max_test": 2000, "datasets": QUICK_ADBENCH},
}
#: Defaults without ``--quick``.
DEFAULTS = {
    "digits": {},
    "mnist": {"max_train": None, "max_test": None},
    "mnist-paper": {"max_train": None, "max_test": None},
    "adbench": {"max_train": ADBENCH_MAX_TRAIN, "max_test": ADBENCH_MAX_TEST, "datasets": None},
}
