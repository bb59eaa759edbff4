"""cassalite's interactive shell: a drop-in for cqlsh over the embedded ``cql`` API."""

NAME = "cassalite"
__version__ = "0.1.0"
