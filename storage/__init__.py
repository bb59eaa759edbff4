"""Storage engines: ``lsm`` (the default), ``memory`` and ``rocks`` (RocksDB, optional).

The names are here, free of imports, so that command lines can offer them without loading
an engine.
"""

#: the storage engines a directory can be opened with (``cql.connect(path, engine=...)``)
ENGINE_NAMES = ("lsm", "memory", "rocks")
