"""Hidden engine tables kept in step with base-table writes: secondary indexes
(``indexes``) and materialized views (``views``)."""
