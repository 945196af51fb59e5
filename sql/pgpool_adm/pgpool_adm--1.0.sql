\echo Use "CREATE EXTENSION pgpool_adm" to load this file. \quit

-- Each function sends one PCP command to pgpool.  Two forms: with host,
-- port, username and password, or with the name of a foreign server
-- (options host, port) whose user mapping has options user and password.
-- host '' (or a directory) means pgpool's UNIX socket.  Only superusers
-- may call them until EXECUTE is granted: they open network connections
-- from the database server.

CREATE FUNCTION pcp_node_count(host text, port integer, username text, password text,
	OUT node_count integer)
RETURNS integer
AS 'MODULE_PATHNAME', '_pcp_node_count'
LANGUAGE C STRICT;

CREATE FUNCTION pcp_node_count(pcp_server text, OUT node_count integer)
RETURNS integer
AS 'MODULE_PATHNAME', '_pcp_node_count'
LANGUAGE C STRICT;

CREATE FUNCTION pcp_node_info(node_id integer, host text, port integer, username text,
	password text,
	OUT host text, OUT port integer, OUT status text, OUT pg_status text,
	OUT weight float4, OUT role text, OUT pg_role text, OUT replication_delay bigint,
	OUT replication_state text, OUT replication_sync_state text,
	OUT last_status_change timestamp)
RETURNS record
AS 'MODULE_PATHNAME', '_pcp_node_info'
LANGUAGE C STRICT;

CREATE FUNCTION pcp_node_info(node_id integer, pcp_server text,
	OUT host text, OUT port integer, OUT status text, OUT pg_status text,
	OUT weight float4, OUT role text, OUT pg_role text, OUT replication_delay bigint,
	OUT replication_state text, OUT replication_sync_state text,
	OUT last_status_change timestamp)
RETURNS record
AS 'MODULE_PATHNAME', '_pcp_node_info'
LANGUAGE C STRICT;

CREATE FUNCTION pcp_pool_status(host text, port integer, username text, password text,
	OUT item text, OUT value text, OUT description text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', '_pcp_pool_status'
LANGUAGE C STRICT;

CREATE FUNCTION pcp_pool_status(pcp_server text,
	OUT item text, OUT value text, OUT description text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', '_pcp_pool_status'
LANGUAGE C STRICT;

CREATE FUNCTION pcp_attach_node(node_id integer, host text, port integer, username text,
	password text, OUT node_attached boolean)
RETURNS boolean
AS 'MODULE_PATHNAME', '_pcp_attach_node'
LANGUAGE C STRICT;

CREATE FUNCTION pcp_attach_node(node_id integer, pcp_server text, OUT node_attached boolean)
RETURNS boolean
AS 'MODULE_PATHNAME', '_pcp_attach_node'
LANGUAGE C STRICT;

CREATE FUNCTION pcp_detach_node(node_id integer, gracefully boolean, host text, port integer,
	username text, password text, OUT node_detached boolean)
RETURNS boolean
AS 'MODULE_PATHNAME', '_pcp_detach_node'
LANGUAGE C STRICT;

CREATE FUNCTION pcp_detach_node(node_id integer, gracefully boolean, pcp_server text,
	OUT node_detached boolean)
RETURNS boolean
AS 'MODULE_PATHNAME', '_pcp_detach_node'
LANGUAGE C STRICT;

REVOKE ALL ON FUNCTION pcp_node_count(text, integer, text, text), pcp_node_count(text),
	pcp_node_info(integer, text, integer, text, text), pcp_node_info(integer, text),
	pcp_pool_status(text, integer, text, text), pcp_pool_status(text),
	pcp_attach_node(integer, text, integer, text, text), pcp_attach_node(integer, text),
	pcp_detach_node(integer, boolean, text, integer, text, text),
	pcp_detach_node(integer, boolean, text)
FROM PUBLIC;
