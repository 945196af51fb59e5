/*
 * router_parse.c: parse a statement text with libpg_query (PostgreSQL 15's
 * own grammar) and classify each statement: kind, wrapped statement,
 * isolation level, SHOW pool_* item, names, and the facts router_walk.c
 * finds in queries.
 *
 * Runs in children on a cache miss.  pg_query_raw_parse() gives the native
 * Node tree (about 1 us for a pgbench SELECT, against ~18 us for the
 * protobuf API); it allocates in a memory context that
 * pg_query_enter_memory_context() creates and
 * pg_query_exit_memory_context() deletes, so nothing outlives the call but
 * what was copied into the RouterBuild.
 *
 * Includes PostgreSQL's server headers: see router_walk.c.
 */
#include "postgres.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "pg_query.h"
#include "pg_query/pg_query_internal.h"

#include "router_int.h"

/* What one statement is; applied to the RouterBuild for the first statement. */
typedef struct StmtClass
{
	RouterStmtKind kind;
	RouterStmtKind inner_kind;
	RouterIsolation isolation;
	RouterPoolShow pool_show;
	const char *name;
} StmtClass;

static void classify(RouterBuild *b, Node *stmt, bool executes, StmtClass *out);

static const struct
{
	const char *name;
	RouterPoolShow item;
}			pool_show_items[] = {
	{"pool_status", ROUTER_SHOW_POOL_STATUS},
	{"pool_nodes", ROUTER_SHOW_POOL_NODES},
	{"pool_processes", ROUTER_SHOW_POOL_PROCESSES},
	{"pool_pools", ROUTER_SHOW_POOL_POOLS},
	{"pool_version", ROUTER_SHOW_POOL_VERSION},
	{"pool_cache", ROUTER_SHOW_POOL_CACHE},
	{"pool_health_check_stats", ROUTER_SHOW_POOL_HEALTH_CHECK_STATS},
	{"pool_backend_stats", ROUTER_SHOW_POOL_BACKEND_STATS},
};

static RouterIsolation
isolation_from_name(const char *s)
{
	if (s == NULL)
		return ROUTER_ISO_DEFAULT;
	if (strcasecmp(s, "serializable") == 0)
		return ROUTER_ISO_SERIALIZABLE;
	if (strcasecmp(s, "repeatable read") == 0)
		return ROUTER_ISO_REPEATABLE_READ;
	if (strcasecmp(s, "read committed") == 0)
		return ROUTER_ISO_READ_COMMITTED;
	if (strcasecmp(s, "read uncommitted") == 0)
		return ROUTER_ISO_READ_UNCOMMITTED;
	return ROUTER_ISO_DEFAULT;
}

/* The string of an A_Const (or String) node, or NULL. */
static const char *
const_str(Node *n)
{
	if (n == NULL)
		return NULL;
	if (IsA(n, String))
		return strVal(n);
	if (IsA(n, A_Const) && !((A_Const *) n)->isnull &&
		IsA(&((A_Const *) n)->val, String))
		return ((A_Const *) n)->val.sval.sval;
	return NULL;
}

/* transaction_isolation in a BEGIN / SET TRANSACTION option list */
static RouterIsolation
isolation_from_options(List *options)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *d = (DefElem *) lfirst(lc);

		if (IsA(d, DefElem) && strcmp(d->defname, "transaction_isolation") == 0)
			return isolation_from_name(const_str(d->arg));
	}
	return ROUTER_ISO_DEFAULT;
}

/* transaction_read_only = false in a BEGIN / SET TRANSACTION option list: READ WRITE */
static bool
read_write_in_options(List *options)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *d = (DefElem *) lfirst(lc);

		if (IsA(d, DefElem) && strcmp(d->defname, "transaction_read_only") == 0 &&
			d->arg != NULL && IsA(d->arg, A_Const) && !((A_Const *) d->arg)->isnull &&
			IsA(&((A_Const *) d->arg)->val, Integer))
			return intVal(&((A_Const *) d->arg)->val) == 0;
	}
	return false;
}

/* A SET value that means false: off, false, no, 0 (as a word or a number). */
static bool
setting_false(Node *n)
{
	const char *v;

	if (n != NULL && IsA(n, A_Const) && !((A_Const *) n)->isnull &&
		IsA(&((A_Const *) n)->val, Integer))
		return intVal(&((A_Const *) n)->val) == 0;
	if ((v = const_str(n)) == NULL)
		return false;
	return strcasecmp(v, "off") == 0 || strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0 ||
		strcmp(v, "0") == 0 || strcasecmp(v, "f") == 0 || strcasecmp(v, "n") == 0;
}

/* EXPLAIN's ANALYZE option: bare, or with a boolean argument. */
static bool
explain_analyzes(List *options)
{
	ListCell   *lc;
	bool		analyze = false;

	foreach(lc, options)
	{
		DefElem    *d = (DefElem *) lfirst(lc);
		const char *v;

		if (!IsA(d, DefElem) || strcmp(d->defname, "analyze") != 0)
			continue;
		if (d->arg == NULL)
			analyze = true;
		else if (IsA(d->arg, Integer))
			analyze = intVal(d->arg) != 0;
		else if ((v = const_str(d->arg)) != NULL)
			analyze = strcasecmp(v, "false") != 0 && strcasecmp(v, "off") != 0 &&
				strcasecmp(v, "no") != 0 && strcmp(v, "0") != 0 &&
				strcasecmp(v, "f") != 0 && strcasecmp(v, "n") != 0;
		else
			analyze = true;
	}
	return analyze;
}

static void
classify_transaction(RouterBuild *b, TransactionStmt *t, StmtClass *out)
{
	static const RouterStmtKind kinds[] = {
		[TRANS_STMT_BEGIN] = ROUTER_STMT_BEGIN,
		[TRANS_STMT_START] = ROUTER_STMT_BEGIN,
		[TRANS_STMT_COMMIT] = ROUTER_STMT_COMMIT,
		[TRANS_STMT_ROLLBACK] = ROUTER_STMT_ROLLBACK,
		[TRANS_STMT_SAVEPOINT] = ROUTER_STMT_SAVEPOINT,
		[TRANS_STMT_RELEASE] = ROUTER_STMT_RELEASE,
		[TRANS_STMT_ROLLBACK_TO] = ROUTER_STMT_ROLLBACK_TO,
		[TRANS_STMT_PREPARE] = ROUTER_STMT_PREPARE_TRANSACTION,
		[TRANS_STMT_COMMIT_PREPARED] = ROUTER_STMT_COMMIT_PREPARED,
		[TRANS_STMT_ROLLBACK_PREPARED] = ROUTER_STMT_ROLLBACK_PREPARED,
	};

	b->flags |= ROUTER_F_TXN_CONTROL;
	out->kind = kinds[t->kind];
	out->isolation = isolation_from_options(t->options);
	if (read_write_in_options(t->options))
		b->flags |= ROUTER_F_READ_WRITE;
	out->name = t->savepoint_name ? t->savepoint_name : t->gid;
	if (t->chain)
		b->flags |= ROUTER_F_CHAIN;
}

/*
 * SET and RESET.  SET [SESSION] default_transaction_isolation has the effect
 * of SET SESSION CHARACTERISTICS, SET transaction_isolation that of SET
 * TRANSACTION: the kind says so, whatever the spelling.
 */
static void
classify_set(RouterBuild *b, VariableSetStmt *v, StmtClass *out)
{
	out->name = v->name;
	switch (v->kind)
	{
		case VAR_RESET:
			out->kind = ROUTER_STMT_RESET;
			return;
		case VAR_RESET_ALL:
			out->kind = ROUTER_STMT_RESET;
			b->flags |= ROUTER_F_ALL;
			return;
		case VAR_SET_MULTI:
			out->kind = strcmp(v->name, "SESSION CHARACTERISTICS") == 0 ?
				ROUTER_STMT_SET_SESSION_CHARACTERISTICS : ROUTER_STMT_SET_TRANSACTION;
			out->isolation = isolation_from_options(v->args);
			if (out->kind == ROUTER_STMT_SET_TRANSACTION && read_write_in_options(v->args))
				b->flags |= ROUTER_F_READ_WRITE;
			return;
		default:
			break;
	}
	out->kind = ROUTER_STMT_SET;
	if (v->is_local)
		b->flags |= ROUTER_F_SET_LOCAL;
	if (v->name == NULL || v->is_local)
		return;
	if (strcmp(v->name, "transaction_read_only") == 0)
	{
		/* SET transaction_read_only = off is SET TRANSACTION READ WRITE */
		out->kind = ROUTER_STMT_SET_TRANSACTION;
		if (v->kind == VAR_SET_VALUE && v->args != NIL && setting_false(linitial(v->args)))
			b->flags |= ROUTER_F_READ_WRITE;
		return;
	}
	if (strcmp(v->name, "default_transaction_isolation") == 0)
		out->kind = ROUTER_STMT_SET_SESSION_CHARACTERISTICS;
	else if (strcmp(v->name, "transaction_isolation") == 0)
		out->kind = ROUTER_STMT_SET_TRANSACTION;
	else
		return;
	if (v->kind == VAR_SET_VALUE && v->args != NIL)
		out->isolation = isolation_from_name(const_str(linitial(v->args)));
}

static void
classify_show(VariableShowStmt *s, StmtClass *out)
{
	size_t		i;

	out->kind = ROUTER_STMT_SHOW;
	out->name = s->name;
	for (i = 0; i < sizeof(pool_show_items) / sizeof(pool_show_items[0]); i++)
	{
		if (s->name != NULL && strcasecmp(s->name, pool_show_items[i].name) == 0)
		{
			out->kind = ROUTER_STMT_SHOW_POOL;
			out->pool_show = pool_show_items[i].item;
			return;
		}
	}
}

static void
classify_copy(RouterBuild *b, CopyStmt *c, StmtClass *out)
{
	if (c->filename == NULL)
		b->flags |= ROUTER_F_COPY_STDIO;
	if (c->is_from)
	{
		out->kind = ROUTER_STMT_COPY_FROM;
		b->flags |= ROUTER_F_WRITE;
		router_walk_relation(b, c->relation, ROUTER_REL_WRITTEN);
		return;
	}
	out->kind = ROUTER_STMT_COPY_TO;
	if (c->query != NULL)
	{
		StmtClass	inner = {0};

		classify(b, c->query, true, &inner);
		out->inner_kind = inner.kind;
	}
	else
		router_walk_relation(b, c->relation, 0);
}

/* Statements that wrap a query: EXPLAIN, PREPARE, DECLARE, CREATE TABLE AS, VIEW. */
static bool
classify_wrapper(RouterBuild *b, Node *stmt, bool executes, StmtClass *out)
{
	StmtClass	inner = {0};

	switch (nodeTag(stmt))
	{
		case T_ExplainStmt:
			{
				ExplainStmt *e = (ExplainStmt *) stmt;
				bool		analyze = executes && explain_analyzes(e->options);

				bool		was = b->explain_only;

				out->kind = ROUTER_STMT_EXPLAIN;
				if (analyze)
					b->flags |= ROUTER_F_EXPLAIN_ANALYZE;
				/* its function calls route it as if it ran (pgpool-II does so) */
				b->explain_only = executes && !analyze;
				classify(b, e->query, analyze, &inner);
				b->explain_only = was;
				out->name = inner.name;
				break;
			}
		case T_PrepareStmt:
			out->kind = ROUTER_STMT_PREPARE;
			out->name = ((PrepareStmt *) stmt)->name;
			classify(b, ((PrepareStmt *) stmt)->query, executes, &inner);
			break;
		case T_DeclareCursorStmt:
			out->kind = ROUTER_STMT_DECLARE_CURSOR;
			out->name = ((DeclareCursorStmt *) stmt)->portalname;
			classify(b, ((DeclareCursorStmt *) stmt)->query, executes, &inner);
			break;
		case T_CreateTableAsStmt:
			{
				CreateTableAsStmt *c = (CreateTableAsStmt *) stmt;

				out->kind = ROUTER_STMT_DDL;
				if (executes)
					b->flags |= ROUTER_F_WRITE;
				router_walk_relation(b, c->into ? c->into->rel : NULL, ROUTER_REL_CREATED);
				classify(b, c->query, executes, &inner);
				if (inner.kind == ROUTER_STMT_EXECUTE)
					out->name = inner.name;	/* CREATE TABLE AS EXECUTE name */
				break;
			}
		case T_ViewStmt:
			out->kind = ROUTER_STMT_DDL;
			if (executes)
				b->flags |= ROUTER_F_WRITE;
			router_walk_relation(b, ((ViewStmt *) stmt)->view, ROUTER_REL_CREATED);
			classify(b, ((ViewStmt *) stmt)->query, false, &inner);
			break;
		default:
			return false;
	}
	out->inner_kind = inner.kind;
	return true;
}

/* Statements about session state, notifications and cursors. */
static bool
classify_session(RouterBuild *b, Node *stmt, StmtClass *out)
{
	switch (nodeTag(stmt))
	{
		case T_TransactionStmt:
			classify_transaction(b, (TransactionStmt *) stmt, out);
			break;
		case T_VariableSetStmt:
			classify_set(b, (VariableSetStmt *) stmt, out);
			break;
		case T_VariableShowStmt:
			classify_show((VariableShowStmt *) stmt, out);
			break;
		case T_DiscardStmt:
			{
				static const char *const what[] = {"ALL", "PLANS", "SEQUENCES", "TEMP"};
				DiscardMode m = ((DiscardStmt *) stmt)->target;

				out->kind = ROUTER_STMT_DISCARD;
				out->name = what[m];
				if (m == DISCARD_ALL)
					b->flags |= ROUTER_F_ALL;
				break;
			}
		case T_DeallocateStmt:
			out->kind = ROUTER_STMT_DEALLOCATE;
			out->name = ((DeallocateStmt *) stmt)->name;
			if (out->name == NULL)
				b->flags |= ROUTER_F_ALL;
			break;
		case T_ListenStmt:
			out->kind = ROUTER_STMT_LISTEN;
			out->name = ((ListenStmt *) stmt)->conditionname;
			break;
		case T_UnlistenStmt:
			out->kind = ROUTER_STMT_UNLISTEN;
			out->name = ((UnlistenStmt *) stmt)->conditionname;
			if (out->name == NULL)
				b->flags |= ROUTER_F_ALL;
			break;
		case T_NotifyStmt:
			out->kind = ROUTER_STMT_NOTIFY;
			out->name = ((NotifyStmt *) stmt)->conditionname;
			break;
		case T_FetchStmt:
			out->kind = ROUTER_STMT_FETCH;
			out->name = ((FetchStmt *) stmt)->portalname;
			break;
		case T_ClosePortalStmt:
			out->kind = ROUTER_STMT_CLOSE_CURSOR;
			out->name = ((ClosePortalStmt *) stmt)->portalname;
			if (out->name == NULL)
				b->flags |= ROUTER_F_ALL;
			break;
		case T_LoadStmt:
			out->kind = ROUTER_STMT_LOAD;
			out->name = ((LoadStmt *) stmt)->filename;
			break;
		case T_CheckPointStmt:
			out->kind = ROUTER_STMT_CHECKPOINT;
			break;
		default:
			return false;
	}
	return true;
}

static void
walk_rangevar_list(RouterBuild *b, List *rels, uint8_t flags)
{
	ListCell   *lc;

	foreach(lc, rels)
		router_walk_relation(b, lfirst(lc), flags);
}

/*
 * Objects whose DDL may change what a function name resolves to or how
 * volatile it is (a schema or an extension holds functions).
 */
static bool
object_names_functions(ObjectType t)
{
	return t == OBJECT_FUNCTION || t == OBJECT_PROCEDURE || t == OBJECT_ROUTINE ||
		t == OBJECT_AGGREGATE || t == OBJECT_SCHEMA || t == OBJECT_EXTENSION;
}

/* A type, domain or function created in pg_temp is a temporary object too. */
static void
note_temp_name(RouterBuild *b, List *names)
{
	Node	   *schema;

	if (list_length(names) < 2)
		return;
	schema = (Node *) list_nth(names, list_length(names) - 2);
	if (IsA(schema, String) && strncmp(strVal(schema), "pg_temp", 7) == 0)
		b->flags |= ROUTER_F_TEMP_OBJECT;
}

/* Statements that change data or schema: all of them count as writes. */
static void
classify_write(RouterBuild *b, Node *stmt, bool executes, StmtClass *out)
{
	ListCell   *lc;

	if (executes)
		b->flags |= ROUTER_F_WRITE;
	out->kind = ROUTER_STMT_DDL;
	switch (nodeTag(stmt))
	{
		case T_TruncateStmt:
			out->kind = ROUTER_STMT_TRUNCATE;
			walk_rangevar_list(b, ((TruncateStmt *) stmt)->relations, ROUTER_REL_WRITTEN);
			break;
		case T_LockStmt:
			out->kind = ROUTER_STMT_LOCK;
			walk_rangevar_list(b, ((LockStmt *) stmt)->relations, 0);
			break;
		case T_VacuumStmt:
			out->kind = ((VacuumStmt *) stmt)->is_vacuumcmd ?
				ROUTER_STMT_VACUUM : ROUTER_STMT_ANALYZE;
			foreach(lc, ((VacuumStmt *) stmt)->rels)
			{
				VacuumRelation *vr = (VacuumRelation *) lfirst(lc);

				if (IsA(vr, VacuumRelation))
					router_walk_relation(b, vr->relation, 0);
			}
			break;
		case T_CallStmt:
			out->kind = ROUTER_STMT_CALL;
			router_walk_query(b, ((CallStmt *) stmt)->funccall, executes);
			break;
		case T_DoStmt:
			out->kind = ROUTER_STMT_DO;
			break;
		case T_CreateStmt:
			router_walk_relation(b, ((CreateStmt *) stmt)->relation, ROUTER_REL_CREATED);
			break;
		case T_CreateSeqStmt:
			router_walk_relation(b, ((CreateSeqStmt *) stmt)->sequence, ROUTER_REL_CREATED);
			break;
		case T_AlterTableStmt:
			router_walk_relation(b, ((AlterTableStmt *) stmt)->relation, ROUTER_REL_WRITTEN);
			break;
		case T_IndexStmt:
			router_walk_relation(b, ((IndexStmt *) stmt)->relation, 0);
			break;
		case T_RefreshMatViewStmt:
			router_walk_relation(b, ((RefreshMatViewStmt *) stmt)->relation, ROUTER_REL_WRITTEN);
			break;
		case T_CreateFunctionStmt:
			b->flags |= ROUTER_F_FUNC_DDL;
			note_temp_name(b, ((CreateFunctionStmt *) stmt)->funcname);
			break;
		case T_CompositeTypeStmt:
			router_walk_relation(b, ((CompositeTypeStmt *) stmt)->typevar, ROUTER_REL_CREATED);
			break;
		case T_CreateEnumStmt:
			note_temp_name(b, ((CreateEnumStmt *) stmt)->typeName);
			break;
		case T_CreateRangeStmt:
			note_temp_name(b, ((CreateRangeStmt *) stmt)->typeName);
			break;
		case T_CreateDomainStmt:
			note_temp_name(b, ((CreateDomainStmt *) stmt)->domainname);
			break;
		case T_AlterFunctionStmt:
		case T_DefineStmt:
			b->flags |= ROUTER_F_FUNC_DDL;
			note_temp_name(b, ((DefineStmt *) stmt)->defnames);
			break;
		case T_CreateExtensionStmt:
		case T_AlterExtensionStmt:
		case T_AlterExtensionContentsStmt:
		case T_DropOwnedStmt:
		case T_ReassignOwnedStmt:
			b->flags |= ROUTER_F_FUNC_DDL;
			break;
		case T_RenameStmt:
			if (object_names_functions(((RenameStmt *) stmt)->renameType))
				b->flags |= ROUTER_F_FUNC_DDL;
			break;
		case T_AlterObjectSchemaStmt:
			if (object_names_functions(((AlterObjectSchemaStmt *) stmt)->objectType))
				b->flags |= ROUTER_F_FUNC_DDL;
			break;
		case T_AlterOwnerStmt:
			if (object_names_functions(((AlterOwnerStmt *) stmt)->objectType))
				b->flags |= ROUTER_F_FUNC_DDL;
			break;
		case T_DropStmt:
			{
				DropStmt   *d = (DropStmt *) stmt;

				if (object_names_functions(d->removeType))
					b->flags |= ROUTER_F_FUNC_DDL;
				if (d->removeType == OBJECT_TABLE || d->removeType == OBJECT_VIEW ||
					d->removeType == OBJECT_SEQUENCE || d->removeType == OBJECT_MATVIEW ||
					d->removeType == OBJECT_FOREIGN_TABLE)
					router_walk_drop_names(b, d->objects);
				break;
			}
		default:
			break;				/* other DDL and utility commands */
	}
}

/*
 * Classify one statement into out and add its facts to b.  executes is
 * false for a statement that is only planned (EXPLAIN without ANALYZE) or
 * stored (a view's query): it then adds relations but no write facts.
 */
static void
classify(RouterBuild *b, Node *stmt, bool executes, StmtClass *out)
{
	out->kind = ROUTER_STMT_EMPTY;
	if (stmt == NULL)
		return;
	switch (nodeTag(stmt))
	{
		case T_SelectStmt:
			out->kind = ROUTER_STMT_SELECT;
			router_walk_query(b, stmt, executes);
			break;
		case T_InsertStmt:
		case T_UpdateStmt:
		case T_DeleteStmt:
		case T_MergeStmt:
			out->kind = IsA(stmt, InsertStmt) ? ROUTER_STMT_INSERT :
				IsA(stmt, UpdateStmt) ? ROUTER_STMT_UPDATE :
				IsA(stmt, DeleteStmt) ? ROUTER_STMT_DELETE : ROUTER_STMT_MERGE;
			if (executes)
				b->flags |= ROUTER_F_WRITE;
			router_walk_query(b, stmt, executes);
			break;
		case T_ExecuteStmt:
			out->kind = ROUTER_STMT_EXECUTE;
			out->name = ((ExecuteStmt *) stmt)->name;
			router_walk_query(b, ((ExecuteStmt *) stmt)->params, executes);
			break;
		case T_CopyStmt:
			classify_copy(b, (CopyStmt *) stmt, out);
			break;
		default:
			if (!classify_wrapper(b, stmt, executes, out) &&
				!classify_session(b, stmt, out))
				classify_write(b, stmt, executes, out);
			break;
	}
	if (out->inner_kind == 0 || out->inner_kind == ROUTER_STMT_EMPTY)
		out->inner_kind = out->kind;
}

static void
apply_first(RouterBuild *b, const StmtClass *c)
{
	b->kind = c->kind;
	b->inner_kind = c->inner_kind;
	b->isolation = c->isolation;
	b->pool_show = c->pool_show;
	b->name = router_build_str(b, c->name);
}

void
router_parse_text(RouterBuild *b, const char *text)
{
	MemoryContext mcxt = pg_query_enter_memory_context();
	PgQueryInternalParsetreeAndError r = pg_query_raw_parse(text);
	ListCell   *lc;

	if (r.error != NULL)
	{
		/* Unknown to the grammar: send it to the primary and count it as a write. */
		b->kind = b->inner_kind = ROUTER_STMT_UNPARSABLE;
		b->flags |= ROUTER_F_WRITE;
		b->nstmts = 1;
		b->error = router_build_str(b, r.error->message);
		b->error_pos = r.error->cursorpos;
		pg_query_free_error(r.error);
	}
	else
	{
		foreach(lc, r.tree)
		{
			RawStmt    *rs = (RawStmt *) lfirst(lc);
			StmtClass	c = {0};

			classify(b, rs->stmt, true, &c);
			if (b->nstmts++ == 0)
				apply_first(b, &c);
		}
		if (b->nstmts > 1)
			b->flags |= ROUTER_F_MULTI;
	}
	free(r.stderr_buffer);
	pg_query_exit_memory_context(mcxt);
}
