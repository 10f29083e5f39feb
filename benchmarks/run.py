"""Run one benchmark protocol and print its table.

Usage, from the repository root::

    python benchmarks/run.py {digits,mnist,mnist-paper,adbench,check-data} [options]

``python -m benchmarks.run`` works too. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> int:
    """Make the ``benchmarks`` package importable, then run its command line.

    Returns
    -------
    status : int
        The command line's exit status.
    """
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    from benchmarks._cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
