"""Schema statements: validated and applied when they execute (``common`` holds the plan
base classes and checks).

``keyspaces`` (USE, CREATE/ALTER/DROP KEYSPACE), ``tables`` (CREATE/ALTER/DROP TABLE,
TRUNCATE), ``udts`` (CREATE/ALTER/DROP TYPE), ``indexes`` (CREATE/DROP INDEX), ``views``
(CREATE/ALTER/DROP MATERIALIZED VIEW), ``describe`` (DESCRIBE) and ``unsupported``
(UDFs, UDAs, triggers, roles: Cassandra's statements with cassalite's messages).
"""
