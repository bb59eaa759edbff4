"""HELP: the cqlsh topic lists, plus help text shown in the terminal (no browser needed)."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from .formatting import columnize

if TYPE_CHECKING:
    from .core import Shell

DOC_URL = "https://cassandra.apache.org/doc/latest/cassandra/cql/cql_singlefile.html"

SHELL_HELP: dict[str, str] = {
    "capture": """
        CAPTURE '<file>';   append query results (not errors or shell messages) to a file
        CAPTURE OFF;        stop capturing
        CAPTURE;            show where output is being captured

        The path is relative to the current directory; '~' means your home directory.
        Captured output is never coloured.""",
    "clear": """
        CLEAR / CLS         clear the terminal screen""",
    "consistency": """
        CONSISTENCY;            show the consistency level (default ONE)
        CONSISTENCY <level>;    set it for following requests: ANY, ONE, TWO, THREE, QUORUM,
                                ALL, LOCAL_ONE, LOCAL_QUORUM, EACH_QUORUM, SERIAL,
                                LOCAL_SERIAL, NODE_LOCAL

        cassalite is a single node, so every level is satisfied by that node.""",
    "copy": """
        COPY <table> [(<col>, ...)] TO ('<file>' | STDOUT) [WITH <option>=<value> [AND ...]];
        COPY <table> [(<col>, ...)] FROM ('<file>[, <file> ...]' | STDIN) [WITH ...];

        Export a table to CSV or import CSV into a table. File names may be globs.
        On STDIN, end the data with a line holding only '\\.'.

        Common options: DELIMITER=',' QUOTE='"' ESCAPE='\\' HEADER=false NULL=''
          DATETIMEFORMAT (cqlshrc time_format) MAXATTEMPTS=5 REPORTFREQUENCY=0.25
          DECIMALSEP='.' THOUSANDSSEP='' BOOLSTYLE='True,False' NUMPROCESSES CONFIGFILE
          RATEFILE
        COPY FROM: CHUNKSIZE=5000 INGESTRATE=100000 MINBATCHSIZE=10 MAXBATCHSIZE=20
          MAXROWS=-1 SKIPROWS=0 SKIPCOLS='' MAXPARSEERRORS=-1 MAXINSERTERRORS=1000
          ERRFILE=import_<ks>_<table>.err PREPAREDSTATEMENTS=True TTL=-1
        COPY TO: ENCODING='utf8' PAGESIZE=1000 PAGETIMEOUT BEGINTOKEN ENDTOKEN
          MAXREQUESTS=6 MAXOUTPUTSIZE=-1 FLOATPRECISION=5 DOUBLEPRECISION=12

        Defaults may also come from the [copy], [copy-to], [copy-from], [copy:<ks>.<table>]
        sections of cqlshrc.""",
    "describe": """
        DESCRIBE (or DESC) prints CQL that recreates schema objects, or lists their names:

        DESCRIBE KEYSPACES | TABLES | TYPES | FUNCTIONS | AGGREGATES;
        DESCRIBE [ONLY] KEYSPACE [<ks>];   DESCRIBE TABLE [<ks>.]<table>;
        DESCRIBE INDEX <name>;  DESCRIBE MATERIALIZED VIEW <name>;
        DESCRIBE TYPE <name>;   DESCRIBE FUNCTION <name>;   DESCRIBE AGGREGATE <name>;
        DESCRIBE [FULL] SCHEMA; DESCRIBE CLUSTER;   DESCRIBE <any name>;

        Add WITH INTERNALS for table ids and dropped columns.""",
    "exit": """
        EXIT / QUIT         leave the shell (Ctrl-D works too)""",
    "expand": """
        EXPAND ON;          print each row vertically, one 'column | value' line per column
        EXPAND OFF;         back to the table layout
        EXPAND;             show the current setting""",
    "help": """
        HELP                list the topics
        HELP <topic> ...    show help on shell commands and CQL statements, in the terminal""",
    "history": """
        HISTORY [<n>]       show the last n (default 50) statements of this session""",
    "login": """
        LOGIN <user> ['<password>']

        An embedded database has no authentication: LOGIN only records the user name,
        which the prompt then shows.""",
    "paging": """
        PAGING ON;          fetch and show results a page at a time (default, 100 rows)
        PAGING <n>;         page size n
        PAGING OFF;         fetch everything at once
        PAGING;             show the current setting

        In a terminal, '---MORE---' waits for Enter between pages.""",
    "serial": """
        SERIAL CONSISTENCY;            show the serial consistency level (default SERIAL)
        SERIAL CONSISTENCY <level>;    SERIAL or LOCAL_SERIAL, for conditional updates""",
    "show": """
        SHOW VERSION        shell, Cassandra-compatibility, CQL and protocol versions
        SHOW HOST           what the shell is connected to
        SHOW SESSION <id>   print a recorded tracing session
        SHOW REPLICAS <token> [<ks>]   the replicas of a token (always this node)""",
    "source": """
        SOURCE '<file>';    run the statements of a file; errors are reported with their
                            '<file>:<line>:' and do not stop the file""",
    "tracing": """
        TRACING ON;         trace every following request and print the trace after its result
        TRACING OFF;        stop tracing
        TRACING;            show the current setting""",
    "unicode": """
        Text output: control characters in text and ascii values are shown as Python
        escapes (\\n, \\x00 ...), and backslashes are doubled so that output is unambiguous.
        Other Unicode characters are printed as they are; wide characters count double
        when columns are aligned. With colour on, escapes are shown in a different colour
        and a backslash is shown single.""",
}
SHELL_HELP["cls"] = SHELL_HELP["clear"]
SHELL_HELP["desc"] = SHELL_HELP["describe"]
SHELL_HELP["quit"] = SHELL_HELP["exit"]

# CQL topics (cqlsh's list) -> (anchor in the CQL reference, a short syntax summary).
CQL_HELP: dict[str, tuple[str, str]] = {
    "aggregates": ("aggregates", ("COUNT(*), MIN(x), MAX(x), SUM(x), AVG(x); user aggregates: "
                   "CREATE AGGREGATE.")),
    "alter_keyspace": ("alterKeyspaceStmt", ("ALTER KEYSPACE <ks> WITH replication = {...} "
                       "[AND durable_writes = <bool>];")),
    "alter_materialized_view": ("alterMVStmt", ("ALTER MATERIALIZED VIEW <view> WITH <opt> = "
                                "<value> [AND ...];")),
    "alter_table": ("alterTableStmt", ("ALTER TABLE <table> ADD <col> <type> | DROP <col> | "
                    "RENAME <col> TO <col> | WITH <opt> = <value> [AND ...];")),
    "alter_type": ("alterTypeStmt", ("ALTER TYPE <type> ADD <field> <type> | RENAME <field> "
                   "TO <field>;")),
    "alter_user": ("alterUserStmt", ("ALTER USER <user> WITH PASSWORD '<pw>' [SUPERUSER | "
                   "NOSUPERUSER];")),
    "apply": ("batchStmt", "APPLY BATCH ends a BEGIN BATCH ... block."),
    "ascii": ("constants", "ascii: US-ASCII text, written as a '...' string."),
    "batch": ("batchStmt", ("BEGIN [UNLOGGED | COUNTER] BATCH [USING TIMESTAMP <n>] "
              "<insert | update | delete>; ... APPLY BATCH;")),
    "begin": ("batchStmt", "BEGIN [UNLOGGED | COUNTER] BATCH ... APPLY BATCH;"),
    "blob": ("constants", "blob: bytes, written 0x0123abcd; textAsBlob(), blobAsText() ..."),
    "boolean": ("constants", "boolean: true or false."),
    "counter": ("counters", ("counter: a 64-bit count changed only by UPDATE ... SET c = c + "
                "<n>.")),
    "create_aggregate": ("createAggregateStmt", ("CREATE [OR REPLACE] AGGREGATE [IF NOT EXISTS]"
                         " <name>(<type>, ...) SFUNC <f> STYPE <type> [FINALFUNC <f>] "
                         "[INITCOND <value>];")),
    "create_columnfamily": ("createTableStmt", "Same as CREATE TABLE."),
    "create_function": ("createFunctionStmt", ("CREATE [OR REPLACE] FUNCTION [IF NOT EXISTS] "
                        "<name>(<arg> <type>, ...) (CALLED | RETURNS NULL) ON NULL INPUT "
                        "RETURNS <type> LANGUAGE <lang> AS $$ <body> $$;")),
    "create_index": ("createIndexStmt", ("CREATE [CUSTOM] INDEX [IF NOT EXISTS] [<name>] ON "
                     "<table> (<col> | keys(<col>) | values(<col>) | entries(<col>) | "
                     "full(<col>)) [USING '<class>'];")),
    "create_keyspace": ("createKeyspaceStmt", ("CREATE KEYSPACE [IF NOT EXISTS] <ks> WITH "
                        "replication = {'class': 'SimpleStrategy', 'replication_factor': 1} "
                        "[AND durable_writes = <bool>];")),
    "create_materialized_view": ("createMVStmt", ("CREATE MATERIALIZED VIEW [IF NOT EXISTS] "
                                 "<view> AS SELECT ... FROM <table> WHERE <col> IS NOT NULL ..."
                                 " PRIMARY KEY (...);")),
    "create_role": ("createRoleStmt", ("CREATE ROLE [IF NOT EXISTS] <role> [WITH PASSWORD = "
                    "'<pw>' AND LOGIN = <bool> AND SUPERUSER = <bool>];")),
    "create_table": ("createTableStmt", ("CREATE TABLE [IF NOT EXISTS] <table> (<col> <type> "
                     "[PRIMARY KEY], ..., PRIMARY KEY ((<pk>, ...), <ck>, ...)) [WITH <opt> = "
                     "<value> AND CLUSTERING ORDER BY (<ck> ASC|DESC)];")),
    "create_trigger": ("createTriggerStmt", ("CREATE TRIGGER [IF NOT EXISTS] <name> ON <table> "
                       "USING '<class>';")),
    "create_type": ("createTypeStmt", ("CREATE TYPE [IF NOT EXISTS] <type> (<field> <type>, "
                    "...);")),
    "create_user": ("createUserStmt", ("CREATE USER [IF NOT EXISTS] <user> WITH PASSWORD "
                    "'<pw>' [SUPERUSER | NOSUPERUSER];")),
    "date": ("usingdates", "date: 'yyyy-mm-dd'; functions currentDate(), toDate()."),
    "delete": ("deleteStmt", ("DELETE [<col>, ...] FROM <table> [USING TIMESTAMP <n>] WHERE "
               "<pk conditions> [IF EXISTS | IF <conditions>];")),
    "drop_aggregate": ("dropAggregateStmt", "DROP AGGREGATE [IF EXISTS] <name>[(<type>, ...)];"),
    "drop_columnfamily": ("dropTableStmt", "Same as DROP TABLE."),
    "drop_function": ("dropFunctionStmt", "DROP FUNCTION [IF EXISTS] <name>[(<type>, ...)];"),
    "drop_index": ("dropIndexStmt", "DROP INDEX [IF EXISTS] <name>;"),
    "drop_keyspace": ("dropKeyspaceStmt", "DROP KEYSPACE [IF EXISTS] <ks>;"),
    "drop_materialized_view": ("dropMVStmt", "DROP MATERIALIZED VIEW [IF EXISTS] <view>;"),
    "drop_role": ("dropRoleStmt", "DROP ROLE [IF EXISTS] <role>;"),
    "drop_table": ("dropTableStmt", "DROP TABLE [IF EXISTS] <table>;"),
    "drop_trigger": ("dropTriggerStmt", "DROP TRIGGER [IF EXISTS] <name> ON <table>;"),
    "drop_type": ("dropTypeStmt", "DROP TYPE [IF EXISTS] <type>;"),
    "drop_user": ("dropUserStmt", "DROP USER [IF EXISTS] <user>;"),
    "functions": ("functions", ("Scalar functions: token(), now(), uuid(), toTimestamp(), "
                  "writetime(), ttl(), typeAsBlob(), CAST(x AS type) ...")),
    "grant": ("grantRoleStmt", ("GRANT <permission> ON <resource> TO <role>; GRANT <role> TO "
              "<role>;")),
    "insert": ("insertStmt", ("INSERT INTO <table> (<col>, ...) VALUES (<value>, ...) [IF NOT "
               "EXISTS] [USING TTL <n> AND TIMESTAMP <n>];")),
    "insert_json": ("insertJson", ("INSERT INTO <table> JSON '<json object>' [DEFAULT NULL | "
                    "DEFAULT UNSET];")),
    "int": ("constants", "int: 32-bit signed integer (also tinyint, smallint, bigint, varint)."),
    "json": ("json", "SELECT JSON ...; INSERT ... JSON '...'; toJson(), fromJson()."),
    "keywords": ("appendixA", "Reserved keywords need double quotes to be used as names."),
    "list_permissions": ("listPermissionsStmt", ("LIST <permission> [ON <resource>] [OF "
                         "<role>];")),
    "list_roles": ("listRolesStmt", "LIST ROLES [OF <role>] [NORECURSIVE];"),
    "list_users": ("listUsersStmt", "LIST USERS;"),
    "permissions": ("permissions", ("CREATE ALTER DROP SELECT MODIFY AUTHORIZE DESCRIBE EXECUTE"
                    " on keyspaces, tables, functions, roles.")),
    "revoke": ("revokeRoleStmt", "REVOKE <permission> ON <resource> FROM <role>;"),
    "select": ("selectStmt", ("SELECT [JSON] [DISTINCT] <selectors> FROM <table> [WHERE "
               "<conditions>] [GROUP BY ...] [ORDER BY <ck> ASC|DESC] [PER PARTITION LIMIT <n>]"
               " [LIMIT <n>] [ALLOW FILTERING];")),
    "select_json": ("selectJson", "SELECT JSON <selectors> FROM ...; one [json] column per row."),
    "text": ("constants", "text (varchar): UTF-8 text, written '...' (double a quote: 'it''s')."),
    "time": ("usingtime", "time: 'hh:mm:ss[.fffffffff]', nanosecond precision."),
    "timestamp": ("usingtimestamps", ("timestamp: 'yyyy-mm-dd[ hh:mm[:ss[.fff]]][+hhmm]' or ms "
                  "since the epoch.")),
    "truncate": ("truncateStmt", "TRUNCATE [TABLE] <table>;"),
    "types": ("types", ("ascii bigint blob boolean counter date decimal double duration float "
              "inet int smallint text time timestamp timeuuid tinyint uuid varchar varint, "
              "list<t> set<t> map<k, v> tuple<...> frozen<...> vector<t, n> and user types.")),
    "update": ("updateStmt", ("UPDATE <table> [USING TTL <n> AND TIMESTAMP <n>] SET <col> = "
               "<value>, ... WHERE <pk conditions> [IF EXISTS | IF <conditions>];")),
    "use": ("useStmt", "USE <keyspace>;"),
    "uuid": ("constants", "uuid / timeuuid: 8-4-4-4-12 hex; uuid(), now(), minTimeuuid()..."),
}


def shell_topics() -> list[str]:
    """cqlsh lists every documented do_* command except QUIT."""
    return sorted(t.upper() for t in SHELL_HELP if t != "quit")


def _print_topics(shell: Shell, header: str, topics: list[str]) -> None:
    shell.print(header)
    shell.print("=" * len(header))
    for line in columnize(topics, 79):
        shell.print(line)
    shell.print("")


def show_help(shell: Shell, topics: list[str]) -> None:
    if not topics:
        _print_topics(shell, "\nDocumented shell commands:", shell_topics())
        _print_topics(shell, "CQL help topics:", sorted(t.upper() for t in CQL_HELP))
        return
    for topic in topics:
        key = topic.lower()
        if key in SHELL_HELP:
            shell.print(SHELL_HELP[key].rstrip() + "\n")
        elif key in CQL_HELP:
            anchor, text = CQL_HELP[key]
            body = textwrap.fill(text, 88, initial_indent=" " * 8, subsequent_indent=" " * 10)
            shell.print(f"\n        {topic.upper()}\n\n{body}\n\n"
                        f"        Reference: {DOC_URL}#{anchor}\n")
        else:
            shell.printerr(f"*** No help on {topic}")
