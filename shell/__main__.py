"""Entry point for ``cassalite`` and ``python -m shell``."""

import sys

from .cli import main as _main


def main() -> None:
    if sys.argv[1:2] == ["migrate"]:  # cassalite migrate SOURCE TARGET ...
        from cassalite.migrate.cli import main as migrate

        sys.exit(migrate(sys.argv[2:]))
    sys.exit(_main())


if __name__ == "__main__":
    main()
