"""cassalite: everything that is not the public ``cql`` API, under one installed name.

The repository keeps one top-level folder per layer; the install maps them here
(``package-dir`` in pyproject.toml), so a user project's own ``storage.py`` or
``shell.py`` never collides with ours:

=========================== =============== ==========================================
installed as                folder          what
=========================== =============== ==========================================
``cassalite.storage``       ``storage/``    engine interface, data model, memory/LSM
``cassalite.grammar``       ``grammar/``    ``cql.lark`` and the LALR runtime
``cassalite.shell``         ``shell/``      the cqlsh look-alike (``cassalite``)
``cassalite.server``        ``server/``     native protocol v4 (``cassalite-server``)
``cassalite.pytest_plugin`` ``cassalite/``  the ``cql_session``/``cql_server`` fixtures
=========================== =============== ==========================================

The public API is the separate top-level package ``cql``.
"""

from . import compiled as _compiled  # noqa: F401 - first: it picks compiled or source modules

__version__ = "0.1.0"
