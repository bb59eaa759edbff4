"""What exists: keyspace, table, column, type and index descriptions (``metadata``), the
WITH options of schema statements (``options``), and schema objects as CREATE text
(``describe``, for DESCRIBE). In memory only: ``cql.system`` stores them.
"""
