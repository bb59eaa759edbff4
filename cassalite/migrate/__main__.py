"""``python -m cassalite.migrate`` (also ``cassalite migrate``)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
