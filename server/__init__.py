"""cassalite-server: the CQL native protocol v4 over a cassalite database.

Lets the DataStax drivers and the real ``cqlsh`` talk to an embedded cassalite database
over TCP. The server only frames requests and results; all CQL work goes through the
public ``cql`` Session API (one Session per connection, all sharing one database).
"""

from cassalite.server.config import ServerConfig
from cassalite.server.server import CQLServer, ServerThread

__all__ = ["CQLServer", "ServerConfig", "ServerThread"]
