"""``python -m skalocc`` runs the digits demo."""

import sys

from skalocc._demo import main

if __name__ == "__main__":
    sys.exit(main())
