"""Which of the hot modules run compiled.

``pip install`` compiles the modules of :data:`MODULES` with Cython when Cython and a C
compiler are there (``setup.py``): the same ``.py`` sources, a C extension built beside
each, with some loops typed by an augmenting ``.pxd``. The pure-Python modules stay the
tested fallback. :class:`_Chooser` decides at import which of the two a module is:

- ``CASSALITE_PURE_PYTHON=1`` in the environment: always the source;
- an extension older than its source (a checkout or an edit since the last build): the
  source, so an edited module never runs stale compiled code;
- otherwise the extension.

``cql.compiled`` tells whether all of them run compiled.
"""

from __future__ import annotations

import os
import sys
from importlib.machinery import ExtensionFileLoader, PathFinder
from importlib.util import spec_from_file_location

#: the compiled modules, by installed name; ``setup.py`` reads this tuple (one source)
MODULES = (
    "cassalite.storage.lsm.encoding",  # the SSTable read loops (typed: encoding.pxd)
    "cassalite.storage.murmur3",  # the partitioner's hash in 64-bit C arithmetic
)

#: set: every module of MODULES loads from its source
PURE_ENV = "CASSALITE_PURE_PYTHON"

#: module name -> whether it was loaded compiled (filled as they are imported)
loaded: dict[str, bool] = {}


class _Chooser:
    """A meta-path finder for :data:`MODULES` only: the extension or the source."""

    def find_spec(self, name, path=None, target=None):
        if name not in MODULES:
            return None
        spec = PathFinder.find_spec(name, path, target)
        if spec is None or not isinstance(spec.loader, ExtensionFileLoader):
            loaded[name] = False
            return spec
        source = os.path.join(os.path.dirname(spec.origin), name.rpartition(".")[2] + ".py")
        if os.environ.get(PURE_ENV) or _newer(source, spec.origin):
            loaded[name] = False
            return spec_from_file_location(name, source)
        loaded[name] = True
        return spec


def _newer(source: str, extension: str) -> bool:
    try:
        return os.stat(source).st_mtime > os.stat(extension).st_mtime
    except OSError:
        return False


def all_compiled() -> bool:
    """Whether every module of :data:`MODULES` runs compiled (imports them)."""
    from importlib import import_module

    for name in MODULES:
        import_module(name)
    return all(loaded.get(name, False) for name in MODULES)


if not any(type(f) is _Chooser for f in sys.meta_path):
    sys.meta_path.insert(0, _Chooser())
