"""``python -m cassalite``: the shell, as the ``cassalite`` command."""

from cassalite.shell.__main__ import main

if __name__ == "__main__":
    main()
