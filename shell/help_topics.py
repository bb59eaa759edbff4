"""Help texts for the CQL topics of HELP (cqlsh's topic list), shown in the terminal.

Each topic has a syntax synopsis, a few sentences on the rules people trip over, and a short
runnable example. The examples share one small schema: keyspace ``shop`` (HELP
CREATE_KEYSPACE) and table ``shop.orders`` (HELP CREATE_TABLE). ``after`` names the topics
whose examples must run first; tests/shell/test_help.py runs every example that way.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from cql.vocabulary import RESERVED_KEYWORDS


@dataclass(frozen=True)
class Topic:
    anchor: str  # anchor in the CQL reference page
    synopsis: str  # preformatted syntax, printed as is (indented)
    explanation: str  # prose; blank lines separate paragraphs, wrapped when printed
    example: str  # preformatted CQL, one or more statements
    after: tuple[str, ...] = ()  # topics whose examples must run before this one
    unsupported: str = ""  # why cassalite rejects the example, if it does

    @property
    def paragraphs(self) -> list[str]:
        paras = [" ".join(p.split()) for p in self.explanation.split("\n\n")]
        if self.unsupported:
            paras.append(" ".join(self.unsupported.split()))
        return [p for p in paras if p]


def _topic(anchor: str, synopsis: str, explanation: str, example: str,
           after: tuple[str, ...] = (), unsupported: str = "") -> Topic:
    return Topic(anchor, textwrap.dedent(synopsis).strip("\n"), textwrap.dedent(explanation),
                 textwrap.dedent(example).strip("\n"), after, unsupported)


_NO_UDF = """cassalite does not run user-defined code: it parses this statement and rejects it
    with InvalidRequest. Built-in functions and arithmetic cover many uses (HELP FUNCTIONS)."""
_NO_UDA = """cassalite has no user-defined functions, hence no user-defined aggregates: it
    parses this statement and rejects it with InvalidRequest (built-in aggregates: HELP
    AGGREGATES)."""
_NO_TRIGGER = """cassalite cannot load Java classes: it parses this statement and rejects it
    with InvalidRequest."""

_ORDERS = ("create_table",)


def _keyword_lines() -> str:
    words = " ".join(sorted(w.upper() for w in RESERVED_KEYWORDS))
    return "\n".join(textwrap.wrap(words, 71, initial_indent="Reserved: ",
                                   subsequent_indent="  "))


_BATCH_SYNOPSIS = """
    BEGIN [UNLOGGED | COUNTER] BATCH [USING TIMESTAMP <microseconds>]
      <INSERT, UPDATE or DELETE statement>;
      ...
    APPLY BATCH;"""

_BATCH_EXAMPLE = """
    BEGIN BATCH
      INSERT INTO shop.orders (customer_id, order_id, status)
        VALUES (2, 200, 'new');
      UPDATE shop.orders SET total = 9.99
        WHERE customer_id = 2 AND order_id = 200;
    APPLY BATCH;"""

_TABLE_SYNOPSIS = """
    CREATE TABLE [IF NOT EXISTS] [<keyspace>.]<table> (
      <column> <type> [STATIC] [PRIMARY KEY],
      ...
      [, PRIMARY KEY ((<partition col>, ...), <clustering col>, ...)]
    ) [WITH CLUSTERING ORDER BY (<clustering col> ASC | DESC, ...)]
      [AND <option> = <value> ...];"""


CQL_HELP: dict[str, Topic] = {
    "aggregates": _topic(
        "aggregates",
        """
        SELECT <aggregate> [AS <alias>], ... FROM [<keyspace>.]<table>
          [WHERE ...] [GROUP BY <primary key columns>];
        <aggregate>: COUNT(*) | COUNT(<col>) | MIN(<col>) | MAX(<col>)
                   | SUM(<col>) | AVG(<col>)""",
        """
        Without GROUP BY an aggregate folds all matching rows into a single result row, so an
        unrestricted COUNT(*) reads the whole table and gets slow on big tables. GROUP BY takes
        primary key columns in their declared order: the complete partition key first, then
        optionally leading clustering columns. COUNT(<col>) skips nulls while COUNT(*) counts
        rows. SUM and AVG return the column's own type, so AVG over an int column drops the
        fraction; CAST the column to double or decimal for an exact mean.""",
        """
        SELECT customer_id, COUNT(*) AS orders, SUM(total) AS spent
          FROM shop.orders WHERE customer_id IN (1, 2)
          GROUP BY customer_id;""",
        after=_ORDERS),
    "alter_keyspace": _topic(
        "alterKeyspaceStmt",
        """
        ALTER KEYSPACE [IF EXISTS] <keyspace>
          WITH replication = {'class': '<strategy>', ...}
          [AND durable_writes = true | false];""",
        """
        Only the replication settings and durable_writes can change; a keyspace cannot be
        renamed. The new replication map replaces the old one completely, so it must name the
        class again and list every data center that should keep replicas. On a real cluster a
        higher replication factor only takes effect for existing data after a repair.
        cassalite is one node in the data center 'datacenter1' and keeps a single copy
        whatever the factor.""",
        """
        ALTER KEYSPACE shop WITH replication =
          {'class': 'NetworkTopologyStrategy', 'datacenter1': 1};""",
        after=("create_keyspace",)),
    "alter_materialized_view": _topic(
        "alterMVStmt",
        """
        ALTER MATERIALIZED VIEW [IF EXISTS] [<keyspace>.]<view>
          WITH <option> = <value> [AND <option> = <value> ...];""",
        """
        Only table options such as comment, compaction, compression, caching or
        gc_grace_seconds can be changed. The selected columns, the primary key and the WHERE
        filter are fixed at creation: drop the view and create it again to change them.
        default_time_to_live is refused, because view rows expire together with the base
        table's data.""",
        """
        ALTER MATERIALIZED VIEW shop.orders_by_status
          WITH comment = 'orders grouped by status';""",
        after=("create_materialized_view",)),
    "alter_table": _topic(
        "alterTableStmt",
        """
        ALTER TABLE [IF EXISTS] [<keyspace>.]<table> <change>;
        <change>: ADD [IF NOT EXISTS] <col> <type> [STATIC]
                | ADD [IF NOT EXISTS] (<col> <type>, ...)
                | DROP [IF EXISTS] <col> | DROP [IF EXISTS] (<col>, ...)
                | RENAME [IF EXISTS] <key col> TO <name> [AND <col> TO <name>]
                | WITH <option> = <value> [AND <option> = <value> ...]""",
        """
        Primary key columns cannot be added or dropped, and no column can change its type in
        Cassandra 5.0; renaming, on the other hand, works only for primary key columns.
        Dropping a column discards its data, and a column
        added again under the same name must have a compatible type. WITH changes only the
        options it names, but a map option such as compaction or compression is replaced as a
        whole.""",
        """
        ALTER TABLE shop.orders ADD coupon text;
        ALTER TABLE shop.orders WITH default_time_to_live = 7776000
          AND comment = 'orders expire after 90 days';""",
        after=_ORDERS),
    "alter_type": _topic(
        "alterTypeStmt",
        """
        ALTER TYPE [IF EXISTS] [<keyspace>.]<type>
          ADD [IF NOT EXISTS] <field> <type>;
        ALTER TYPE [IF EXISTS] [<keyspace>.]<type>
          RENAME [IF EXISTS] <field> TO <name> [AND <field> TO <name> ...];""",
        """
        Fields can be added or renamed, never removed or given another type, so values that
        are already stored stay readable. A new field reads as null in older values. Every
        table and type that uses the type sees the change at once.""",
        """
        ALTER TYPE shop.address ADD country text;
        ALTER TYPE shop.address RENAME zip TO postcode;""",
        after=("create_type",)),
    "alter_user": _topic(
        "alterUserStmt",
        """
        ALTER USER [IF EXISTS] <user> [WITH [HASHED] PASSWORD '<password>']
          [SUPERUSER | NOSUPERUSER];""",
        """
        The USER statements are the older way to manage roles that can log in; ALTER ROLE does
        the same and more. Note that PASSWORD is followed directly by the string here, without
        the '=' that ALTER ROLE uses. Only a superuser can change superuser status.""",
        """
        ALTER USER sam WITH PASSWORD 'n3w-secret';""",
        after=("create_user",)),
    "apply": _topic(
        "batchStmt",
        _BATCH_SYNOPSIS,
        """
        APPLY BATCH closes a batch opened with BEGIN BATCH. The statements in between are not
        executed one by one: they all run together once APPLY BATCH is reached. The shell
        keeps the whole block, inner semicolons included, as one statement. The rules of
        batches are in HELP BATCH.""",
        _BATCH_EXAMPLE,
        after=_ORDERS),
    "ascii": _topic(
        "constants",
        """
        <column> ascii        values: '<7-bit US-ASCII characters>'""",
        """
        An ascii value may only contain characters with codes below 128; anything else is
        rejected when the value is written. Literals look like text literals: single quotes,
        with a quote inside doubled ('it''s'), or $$...$$. Prefer text unless you want the
        database to enforce plain ASCII; both sort by their bytes and convert with CAST.""",
        """
        ALTER TABLE shop.orders ADD currency ascii;
        UPDATE shop.orders SET currency = 'EUR'
          WHERE customer_id = 1 AND order_id = 101;""",
        after=_ORDERS),
    "batch": _topic(
        "batchStmt",
        _BATCH_SYNOPSIS,
        """
        A logged batch (the default) guarantees that all its statements are applied
        eventually, even if the coordinator fails half-way; it exists to keep related tables
        consistent, and it makes bulk loading slower, not faster. Statements on the same
        partition are applied atomically and in isolation, across partitions they are not
        isolated. UNLOGGED skips the batch log, and COUNTER is required for counter updates,
        which cannot be mixed with other writes. A USING TIMESTAMP on the batch applies to
        every statement, which may then not have their own, and conditional statements (IF)
        are allowed only when all of them target one partition of one table.""",
        _BATCH_EXAMPLE,
        after=_ORDERS),
    "begin": _topic(
        "batchStmt",
        _BATCH_SYNOPSIS,
        """
        BEGIN starts a batch: BEGIN BATCH for a logged batch, BEGIN UNLOGGED BATCH to skip the
        batch log (cheaper, but after a failure part of the batch may be applied), BEGIN
        COUNTER BATCH for counter updates. Nothing is executed until APPLY BATCH. Unlogged
        batches are a good fit for several writes to the same partition. More in HELP
        BATCH.""",
        """
        BEGIN UNLOGGED BATCH
          INSERT INTO shop.orders (customer_id, order_id, status)
            VALUES (2, 201, 'new');
          INSERT INTO shop.orders (customer_id, order_id, status)
            VALUES (2, 202, 'new');
        APPLY BATCH;""",
        after=_ORDERS),
    "blob": _topic(
        "constants",
        """
        <column> blob         values: 0x<hex digits>, e.g. 0xcafe01 (no quotes)
        <type>_as_blob(<value>)    blob_as_<type>(<blob>)""",
        """
        A blob holds arbitrary bytes and is written as an unquoted hexadecimal literal
        starting with 0x. A quoted string is not a blob: convert values with text_as_blob(),
        int_as_blob() and so on, and back with blob_as_text(), blob_as_int() and friends; every
        native type has such a pair (the older names textAsBlob() etc. still work). Blobs
        compare byte by byte as unsigned values.""",
        """
        SELECT text_as_blob(status) AS raw, blob_as_text(0x6f6b) AS ok
          FROM shop.orders WHERE customer_id = 1;""",
        after=_ORDERS),
    "boolean": _topic(
        "constants",
        """
        <column> boolean      values: true | false (unquoted, any letter case)""",
        """
        The only boolean literals are the keywords true and false; a quoted 'true' or a number
        is rejected. As for every regular column, a query that filters on a boolean (WHERE
        paid = false) needs an index or ALLOW FILTERING. In sort order false comes before
        true.""",
        """
        UPDATE shop.orders SET paid = true
          WHERE customer_id = 1 AND order_id = 101;""",
        after=_ORDERS),
    "counter": _topic(
        "counters",
        """
        CREATE TABLE <table> (<key columns>, <name> counter, ...,
          PRIMARY KEY (...));
        UPDATE <table> SET <counter> = <counter> + <n> | <counter> - <n>, ...
          WHERE <full primary key>;""",
        """
        A counter is a 64-bit integer that changes only by UPDATE adding to or subtracting
        from it: INSERT and setting a value are refused, and a counter never updated reads as
        null, not 0. Apart from its primary key, a counter table may contain only counter
        columns, and counters cannot be in a primary key, have a TTL or write timestamp, or be
        updated conditionally (IF). An increment is not idempotent, so retrying one that timed
        out can count twice. Once a counter is deleted, later increments of it are ignored: do
        not reuse deleted counters.""",
        """
        CREATE TABLE IF NOT EXISTS shop.order_counts (
          customer_id int PRIMARY KEY, placed counter);
        UPDATE shop.order_counts SET placed = placed + 1
          WHERE customer_id = 1;""",
        after=("create_keyspace",)),
    "create_aggregate": _topic(
        "createAggregateStmt",
        """
        CREATE [OR REPLACE] AGGREGATE [IF NOT EXISTS]
            [<keyspace>.]<name>(<arg type>, ...)
          SFUNC <state function> STYPE <state type>
          [FINALFUNC <final function>] [INITCOND <initial state>];""",
        """
        A user-defined aggregate calls its state function once per row with the current state
        (INITCOND at first, null when there is none) followed by the row's arguments, and
        stores the result as the new state. At the end the optional final function turns the
        state into the result; without one the state itself is returned. Both functions must
        exist beforehand (CREATE FUNCTION) in the same keyspace, the state function taking the
        state type and then the aggregate's argument types. OR REPLACE and IF NOT EXISTS
        cannot be combined.""",
        """
        CREATE AGGREGATE IF NOT EXISTS shop.sum_of_squares (int)
          SFUNC add_square STYPE bigint INITCOND 0;""",
        unsupported=_NO_UDA),
    "create_columnfamily": _topic(
        "createTableStmt",
        _TABLE_SYNOPSIS.replace("CREATE TABLE", "CREATE COLUMNFAMILY"),
        """
        COLUMNFAMILY is the old word for a table and is still accepted wherever TABLE is. The
        statement is exactly CREATE TABLE: see HELP CREATE_TABLE for primary keys, clustering
        order and options.""",
        """
        CREATE COLUMNFAMILY IF NOT EXISTS shop.notes (
          id int PRIMARY KEY, body text);""",
        after=("create_keyspace",)),
    "create_function": _topic(
        "createFunctionStmt",
        """
        CREATE [OR REPLACE] FUNCTION [IF NOT EXISTS]
            [<keyspace>.]<name> (<arg> <type>, ...)
          CALLED ON NULL INPUT | RETURNS NULL ON NULL INPUT
          RETURNS <type>
          LANGUAGE java
          AS '<body>' | $$<body>$$;""",
        """
        The body is Java code returning a value of the declared type; Java is the only
        language in Cassandra 5.0, and user_defined_functions_enabled must be set in
        cassandra.yaml. RETURNS NULL ON NULL INPUT skips the call and yields null whenever an
        argument is null, while CALLED ON NULL INPUT hands the nulls to the body. Functions can
        be overloaded on their argument types, which is why DROP FUNCTION may need the type
        list.""",
        """
        CREATE FUNCTION IF NOT EXISTS shop.twice (x int)
          RETURNS NULL ON NULL INPUT RETURNS int
          LANGUAGE java AS 'return x * 2;';""",
        unsupported=_NO_UDF),
    "create_index": _topic(
        "createIndexStmt",
        """
        CREATE [CUSTOM] INDEX [IF NOT EXISTS] [<name>]
          ON [<keyspace>.]<table> (<target>)
          [USING 'sai' | '<index class>' [WITH OPTIONS = {...}]];
        <target>: <column> | KEYS(<map>) | VALUES(<collection>)
                | ENTRIES(<map>) | FULL(<frozen collection>)""",
        """
        An index lets WHERE restrict a regular column without giving the partition key, at the
        price of consulting every node of a cluster; it works best on columns that are neither
        nearly unique nor shared by most rows. Without USING you get a legacy secondary index
        (equality only); USING 'sai' creates a storage-attached index, which also answers
        ranges on numeric and date/time columns and vector searches (ORDER BY <col> ANN OF
        [...]). Collections are indexed on their values unless you ask for KEYS or ENTRIES of
        a map, or FULL for a frozen collection. The default name is <table>_<column>_idx, and
        a query that also restricts a column without index still needs ALLOW FILTERING.""",
        """
        CREATE INDEX IF NOT EXISTS orders_status_idx ON shop.orders (status)
          USING 'sai';
        SELECT customer_id, order_id FROM shop.orders WHERE status = 'new';""",
        after=_ORDERS),
    "create_keyspace": _topic(
        "createKeyspaceStmt",
        """
        CREATE KEYSPACE [IF NOT EXISTS] <keyspace>
          WITH replication = <replication map>
          [AND durable_writes = true | false];
        <replication map>:
          {'class': 'SimpleStrategy', 'replication_factor': <n>}
          {'class': 'NetworkTopologyStrategy', '<data center>': <n>, ...}""",
        """
        The replication map is mandatory and says how many copies of each row a cluster
        keeps: SimpleStrategy has one factor for the whole cluster, NetworkTopologyStrategy one
        per data center and is the one to use in production. cassalite is a single node in
        data center 'datacenter1': it checks and stores these settings but keeps one copy.
        Unquoted names are case-insensitive; names have at most 48 letters, digits and
        underscores. durable_writes = false bypasses the commit log for the keyspace, which can
        lose recent writes in a crash.""",
        """
        CREATE KEYSPACE IF NOT EXISTS shop
          WITH replication = {'class': 'SimpleStrategy',
                              'replication_factor': 1};"""),
    "create_materialized_view": _topic(
        "createMVStmt",
        """
        CREATE MATERIALIZED VIEW [IF NOT EXISTS] [<keyspace>.]<view> AS
          SELECT <column>, ... | * FROM [<keyspace>.]<base table>
          WHERE <key column> IS NOT NULL AND ... [AND <restriction> ...]
          PRIMARY KEY (<partition key>, <clustering column>, ...)
          [WITH CLUSTERING ORDER BY (...)] [AND <option> = <value> ...];""",
        """
        A view keeps a copy of a table's rows under another primary key and is updated on
        every write to that table, so you can query the same data by a different key. Its key
        must contain all primary key columns of the base table plus at most one other column,
        and every key column must be restricted with IS NOT NULL. Views cannot be written
        directly, and a table cannot be dropped while it has views. Cassandra ships with views
        disabled and calls them experimental because they can drift from the base table;
        cassalite enables them and prints that warning.""",
        """
        CREATE MATERIALIZED VIEW IF NOT EXISTS shop.orders_by_status AS
          SELECT customer_id, order_id, status, total FROM shop.orders
          WHERE status IS NOT NULL AND customer_id IS NOT NULL
            AND order_id IS NOT NULL
          PRIMARY KEY (status, customer_id, order_id);""",
        after=_ORDERS),
    "create_role": _topic(
        "createRoleStmt",
        """
        CREATE ROLE [IF NOT EXISTS] <role> [WITH <option> [AND <option> ...]];
        <option>: PASSWORD = '<password>' | HASHED PASSWORD = '<hash>'
                | LOGIN = true | false | SUPERUSER = true | false
                | OPTIONS = {...}
                | ACCESS TO DATACENTERS {'<dc>', ...}
                | ACCESS TO ALL DATACENTERS
                | ACCESS FROM CIDRS {'<cidr group>', ...}
                | ACCESS FROM ALL CIDRS""",
        """
        A role serves both as a user and as a group: give it LOGIN = true and a password so
        clients can sign in with it, or grant it to other roles so they inherit its
        permissions. LOGIN and SUPERUSER default to false, and only a superuser can create
        another superuser. Role names fold to lower case unless quoted, and passwords are
        checked when clients log in (cassalite-server --auth, or cql.connect(..., user=...,
        password=...)).""",
        """
        CREATE ROLE IF NOT EXISTS clerk
          WITH PASSWORD = 'change-me' AND LOGIN = true;"""),
    "create_table": _topic(
        "createTableStmt",
        _TABLE_SYNOPSIS,
        """
        The primary key is mandatory and shapes the data: its first part (in parentheses when
        it has several columns) is the partition key, hashed to decide where a partition
        lives and needed with = or IN for efficient reads; the remaining columns are
        clustering columns, which sort the rows inside a partition. Writing a row whose key
        already exists overwrites it without error, so choose a key that really identifies a
        row. CLUSTERING ORDER BY sets the stored order of the clustering columns (listed in key
        order) and cannot be changed later; a STATIC column holds one value shared by the whole
        partition. Frequently used options: default_time_to_live, gc_grace_seconds,
        compaction, compression and comment.

        The examples of the other CQL topics use the table created here.""",
        """
        CREATE TABLE IF NOT EXISTS shop.orders (
          customer_id int,
          order_id int,
          placed_at timestamp,
          ship_by date,
          status text,
          total decimal,
          paid boolean,
          items map<text, int>,
          PRIMARY KEY (customer_id, order_id)
        ) WITH CLUSTERING ORDER BY (order_id DESC)
          AND comment = 'orders, newest first';""",
        after=("create_keyspace",)),
    "create_trigger": _topic(
        "createTriggerStmt",
        """
        CREATE TRIGGER [IF NOT EXISTS] <name> ON [<keyspace>.]<table>
          USING '<Java class name>';""",
        """
        A trigger is a Java class implementing org.apache.cassandra.triggers.ITrigger, whose
        jar has to be placed in the triggers directory of every node first. For each write to
        the table it can return additional mutations, which are applied together with the
        write. Because the code runs inside the database it can slow down or break writes,
        which is why triggers are rarely used.""",
        """
        CREATE TRIGGER IF NOT EXISTS audit ON shop.orders
          USING 'com.example.AuditTrigger';""",
        unsupported=_NO_TRIGGER),
    "create_type": _topic(
        "createTypeStmt",
        """
        CREATE TYPE [IF NOT EXISTS] [<keyspace>.]<type> (
          <field> <type>,
          ...
        );""",
        """
        A user-defined type bundles named fields into one value, like a small record, and
        belongs to a keyspace. Table columns usually use it frozen (frozen<address>): the
        value is then written and replaced as a whole and may be part of a primary key. A
        non-frozen column of the type allows setting single fields (SET ship_to.city = ...),
        but cannot be in a key. Fields can be added or renamed later (ALTER TYPE), not
        removed, and a type that is in use cannot be dropped.""",
        """
        CREATE TYPE IF NOT EXISTS shop.address (
          street text,
          city text,
          zip text
        );""",
        after=("create_keyspace",)),
    "create_user": _topic(
        "createUserStmt",
        """
        CREATE USER [IF NOT EXISTS] <user>
          [WITH [HASHED] PASSWORD '<password>'] [SUPERUSER | NOSUPERUSER];""",
        """
        CREATE USER is the older form of CREATE ROLE: it creates a role that can log in, and
        NOSUPERUSER is the default. Unlike CREATE ROLE there is no '=' after PASSWORD. New
        scripts should prefer CREATE ROLE.""",
        """
        CREATE USER IF NOT EXISTS sam WITH PASSWORD 'change-me' NOSUPERUSER;"""),
    "date": _topic(
        "usingdates",
        """
        <column> date         values: 'yyyy-mm-dd'
        to_date(<timestamp | timeuuid>)   current_date()   <date> + <duration>""",
        """
        A date is a calendar day with neither time of day nor time zone, written as a quoted
        'yyyy-mm-dd' string. to_date() (old name toDate) converts a timestamp or a timeuuid,
        current_date() gives today in UTC, and adding or subtracting a duration such as 2d
        moves a date. Dates sort chronologically, which makes them handy clustering columns,
        or partition key parts for daily buckets.""",
        """
        UPDATE shop.orders SET ship_by = '2024-05-03'
          WHERE customer_id = 1 AND order_id = 101;
        SELECT order_id, ship_by, ship_by + 2d AS latest
          FROM shop.orders WHERE customer_id = 1;""",
        after=_ORDERS),
    "delete": _topic(
        "deleteStmt",
        """
        DELETE [<column> | <column>[<key or index>] | <column>.<field>, ...]
          FROM [<keyspace>.]<table>
          [USING TIMESTAMP <microseconds>]
          WHERE <partition key restrictions> [AND <clustering restrictions>]
          [IF EXISTS | IF <condition> [AND <condition> ...]];""",
        """
        Without a column list the whole row goes; naming columns, collection elements or UDT
        fields deletes only those values. WHERE must give the whole partition key and may then
        give all clustering columns (one row), a prefix of them, or a range on the last one
        (several rows); conditions on regular columns are not allowed. Nothing is erased at
        once: a delete writes a tombstone that hides the data until compaction removes both
        after gc_grace_seconds, and many tombstones slow reads down. IF EXISTS or IF
        conditions make the delete a lightweight transaction that returns [applied], and work
        on single rows only.""",
        """
        DELETE items['pen'] FROM shop.orders
          WHERE customer_id = 1 AND order_id = 101;
        DELETE FROM shop.orders WHERE customer_id = 1 AND order_id < 100;""",
        after=_ORDERS),
    "drop_aggregate": _topic(
        "dropAggregateStmt",
        """
        DROP AGGREGATE [IF EXISTS] [<keyspace>.]<name> [(<arg type>, ...)];""",
        """
        When several aggregates share the name (overloads), the argument types select the one
        to drop; without them the name has to be unambiguous. The state and final functions
        are not dropped with it. cassalite holds no user-defined aggregates, so it finds none:
        without IF EXISTS the statement fails as Cassandra's does for a missing aggregate,
        with IF EXISTS it does nothing.""",
        """
        DROP AGGREGATE IF EXISTS shop.sum_of_squares (int);""",
        after=("create_keyspace",)),
    "drop_columnfamily": _topic(
        "dropTableStmt",
        """
        DROP COLUMNFAMILY [IF EXISTS] [<keyspace>.]<table>;""",
        """
        The old spelling of DROP TABLE, with the same effect: the table, its indexes and its
        data are removed. See HELP DROP_TABLE.""",
        """
        DROP COLUMNFAMILY IF EXISTS shop.orders;""",
        after=_ORDERS),
    "drop_function": _topic(
        "dropFunctionStmt",
        """
        DROP FUNCTION [IF EXISTS] [<keyspace>.]<name> [(<arg type>, ...)];""",
        """
        Give the argument types when the function is overloaded. A function that an aggregate
        still uses cannot be dropped; drop the aggregate first.""",
        """
        DROP FUNCTION IF EXISTS shop.twice (int);""",
        unsupported=_NO_UDF),
    "drop_index": _topic(
        "dropIndexStmt",
        """
        DROP INDEX [IF EXISTS] [<keyspace>.]<index>;""",
        """
        Index names are unique per keyspace, so the statement names the index, not the table;
        qualify it with the keyspace unless that keyspace is in use (USE). The table's data is
        untouched, but queries that depended on the index are refused afterwards unless they
        add ALLOW FILTERING.""",
        """
        DROP INDEX IF EXISTS shop.orders_status_idx;""",
        after=("create_index",)),
    "drop_keyspace": _topic(
        "dropKeyspaceStmt",
        """
        DROP KEYSPACE [IF EXISTS] <keyspace>;""",
        """
        Removes the keyspace together with its tables, types, indexes, views and all their
        data. There is no undo, so export (COPY TO) or snapshot what you may still need. The
        system keyspaces cannot be dropped.""",
        """
        DROP KEYSPACE IF EXISTS shop;""",
        after=("create_keyspace",)),
    "drop_materialized_view": _topic(
        "dropMVStmt",
        """
        DROP MATERIALIZED VIEW [IF EXISTS] [<keyspace>.]<view>;""",
        """
        Removes the view and its data; the base table keeps its rows. Since a table cannot be
        dropped while views depend on it, drop its views first.""",
        """
        DROP MATERIALIZED VIEW IF EXISTS shop.orders_by_status;""",
        after=("create_materialized_view",)),
    "drop_role": _topic(
        "dropRoleStmt",
        """
        DROP ROLE [IF EXISTS] <role>;""",
        """
        Removes the role with the permissions granted to it and its memberships; roles that
        had been granted this role lose what they inherited through it. You cannot drop the
        role you are logged in with, and only a superuser can drop a superuser.""",
        """
        DROP ROLE IF EXISTS clerk;"""),
    "drop_table": _topic(
        "dropTableStmt",
        """
        DROP TABLE [IF EXISTS] [<keyspace>.]<table>;""",
        """
        Removes the table with its indexes and all its data, without undo. Materialized views
        built on the table must be dropped first. To delete all rows but keep the table, use
        TRUNCATE.""",
        """
        DROP TABLE IF EXISTS shop.orders;""",
        after=_ORDERS),
    "drop_trigger": _topic(
        "dropTriggerStmt",
        """
        DROP TRIGGER [IF EXISTS] <name> ON [<keyspace>.]<table>;""",
        """
        Trigger names belong to a table, so the table has to be named. The trigger's jar stays
        on the nodes until someone removes it.""",
        """
        DROP TRIGGER IF EXISTS audit ON shop.orders;""",
        unsupported=_NO_TRIGGER),
    "drop_type": _topic(
        "dropTypeStmt",
        """
        DROP TYPE [IF EXISTS] [<keyspace>.]<type>;""",
        """
        A type cannot be dropped while a table column, another type or a function still uses
        it: drop or alter those first. Dropping the columns that use it is enough; their old
        values do not keep the type alive.""",
        """
        DROP TYPE IF EXISTS shop.address;""",
        after=("create_type",)),
    "drop_user": _topic(
        "dropUserStmt",
        """
        DROP USER [IF EXISTS] <user>;""",
        """
        The older form of DROP ROLE. You cannot drop the user you are logged in as, and only a
        superuser can drop a superuser.""",
        """
        DROP USER IF EXISTS sam;"""),
    "functions": _topic(
        "functions",
        """
        <function>(<argument>, ...)     in selectors, and in values of writes
        CAST(<selector> AS <type>)   TOKEN(<partition key columns>)
        WRITETIME(<col>)   MAXWRITETIME(<col>)   TTL(<col>)""",
        """
        Built-in scalar functions include now(), uuid(), current_timestamp(),
        current_date(), to_date(), to_timestamp(), to_unix_timestamp(), min_timeuuid(),
        max_timeuuid(), the <type>_as_blob() and blob_as_<type>() families, to_json() and
        from_json(), abs(), round(), log() and the collection functions map_keys(),
        map_values() and collection_count(). Cassandra 5.0 spells them in snake_case; the
        older names (toDate, textAsBlob, ...) still work. WRITETIME gives a cell's write time
        in microseconds and TTL its remaining lifetime in seconds; both apply to regular
        columns only, and TOKEN shows the partition token that token() range queries use. A
        column without an alias gets a generated name, so use AS for readable output.""",
        """
        SELECT order_id, token(customer_id), writetime(status) AS written,
               ttl(status), CAST(total AS text) AS total_text
          FROM shop.orders WHERE customer_id = 1;""",
        after=_ORDERS),
    "grant": _topic(
        "grantRoleStmt",
        """
        GRANT <permission> | ALL [PERMISSIONS] ON <resource> TO <role>;
        GRANT <role> TO <role>;
        <resource>: ALL KEYSPACES | KEYSPACE <ks> | [TABLE] <ks>.<table>
                  | ALL TABLES IN KEYSPACE <ks> | ALL ROLES | ROLE <role>
                  | ALL FUNCTIONS [IN KEYSPACE <ks>]
                  | FUNCTION <ks>.<name>(<type>, ...) | ALL MBEANS
                  | MBEAN '<name>' | MBEANS '<pattern>'""",
        """
        The first form gives a role a permission on a resource (HELP PERMISSIONS), the second
        makes one role a member of another so it inherits all of that role's permissions. A
        grant on a keyspace covers every table in it, and a grant on ALL KEYSPACES covers
        everything. Granting needs AUTHORIZE on the resource, or a superuser.""",
        """
        GRANT SELECT ON KEYSPACE shop TO clerk;""",
        after=("create_keyspace", "create_role")),
    "insert": _topic(
        "insertStmt",
        """
        INSERT INTO [<keyspace>.]<table> (<column>, ...)
          VALUES (<value>, ...)
          [IF NOT EXISTS]
          [USING TTL <seconds> [AND TIMESTAMP <microseconds>]];""",
        """
        All primary key columns must be given. An INSERT is an upsert: it quietly overwrites a
        row that has the same key, unless IF NOT EXISTS makes it a lightweight transaction
        that writes only when the row is missing (and costs a lot more). Columns left out keep
        their values, whereas an explicit null writes a tombstone, so leave unknown columns
        out. USING TTL makes the written values expire after that many seconds, and USING
        TIMESTAMP sets the write time that decides which write wins (not allowed with IF NOT
        EXISTS).""",
        """
        INSERT INTO shop.orders (customer_id, order_id, placed_at, status,
            total, items)
          VALUES (1, 101, '2024-05-01 10:30:00+0000', 'new', 24.50,
            {'pen': 2, 'pad': 1});""",
        after=_ORDERS),
    "insert_json": _topic(
        "insertJson",
        """
        INSERT INTO [<keyspace>.]<table> JSON '<json object>'
          [DEFAULT NULL | DEFAULT UNSET]
          [IF NOT EXISTS]
          [USING TTL <seconds> [AND TIMESTAMP <microseconds>]];""",
        """
        The object's keys are column names (a case-sensitive name keeps its double quotes
        inside the key) and must include the whole primary key. Values use JSON types: numbers,
        strings for text, timestamps, dates and uuids, arrays for lists, sets and tuples,
        objects for maps and user types. Columns missing from the object are set to null by
        default, which writes tombstones; DEFAULT UNSET leaves them untouched instead.""",
        """
        INSERT INTO shop.orders JSON '{"customer_id": 2, "order_id": 201,
          "status": "new", "items": {"mug": 1}}' DEFAULT UNSET;""",
        after=_ORDERS),
    "int": _topic(
        "constants",
        """
        tinyint (8-bit)   smallint (16-bit)   int (32-bit)   bigint (64-bit)
        varint (any size)          literals: 42, -7 (no quotes)""",
        """
        Integer literals have neither quotes nor a decimal point, and a value out of the
        column type's range is rejected. Arithmetic (+ - * / %) on integers stays integral:
        division truncates, and int or bigint results wrap around on overflow instead of
        failing, as does SUM(); cast to varint first when totals may be large. Use decimal or
        double for fractions.""",
        """
        SELECT order_id, order_id / 7 AS week, CAST(order_id AS varint)
          FROM shop.orders WHERE customer_id = 1;""",
        after=_ORDERS),
    "json": _topic(
        "json",
        """
        SELECT JSON <selectors> FROM ...        one JSON text per row
        INSERT INTO <table> JSON '<object>' [DEFAULT NULL | DEFAULT UNSET];
        to_json(<selector>)   from_json(<json string>)""",
        """
        SELECT JSON returns each row as a single text column named [json], and INSERT JSON
        writes a row from a JSON object (HELP SELECT_JSON, HELP INSERT_JSON). Inside ordinary
        statements, to_json() turns one value into JSON text and from_json() parses JSON where
        a value is expected, for example in UPDATE ... SET. Lists, sets and tuples become
        arrays, maps and user types become objects, and timestamps, dates, times, uuids, inet
        addresses and blobs ('0x...') become strings.""",
        """
        SELECT order_id, to_json(items) AS items_json FROM shop.orders
          WHERE customer_id = 1;
        UPDATE shop.orders SET items = from_json('{"pen": 3}')
          WHERE customer_id = 1 AND order_id = 101;""",
        after=_ORDERS),
    "keywords": _topic(
        "appendixA",
        '"<name>"     a double-quoted name may be any text, kept case-sensitive\n'
        + _keyword_lines(),
        """
        Reserved keywords cannot be used as bare names of keyspaces, tables, columns or other
        objects, while unreserved ones (key, type, date, text, json, count and the like) can.
        Unquoted names are case-insensitive and stored in lower case. Double quotes keep the
        exact case and allow any characters, reserved words included (write a double quote
        inside as ""); such a name must then always be quoted the same way.""",
        """
        CREATE TABLE IF NOT EXISTS shop.routes (
          "from" text, "to" text, "Hours" int, PRIMARY KEY ("from", "to"));
        SELECT "to", "Hours" FROM shop.routes WHERE "from" = 'Oslo';""",
        after=("create_keyspace",)),
    "list_permissions": _topic(
        "listPermissionsStmt",
        """
        LIST <permission> | ALL [PERMISSIONS] [ON <resource>] [OF <role>]
          [NORECURSIVE];""",
        """
        Shows which roles hold which permissions, optionally only on one resource and/or for
        one role. Permissions a role inherits through other roles are included unless
        NORECURSIVE is given.""",
        """
        LIST ALL PERMISSIONS OF clerk;""",
        after=("create_role",)),
    "list_roles": _topic(
        "listRolesStmt",
        """
        LIST ROLES [OF <role>] [NORECURSIVE];""",
        """
        Lists roles with their superuser and login flags, options and data center access. OF
        restricts the list to the roles granted to one role, directly and indirectly, or
        directly only with NORECURSIVE. cassalite has no authentication and answers with the
        built-in superuser cassandra.""",
        """
        LIST ROLES;"""),
    "list_users": _topic(
        "listUsersStmt",
        """
        LIST USERS;""",
        """
        The older form of LIST ROLES: it shows only roles that can log in, with their
        superuser flag. cassalite has no authentication and answers with the built-in
        superuser cassandra.""",
        """
        LIST USERS;"""),
    "permissions": _topic(
        "permissions",
        """
        CREATE  ALTER  DROP  SELECT  MODIFY  AUTHORIZE  DESCRIBE  EXECUTE
        UNMASK  SELECT_MASKED                  or ALL [PERMISSIONS]""",
        """
        SELECT reads data, MODIFY covers INSERT, UPDATE, DELETE and TRUNCATE, CREATE, ALTER and
        DROP manage schema objects and roles, AUTHORIZE allows granting and revoking, DESCRIBE
        lists roles, EXECUTE calls functions, and UNMASK and SELECT_MASKED concern columns with
        dynamic data masking. Resources form a hierarchy (ALL KEYSPACES, a keyspace, a table;
        ALL ROLES, a role; ALL FUNCTIONS, the functions of a keyspace, one function), and a
        permission on one level covers everything below it. Permissions are checked for
        sessions that logged in (cassalite-server --auth); embedded sessions opened without
        credentials are trusted.""",
        """
        GRANT MODIFY ON TABLE shop.orders TO clerk;""",
        after=("create_table", "create_role")),
    "revoke": _topic(
        "revokeRoleStmt",
        """
        REVOKE <permission> | ALL [PERMISSIONS] ON <resource> FROM <role>;
        REVOKE <role> FROM <role>;""",
        """
        Undoes a GRANT (HELP GRANT lists the resources). Only a direct grant is removed: a role
        that also inherits the permission through another role keeps it.""",
        """
        REVOKE SELECT ON KEYSPACE shop FROM clerk;""",
        after=("create_keyspace", "create_role")),
    "select": _topic(
        "selectStmt",
        """
        SELECT [JSON] [DISTINCT] * | <selector> [AS <alias>], ...
          FROM [<keyspace>.]<table>
          [WHERE <relation> [AND <relation> ...]]
          [GROUP BY <primary key columns>]
          [ORDER BY <clustering column> [ASC | DESC], ...]
          [PER PARTITION LIMIT <n>]
          [LIMIT <n>]
          [ALLOW FILTERING];""",
        """
        Efficient queries name their partitions: restrict every partition key column with =
        or IN. Clustering columns may then be restricted in key order, with equality on the
        leading ones and a range (<, <=, >, >=) only on the last one restricted. Other
        conditions, such as on regular columns or on clustering columns without the preceding
        ones, are refused unless an index covers them or you add ALLOW FILTERING, which scans
        and can be very slow on large tables. ORDER BY accepts only clustering columns, needs
        the partition key restricted, and can only keep or exactly reverse the table's
        clustering order. LIMIT caps the whole result, PER PARTITION LIMIT the rows taken from
        each partition.""",
        """
        SELECT order_id, status, total FROM shop.orders
          WHERE customer_id = 1 AND order_id > 100
          ORDER BY order_id ASC LIMIT 10;""",
        after=_ORDERS),
    "select_json": _topic(
        "selectJson",
        """
        SELECT JSON [DISTINCT] * | <selector> [AS <alias>], ...
          FROM [<keyspace>.]<table> [WHERE ...] [...];""",
        """
        Each result row comes back as one text column, [json], holding an object whose keys
        are the selected column names or aliases (case-sensitive names keep their double
        quotes). Everything else works as in a normal SELECT: restrictions, ORDER BY, LIMIT.
        The objects can be written back with INSERT ... JSON.""",
        """
        SELECT JSON order_id, status, total FROM shop.orders
          WHERE customer_id = 1;""",
        after=_ORDERS),
    "text": _topic(
        "constants",
        """
        text | varchar        values: '<UTF-8 text>' or $$<UTF-8 text>$$""",
        """
        text and varchar are two names of the same UTF-8 string type. A literal goes in single
        quotes, with each single quote inside doubled ('it''s'), or between $$ markers when it
        contains many quotes. Double quotes do not make a string: "x" is a column name.
        Strings compare by their UTF-8 bytes, so sorting is case-sensitive and ignores
        locale rules.""",
        """
        UPDATE shop.orders SET status = 'it''s packed'
          WHERE customer_id = 1 AND order_id = 101;
        UPDATE shop.orders SET status = $$it's packed$$
          WHERE customer_id = 1 AND order_id = 101;""",
        after=_ORDERS),
    "time": _topic(
        "usingtime",
        """
        <column> time         values: 'hh:mm:ss[.fffffffff]'
        current_time()""",
        """
        A time is a time of day without date or time zone, stored as nanoseconds since
        midnight. Literals need hours, minutes and seconds ('14:30' is rejected) and may have
        up to nine digits of fraction. When you need an instant, use a timestamp or a date and
        a time column together.""",
        """
        CREATE TABLE IF NOT EXISTS shop.pickup_slots (
          day date, starts time, PRIMARY KEY (day, starts));
        INSERT INTO shop.pickup_slots (day, starts)
          VALUES ('2024-05-03', '14:30:00');
        SELECT starts FROM shop.pickup_slots
          WHERE day = '2024-05-03' AND starts >= '12:00:00';""",
        after=("create_keyspace",)),
    "timestamp": _topic(
        "usingtimestamps",
        """
        <column> timestamp    values: 'yyyy-mm-dd[ hh:mm[:ss[.fff]]][zone]'
                              ('T' may replace the space), or an integer
                              of milliseconds since the epoch
        current_timestamp()   to_timestamp(<date | timeuuid>)
        to_unix_timestamp(<timestamp | date | timeuuid>)""",
        """
        A timestamp is an instant with millisecond precision, stored as milliseconds since
        1970-01-01 00:00 UTC. Write it as an integer or as a date-time string, and give the
        zone (+0000, Z, +0200) because a string without one is read in the node's time zone.
        Do not confuse it with the write time of USING TIMESTAMP and WRITETIME(), which counts
        microseconds.""",
        """
        UPDATE shop.orders SET placed_at = '2024-05-01T10:30:00Z'
          WHERE customer_id = 1 AND order_id = 101;
        SELECT order_id, placed_at, to_unix_timestamp(placed_at)
          FROM shop.orders WHERE customer_id = 1;""",
        after=_ORDERS),
    "truncate": _topic(
        "truncateStmt",
        """
        TRUNCATE [TABLE] [<keyspace>.]<table>;""",
        """
        Removes every row of the table at once and keeps its definition; its indexes and
        materialized views are emptied too, and a view cannot be truncated directly. Unlike
        deleting rows it leaves no tombstones, but on a cluster every node must be up.""",
        """
        TRUNCATE TABLE shop.orders;""",
        after=_ORDERS),
    "types": _topic(
        "types",
        """
        Numbers:     tinyint smallint int bigint varint float double decimal
                     counter
        Text:        ascii text varchar
        Time:        date time timestamp duration timeuuid
        Other:       blob boolean uuid inet
        Collections: list<t> set<t> map<k, v>
        Composite:   tuple<t, ...> vector<t, n> <user type> frozen<t>""",
        """
        A non-frozen collection stores its elements separately, so single elements can be
        added or removed, but it is always read whole (keep it small) and cannot be part of a
        primary key. frozen<...> stores a collection, tuple or user type as one value: it may
        then be a key column or nested in another collection, but is only replaced as a
        whole. Tuples and vectors are always frozen; a vector has a fixed length and, with
        floats and an SAI index, serves similarity search. An empty collection reads as
        null.""",
        """
        ALTER TABLE shop.orders ADD (tags set<text>, notes list<text>,
          embedding vector<float, 3>);
        UPDATE shop.orders SET tags = tags + {'gift'}, notes = ['fragile']
          WHERE customer_id = 1 AND order_id = 101;""",
        after=_ORDERS),
    "update": _topic(
        "updateStmt",
        """
        UPDATE [<keyspace>.]<table>
          [USING TTL <seconds> [AND TIMESTAMP <microseconds>]]
          SET <assignment>, ...
          WHERE <primary key restrictions>
          [IF EXISTS | IF <condition> [AND <condition> ...]];
        <assignment>: <col> = <value> | <col> = <col> + <value>
                    | <col> = <col> - <value> | <col> += <value>
                    | <col>[<key or index>] = <value> | <col>.<field> = <value>""",
        """
        UPDATE is an upsert as well: a missing row is created (unlike SQL), unless IF EXISTS
        or IF conditions make the statement a lightweight transaction. WHERE must give every
        primary key column with = or IN (ranges are refused, and IN on clustering columns
        cannot be combined with IF), and primary key columns cannot be SET. Collections take + and - to add or remove elements, and a map
        entry is set by key; replacing a list element by index or removing list values reads
        the list first. A row created only by UPDATE disappears once all its other columns
        are null, because UPDATE writes no row marker.""",
        """
        UPDATE shop.orders USING TTL 2592000
          SET status = 'shipped', items = items + {'gift wrap': 1}
          WHERE customer_id = 1 AND order_id = 101
          IF status = 'new';""",
        after=_ORDERS),
    "use": _topic(
        "useStmt",
        """
        USE <keyspace>;""",
        """
        Sets the keyspace that unqualified table, type and function names refer to for the
        rest of the session; the shell shows it in its prompt. A quoted name keeps its case,
        so USE "Shop" and USE shop are different. Names qualified with a keyspace
        (shop.orders) work whatever keyspace is in use.""",
        """
        USE shop;
        SELECT order_id, status FROM orders WHERE customer_id = 1;""",
        after=_ORDERS),
    "uuid": _topic(
        "constants",
        """
        uuid       values: 01234567-89ab-cdef-0123-456789abcdef (no quotes)
        timeuuid   version 1 uuids, ordered by the time they contain
        uuid()   now()   min_timeuuid(<ts>)   max_timeuuid(<ts>)
        to_timestamp(<timeuuid>)   to_date(<timeuuid>)""",
        """
        UUID literals are written bare, as 8-4-4-4-12 hex digits. uuid() makes a random
        (version 4) uuid; now() makes a new timeuuid on every call, which gives unique,
        time-ordered clustering keys. A timeuuid sorts by its time, and min_timeuuid() and
        max_timeuuid() build bounds for range queries on it, but are not meant to be stored.
        A uuid column also accepts timeuuid values, not the other way round.""",
        """
        SELECT uuid() AS random_id, now() AS time_id,
               to_timestamp(now()) AS created
          FROM system.local;"""),
}
