/*
 * test_show.c: unit tests for the SHOW module (src/show): literal quoting,
 * the zero-row form, each item's column list, row counts and values over
 * a fake shared memory (the node and process tables pointed at local
 * memory), password masking in pool_status, detection with PostgreSQL's
 * parser and the rewriting of Query and Parse messages.
 *
 * The generated SQL is read back by a small decoder of the exact shape
 * show_table.c writes, and checked with libpg_query to be one statement.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pg_query.h>

#include "config/config.h"
#include "pool/node_table.h"
#include "pool/proc_table.h"
#include "replication/strategy.h"
#include "show/show.h"
#include "../../src/show/show_int.h"

#define NCHILD 3
#define NPOOL 2

/* ---- a decoded result ------------------------------------------------------ */

typedef struct Decoded
{
	int			ncols;
	char	   *cols[64];
	int			nrows;
	char	   *vals[4096];		/* nrows * ncols; NULL for SQL NULL */
} Decoded;

static bool
expect(const char **p, const char *lit)
{
	size_t		n = strlen(lit);

	if (strncmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

static char *
read_ident(const char **p)
{
	PqBuf		b;

	pqbuf_init(&b);
	if (**p != '"')
		return NULL;
	for ((*p)++; **p; (*p)++)
	{
		if (**p == '"' && (*p)[1] == '"')
			(*p)++;
		else if (**p == '"')
			break;
		pqbuf_put_byte(&b, (uint8_t) **p);
	}
	(*p)++;
	pqbuf_put_byte(&b, 0);
	return b.data;
}

/* NULL, '...' (doubled quotes) or E'...' (doubled quotes, \\ and \xNN). */
static bool
read_value(const char **p, char **out)
{
	bool		esc = false;
	PqBuf		b;

	if (expect(p, "NULL"))
	{
		*out = NULL;
		return true;
	}
	if (**p == 'E')
	{
		esc = true;
		(*p)++;
	}
	if (**p != '\'')
		return false;
	pqbuf_init(&b);
	for ((*p)++; **p; (*p)++)
	{
		if (**p == '\'' && (*p)[1] == '\'')
			(*p)++;
		else if (**p == '\'')
			break;
		else if (esc && **p == '\\' && (*p)[1] == 'x')
		{
			unsigned int v;

			sscanf(*p + 2, "%2x", &v);
			pqbuf_put_byte(&b, (uint8_t) v);
			*p += 3;
			continue;
		}
		else if (esc && **p == '\\')
			(*p)++;
		else if (!esc && **p == '\\')
			return false;		/* plain literals never carry a backslash */
		pqbuf_put_byte(&b, (uint8_t) **p);
	}
	if (**p != '\'')
		return false;
	(*p)++;
	pqbuf_put_byte(&b, 0);
	*out = b.data;
	return true;
}

static void
decode(const char *sql, Decoded *d)
{
	const char *p = sql;
	int			n = 0;

	memset(d, 0, sizeof(*d));
	if (expect(&p, "SELECT NULL::text AS "))
	{
		do
			d->cols[d->ncols++] = read_ident(&p);
		while (expect(&p, ",NULL::text AS "));
		assert_string_equal(p, " WHERE false");
		return;
	}
	assert_true(expect(&p, "SELECT * FROM (VALUES "));
	do
	{
		assert_true(expect(&p, "("));
		do
			assert_true(read_value(&p, &d->vals[n++]));
		while (expect(&p, ","));
		assert_true(expect(&p, ")"));
		d->nrows++;
	} while (expect(&p, ","));
	assert_true(expect(&p, ") AS t("));
	do
		d->cols[d->ncols++] = read_ident(&p);
	while (expect(&p, ","));
	assert_string_equal(p, ")");
	assert_int_equal(n, d->nrows * d->ncols);
}

static const char *
cell(const Decoded *d, int row, const char *col)
{
	for (int c = 0; c < d->ncols; c++)
		if (strcmp(d->cols[c], col) == 0)
			return d->vals[row * d->ncols + c];
	fail_msg("no column %s", col);
	return NULL;
}

static void
decoded_free(Decoded *d)
{
	for (int i = 0; i < d->ncols; i++)
		free(d->cols[i]);
	for (int i = 0; i < d->nrows * d->ncols; i++)
		free(d->vals[i]);
}

/* The parser must see exactly one statement: no value broke out. */
static void
assert_one_statement(const char *sql)
{
	PgQueryParseResult r = pg_query_parse(sql);

	assert_null(r.error);
	assert_non_null(strstr(r.parse_tree, "\"stmts\":[{\"stmt\":{\"SelectStmt\""));
	assert_null(strstr(r.parse_tree, "},{\"stmt\":"));
	pg_query_free_parse_result(r);
}

/* Build item's query, check it parses, decode it. */
static void
build(const char *item, Decoded *d, PqBuf *keep)
{
	PqBuf		b;

	pqbuf_init(&b);
	assert_true(show_build_query(item, &b));
	pqbuf_put_byte(&b, 0);
	assert_one_statement(b.data);
	decode(b.data, d);
	if (keep)
		*keep = b;
	else
		pqbuf_free(&b);
}

/* ---- fake shared memory --------------------------------------------------- */

static PoolConfig cfg;
static NodeTable nodes;
static ProcTable procs;
static ProcInfo infos[NCHILD];
static ProcSlot slots[NCHILD * NPOOL];

static bool
fake_ping(const char *host, int port)
{
	(void) host;
	return port == 5432;		/* node 0 answers, node 1 does not */
}

static void
set_node(int id, const char *host, int port, int status, double weight)
{
	BackendNode *n = &nodes.nodes[id];

	snprintf(n->hostname, sizeof(n->hostname), "%s", host);
	n->port = port;
	n->status = status;
	n->weight = weight;
	n->status_changed = 1700000000;
}

static int
setup(void **state)
{
	(void) state;
	memset(&cfg, 0, sizeof(cfg));
	config_init_defaults(&cfg);
	assert_true(config_set_option(&cfg, "backend_hostname0", "127.0.0.1"));
	assert_true(config_set_option(&cfg, "backend_port0", "5432"));
	assert_true(config_set_option(&cfg, "backend_hostname1", "127.0.0.1"));
	assert_true(config_set_option(&cfg, "backend_port1", "5433"));
	assert_true(config_set_option(&cfg, "health_check_password", "hc-secret"));
	assert_true(config_set_option(&cfg, "sr_check_password", "sr-secret"));
	assert_true(config_set_option(&cfg, "wd_authkey", "wd-secret"));
	assert_true(config_set_option(&cfg, "num_init_children", "3"));
	assert_true(config_set_option(&cfg, "max_pool", "2"));
	cfg.backend_clustering_mode = CM_RAW;	/* the default is streaming replication */
	pool_config = &cfg;
	strategy_select(&cfg);

	memset(&nodes, 0, sizeof(nodes));
	nodes.num_backends = 2;
	nodes.main_node_id = 0;
	nodes.primary_node_id = -1;
	set_node(0, "127.0.0.1", 5432, NODE_STATUS_UP, 1);
	set_node(1, "/tmp", 5433, NODE_STATUS_DOWN, 1);
	nodes.nodes[0].select_count = 42;
	node_table = &nodes;

	memset(infos, 0, sizeof(infos));
	memset(slots, 0, sizeof(slots));
	procs.num_children = NCHILD;
	procs.max_pool = NPOOL;
	procs.procs = infos;
	procs.slots = slots;
	proc_table = &procs;
	for (int c = 0; c < NCHILD; c++)
	{
		infos[c].pid = 1000 + c;
		infos[c].start_time = 1700000000;
		infos[c].state = CHILD_STATE_WAIT_FOR_CONNECTION;
		infos[c].current_slot = -1;
	}
	my_child_index = 0;
	show_ping_hook = fake_ping;
	return 0;
}

static int
teardown(void **state)
{
	(void) state;
	config_free(&cfg);
	pool_config = NULL;
	node_table = NULL;
	proc_table = NULL;
	my_child_index = -1;
	return 0;
}

/* Child 1 serves a client on pool slot 1, connected to node 0. */
static void
connect_client(int child, int slot, const char *db, const char *user)
{
	ProcSlot   *s = proc_slot(child, slot);

	infos[child].state = CHILD_STATE_IDLE;
	infos[child].client_connected = true;
	infos[child].current_slot = slot;
	snprintf(s->database, sizeof(s->database), "%s", db);
	snprintf(s->user, sizeof(s->user), "%s", user);
	s->major = 3;
	s->minor = 0;
	s->create_time = 1700000100;
	s->counter = 2;
	s->in_use = true;
	s->nodes[0].connected = true;
	s->nodes[0].backend_pid = 4321;
}

/* ---- quoting and table shape ----------------------------------------------- */

static void
quoted(const char *value, const char *expected)
{
	PqBuf		b;

	pqbuf_init(&b);
	show_quote_literal(&b, value);
	pqbuf_put_byte(&b, 0);
	assert_string_equal(b.data, expected);
	pqbuf_free(&b);
}

static void
test_quote_literal(void **state)
{
	(void) state;
	quoted("abc", "'abc'");
	quoted("", "''");
	quoted("it's", "'it''s'");
	quoted("a\\b", "E'a\\\\b'");
	quoted("\\'; DROP TABLE x; --", "E'\\\\''; DROP TABLE x; --'");
	quoted("tab\there", "E'tab\\x09here'");
	quoted("é", "'é'");
}

static void
test_table_shape(void **state)
{
	static const char *const cols[] = {"a", "b\"c"};
	ShowTable	t;
	PqBuf		b;

	(void) state;
	pqbuf_init(&b);
	show_table_begin(&t, &b, cols, 2);
	show_row_begin(&t);
	show_value(&t, "1");
	show_value(&t, NULL);
	show_row_end(&t);
	show_row_begin(&t);
	show_valuef(&t, "%d", 2);
	show_row_end(&t);			/* the missing column becomes NULL */
	show_table_end(&t);
	pqbuf_put_byte(&b, 0);
	assert_string_equal(b.data,
						"SELECT * FROM (VALUES ('1',NULL),('2',NULL)) AS t(\"a\",\"b\"\"c\")");
	assert_one_statement(b.data);
	pqbuf_free(&b);
}

static void
test_zero_rows(void **state)
{
	PqBuf		b;
	Decoded		d;

	(void) state;
	nodes.num_backends = 0;
	pqbuf_init(&b);
	assert_true(show_build_query("pool_nodes", &b));
	pqbuf_put_byte(&b, 0);
	assert_int_equal(strncmp(b.data, "SELECT NULL::text AS \"node_id\",NULL::text AS \"hostname\"", 54), 0);
	assert_one_statement(b.data);
	decode(b.data, &d);
	assert_int_equal(d.nrows, 0);
	assert_int_equal(d.ncols, 14);
	decoded_free(&d);
	pqbuf_free(&b);
}

static void
test_unknown_item(void **state)
{
	PqBuf		b;

	(void) state;
	pqbuf_init(&b);
	pqbuf_put_bytes(&b, "x", 1);
	assert_false(show_build_query("pool_nonsense", &b));
	assert_false(show_build_query("work_mem", &b));
	assert_int_equal(b.len, 1);
	pqbuf_free(&b);
}

/* ---- column lists (pgpool-II 4.3) ------------------------------------------ */

static void
assert_columns(const char *item, const char *expected)
{
	Decoded		d;
	char		joined[2048] = "";

	build(item, &d, NULL);
	for (int i = 0; i < d.ncols; i++)
	{
		if (i)
			strcat(joined, "|");
		strcat(joined, d.cols[i]);
	}
	assert_string_equal(joined, expected);
	decoded_free(&d);
}

static void
test_columns(void **state)
{
	int			n;

	(void) state;
	assert_columns("pool_status", "item|value|description");
	assert_columns("pool_nodes",
				   "node_id|hostname|port|status|pg_status|lb_weight|role|pg_role|select_cnt|"
				   "load_balance_node|replication_delay|replication_state|"
				   "replication_sync_state|last_status_change");
	assert_columns("pool_processes",
				   "pool_pid|start_time|client_connection_count|database|username|"
				   "backend_connection_time|pool_counter|status");
	assert_columns("pool_pools",
				   "pool_pid|start_time|client_connection_count|pool_id|backend_id|database|"
				   "username|backend_connection_time|client_connection_time|"
				   "client_disconnection_time|client_idle_duration|majorversion|minorversion|"
				   "pool_counter|pool_backendpid|pool_connected|status");
	assert_columns("pool_version", "pool_version");
	assert_columns("pool_cache",
				   "num_cache_hits|num_selects|cache_hit_ratio|num_hash_entries|"
				   "used_hash_entries|num_cache_entries|used_cache_entries_size|"
				   "free_cache_entries_size|fragment_cache_entries_size|"
				   "invalidation_source|wal_node_id|wal_lag_bytes|wal_lag_seconds");
	assert_columns("pool_health_check_stats",
				   "node_id|hostname|port|status|role|last_status_change|total_count|"
				   "success_count|fail_count|skip_count|retry_count|average_retry_count|"
				   "max_retry_count|max_duration|min_duration|average_duration|"
				   "last_health_check|last_successful_health_check|last_skip_health_check|"
				   "last_failed_health_check");
	assert_columns("pool_backend_stats",
				   "node_id|hostname|port|status|role|select_cnt|insert_cnt|update_cnt|"
				   "delete_cnt|ddl_cnt|other_cnt|panic_cnt|fatal_cnt|error_cnt");
	show_items(&n);
	assert_int_equal(n, 8);
}

/* ---- values ------------------------------------------------------------------ */

static void
test_pool_nodes(void **state)
{
	Decoded		d;
	char		when[32];

	(void) state;
	infos[0].load_balance_node = 1;
	build("pool_nodes", &d, NULL);
	assert_int_equal(d.nrows, 2);
	assert_string_equal(cell(&d, 0, "node_id"), "0");
	assert_string_equal(cell(&d, 0, "hostname"), "127.0.0.1");
	assert_string_equal(cell(&d, 1, "hostname"), "/tmp");
	assert_string_equal(cell(&d, 0, "port"), "5432");
	assert_string_equal(cell(&d, 0, "status"), "up");
	assert_string_equal(cell(&d, 1, "status"), "down");
	assert_string_equal(cell(&d, 0, "pg_status"), "up");
	assert_string_equal(cell(&d, 1, "pg_status"), "down");
	assert_string_equal(cell(&d, 0, "lb_weight"), "0.500000");
	assert_string_equal(cell(&d, 0, "role"), "main");
	assert_string_equal(cell(&d, 1, "role"), "replica");
	assert_string_equal(cell(&d, 0, "select_cnt"), "42");
	assert_string_equal(cell(&d, 0, "load_balance_node"), "false");
	assert_string_equal(cell(&d, 1, "load_balance_node"), "true");
	assert_string_equal(cell(&d, 0, "replication_delay"), "0");
	assert_string_equal(cell(&d, 1, "replication_state"), "");
	assert_string_equal(cell(&d, 0, "last_status_change"),
						show_format_time(1700000000, when, sizeof(when)));
	assert_int_equal(strlen(when), 19);
	decoded_free(&d);

	/* streaming replication: primary / standby */
	cfg.backend_clustering_mode = CM_STREAMING_REPLICATION;
	strategy_select(&cfg);
	nodes.primary_node_id = 1;
	build("pool_nodes", &d, NULL);
	assert_string_equal(cell(&d, 0, "role"), "standby");
	assert_string_equal(cell(&d, 1, "role"), "primary");
	decoded_free(&d);

	/* a standby not streaming from the primary shows why instead */
	strcpy(nodes.nodes[0].replication_state, "streaming");
	strcpy(nodes.nodes[0].stale_reason, "not streaming");
	nodes.nodes[0].stale = true;
	build("pool_nodes", &d, NULL);
	assert_string_equal(cell(&d, 0, "replication_state"), "not streaming");
	decoded_free(&d);
	nodes.nodes[0].stale = false;
	build("pool_nodes", &d, NULL);
	assert_string_equal(cell(&d, 0, "replication_state"), "streaming");
	decoded_free(&d);
}

/* PGPOOL EXPLAIN ROUTE's answer: a row per node, runs/lead flags, the rule on every row. */
static void
test_route(void **state)
{
	bool		runs[2] = {false, true};
	Decoded		d;
	PqBuf		b;

	(void) state;
	pqbuf_init(&b);
	show_build_route(runs, 1, "load_balance", "read-only 'query'", &b);
	pqbuf_put_byte(&b, 0);
	assert_one_statement(b.data);
	decode(b.data, &d);
	assert_int_equal(d.nrows, 2);
	assert_string_equal(cell(&d, 0, "node_id"), "0");
	assert_string_equal(cell(&d, 0, "port"), "5432");
	assert_string_equal(cell(&d, 0, "role"), "main");
	assert_string_equal(cell(&d, 0, "runs"), "false");
	assert_string_equal(cell(&d, 1, "runs"), "true");
	assert_string_equal(cell(&d, 0, "lead"), "false");
	assert_string_equal(cell(&d, 1, "lead"), "true");
	assert_string_equal(cell(&d, 1, "status"), "down");
	assert_string_equal(cell(&d, 0, "rule"), "load_balance");
	assert_string_equal(cell(&d, 1, "reason"), "read-only 'query'");
	decoded_free(&d);
	pqbuf_free(&b);
}

static void
test_node_stats(void **state)
{
	Decoded		d;

	(void) state;
	nodes.nodes[0].hc.total_count = 3;
	nodes.nodes[0].hc.success_count = 3;
	nodes.nodes[0].hc.total_duration_ms = 11;
	nodes.nodes[0].hc.max_duration_ms = 5;
	nodes.nodes[0].hc.min_duration_ms = 1;
	build("pool_health_check_stats", &d, NULL);
	assert_int_equal(d.nrows, 2);
	assert_string_equal(cell(&d, 0, "total_count"), "3");
	assert_string_equal(cell(&d, 0, "average_retry_count"), "0.000000");
	assert_string_equal(cell(&d, 0, "max_duration"), "5");
	assert_string_equal(cell(&d, 0, "average_duration"), "3.666667");
	assert_string_equal(cell(&d, 1, "total_count"), "0");
	assert_string_equal(cell(&d, 1, "last_failed_health_check"), "");
	decoded_free(&d);

	build("pool_backend_stats", &d, NULL);
	assert_int_equal(d.nrows, 2);
	assert_string_equal(cell(&d, 0, "select_cnt"), "42");
	assert_string_equal(cell(&d, 0, "error_cnt"), "0");
	assert_string_equal(cell(&d, 1, "role"), "replica");
	decoded_free(&d);
}

static void
test_pool_processes(void **state)
{
	Decoded		d;

	(void) state;
	connect_client(1, 1, "testdb", "alice");
	infos[2].connection_count = 7;
	build("pool_processes", &d, NULL);
	assert_int_equal(d.nrows, NCHILD);
	assert_string_equal(cell(&d, 0, "pool_pid"), "1000");
	assert_string_equal(cell(&d, 0, "status"), "Execute command");	/* this child */
	assert_string_equal(cell(&d, 1, "status"), "Idle");
	assert_string_equal(cell(&d, 2, "status"), "Wait for connection");
	assert_string_equal(cell(&d, 1, "database"), "testdb");
	assert_string_equal(cell(&d, 1, "username"), "alice");
	assert_string_equal(cell(&d, 1, "pool_counter"), "2");
	assert_string_equal(cell(&d, 2, "database"), "");
	assert_string_equal(cell(&d, 2, "client_connection_count"), "7");
	decoded_free(&d);
}

static void
test_pool_pools(void **state)
{
	Decoded		d;

	(void) state;
	connect_client(1, 1, "testdb", "alice");
	build("pool_pools", &d, NULL);
	assert_int_equal(d.nrows, NCHILD * NPOOL);
	/* row of child 1, slot 1 */
	assert_string_equal(cell(&d, 3, "pool_pid"), "1001");
	assert_string_equal(cell(&d, 3, "pool_id"), "1");
	assert_string_equal(cell(&d, 3, "backend_id"), "0");
	assert_string_equal(cell(&d, 3, "database"), "testdb");
	assert_string_equal(cell(&d, 3, "majorversion"), "3");
	assert_string_equal(cell(&d, 3, "pool_backendpid"), "4321");
	assert_string_equal(cell(&d, 3, "pool_connected"), "1");
	assert_string_equal(cell(&d, 2, "pool_id"), "0");
	assert_string_equal(cell(&d, 2, "pool_connected"), "0");
	assert_string_equal(cell(&d, 2, "database"), "");
	assert_string_equal(cell(&d, 2, "pool_backendpid"), "0");
	decoded_free(&d);
}

static void
test_injection(void **state)
{
	static const char *const evil[] = {
		"x'); DROP TABLE t; --", "x\\'); DROP TABLE t; --", "a''b\\\\c", "new\nline"
	};
	Decoded		d;

	(void) state;
	for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++)
	{
		connect_client(1, 0, evil[i], evil[i]);
		build("pool_pools", &d, NULL);	/* asserts a single statement */
		assert_string_equal(cell(&d, 2, "database"), evil[i]);
		decoded_free(&d);
	}
}

static void
test_pool_status(void **state)
{
	Decoded		d;
	PqBuf		sql;
	bool		host0 = false, port1 = false, hc_pw = false, sr_pw = false, authkey = false;
	int			hostname0_row = -1, port0_row = -1, hostname1_row = -1;

	(void) state;
	build("pool_status", &d, &sql);
	assert_true(d.nrows > 100);
	assert_null(strstr(sql.data, "secret"));
	for (int r = 0; r < d.nrows; r++)
	{
		const char *item = cell(&d, r, "item");
		const char *value = cell(&d, r, "value");

		assert_non_null(cell(&d, r, "description"));
		if (strcmp(item, "backend_hostname0") == 0)
		{
			host0 = strcmp(value, "127.0.0.1") == 0;
			hostname0_row = r;
		}
		if (strcmp(item, "backend_port0") == 0)
			port0_row = r;
		if (strcmp(item, "backend_hostname1") == 0)
			hostname1_row = r;
		if (strcmp(item, "backend_port1") == 0)
			port1 = strcmp(value, "5433") == 0;
		if (strcmp(item, "health_check_password") == 0)
			hc_pw = strcmp(value, "********") == 0;
		if (strcmp(item, "sr_check_password") == 0)
			sr_pw = strcmp(value, "********") == 0;
		if (strcmp(item, "wd_authkey") == 0)
			authkey = strcmp(value, "********") == 0;
		if (strcmp(item, "port") == 0)
			assert_string_equal(value, "9999");
	}
	assert_true(host0);
	assert_true(port1);
	assert_true(hc_pw);
	assert_true(sr_pw);
	assert_true(authkey);
	/* grouped by node: every backend_*0 before backend_hostname1 */
	assert_true(hostname0_row >= 0 && port0_row == hostname0_row + 1);
	assert_true(hostname1_row > port0_row);
	decoded_free(&d);
	pqbuf_free(&sql);
}

static void
test_version_and_cache(void **state)
{
	Decoded		d;

	(void) state;
	build("pool_version", &d, NULL);
	assert_int_equal(d.nrows, 1);
	assert_non_null(strstr(d.vals[0], "4.3"));
	decoded_free(&d);
	build("pool_cache", &d, NULL);
	assert_int_equal(d.nrows, 1);
	assert_string_equal(cell(&d, 0, "cache_hit_ratio"), "0.00");
	assert_string_equal(cell(&d, 0, "num_cache_hits"), "0");
	decoded_free(&d);
}

/* ---- detection and rewriting --------------------------------------------------- */

static void
detects(const char *sql, const char *item)
{
	char		got[SHOW_ITEM_MAX];

	if (item == NULL)
		assert_false(show_detect(sql, strlen(sql), got, sizeof(got)));
	else
	{
		assert_true(show_detect(sql, strlen(sql), got, sizeof(got)));
		assert_string_equal(got, item);
	}
}

static void
test_detect(void **state)
{
	(void) state;
	detects("SHOW pool_nodes", "pool_nodes");
	detects("show POOL_NODES;", "pool_nodes");
	detects("  /* admin */ Show Pool_Status ;  ", "pool_status");
	detects("show \"pool_processes\"", "pool_processes");
	detects("SHOW pool_health_check_stats", "pool_health_check_stats");
	detects("SHOW pool_nonsense", "pool_nonsense");	/* show_build_query says no */
	detects("SHOW work_mem", NULL);
	detects("SHOW ALL", NULL);
	detects("SELECT 'show pool_nodes'", NULL);
	detects("SHOW pool_nodes; SELECT 1", NULL);
	detects("SELECT 1; SHOW pool_nodes", NULL);
	detects("SHOW pool_nodes x", NULL);
	detects("select * from pool_table", NULL);
	/* not NUL-terminated within len */
	{
		char		got[SHOW_ITEM_MAX];

		assert_true(show_detect("SHOW pool_nodesXYZ", 15, got, sizeof(got)));
		assert_string_equal(got, "pool_nodes");
	}
}

static void
test_rewrite_query(void **state)
{
	static const char body[] = "show pool_version";
	PqBuf		out;
	PqReader	r;

	(void) state;
	pqbuf_init(&out);
	assert_true(show_rewrite_message(PQ_FE_QUERY, body, sizeof(body), &out));
	assert_int_equal(out.data[0], 'Q');
	assert_int_equal(pq_peek_int32(out.data + 1), (int32_t) out.len - 1);
	pq_reader_init(&r, out.data + 5, out.len - 5);
	assert_int_equal(strncmp(pq_get_string(&r), "SELECT * FROM (VALUES (", 23), 0);
	assert_false(r.error);
	assert_int_equal(r.pos, r.len);
	pqbuf_free(&out);
}

static void
test_rewrite_parse(void **state)
{
	/* name "s1", text, 1 parameter type (int4 = 23) */
	static const char body[] = "s1\0SHOW pool_cache\0\0\1\0\0\0\27";
	PqBuf		out;
	PqReader	r;
	const char *text;

	(void) state;
	pqbuf_init(&out);
	assert_true(show_rewrite_message(PQ_FE_PARSE, body, sizeof(body) - 1, &out));
	assert_int_equal(out.data[0], 'P');
	assert_int_equal(pq_peek_int32(out.data + 1), (int32_t) out.len - 1);
	pq_reader_init(&r, out.data + 5, out.len - 5);
	assert_string_equal(pq_get_string(&r), "s1");
	text = pq_get_string(&r);
	assert_non_null(strstr(text, "\"num_cache_hits\""));
	assert_int_equal(pq_get_int16(&r), 1);
	assert_int_equal(pq_get_int32(&r), 23);
	assert_false(r.error);
	assert_int_equal(r.pos, r.len);
	pqbuf_free(&out);
}

static void
test_rewrite_passes_others(void **state)
{
	static const char q[] = "select 1";
	static const char unknown[] = "show pool_nonsense";
	static const char p[] = "\0select 1\0\0";
	PqBuf		out;

	(void) state;
	pqbuf_init(&out);
	pqbuf_put_bytes(&out, "xy", 2);
	assert_false(show_rewrite_message(PQ_FE_QUERY, q, sizeof(q), &out));
	assert_false(show_rewrite_message(PQ_FE_QUERY, unknown, sizeof(unknown), &out));
	assert_false(show_rewrite_message(PQ_FE_PARSE, p, sizeof(p) - 1, &out));
	assert_false(show_rewrite_message(PQ_FE_QUERY, "show pool_nodes", 15, &out));	/* no NUL */
	assert_false(show_rewrite_message(PQ_FE_BIND, q, sizeof(q), &out));
	assert_int_equal(out.len, 2);	/* nothing appended, nothing left behind */
	pqbuf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_literal),
		cmocka_unit_test(test_table_shape),
		cmocka_unit_test_setup_teardown(test_zero_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_item, setup, teardown),
		cmocka_unit_test_setup_teardown(test_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_processes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_pools, setup, teardown),
		cmocka_unit_test_setup_teardown(test_injection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_and_cache, setup, teardown),
		cmocka_unit_test(test_detect),
		cmocka_unit_test_setup_teardown(test_rewrite_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewrite_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewrite_passes_others, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
