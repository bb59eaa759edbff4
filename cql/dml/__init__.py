"""SELECT, INSERT, UPDATE, DELETE and BATCH: each statement's plan, compiled against the
schema when prepared and executed against the engine.

``select`` (with ``selection`` and ``paging``), ``modify`` (with ``operations`` and
``conditions``), ``batch`` and ``json_insert``.
"""
