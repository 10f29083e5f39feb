"""``python -m skalocc`` runs the digits demo; ``python -m skalocc fit|score|demo ...``
runs the ``skalocc`` command line."""

import sys

from skalocc._cli import main as cli_main
from skalocc._demo import main as demo_main

COMMANDS = ("fit", "score", "demo")

if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(cli_main(args) if args and args[0] in COMMANDS else demo_main(args))
