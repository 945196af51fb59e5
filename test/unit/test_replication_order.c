/*
 * test_replication_order.c: the pure parts of native replication in the
 * session: bytes held for the main node's answer (session/defer_out.c),
 * comparing the nodes' answers (session/reply_compare.c), and the row
 * counts of CommandComplete tags (relay_tag_affected).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "session/defer_out.h"
#include "session/relay_queue.h"
#include "session/reply_compare.h"

static void
assert_buf(const PqBuf *b, const char *want)
{
	assert_int_equal(b->len, strlen(want));
	assert_memory_equal(b->data, want, b->len);
}

static void
test_held_runs_leave_in_order(void **state)
{
	DeferOut	d;
	PqBuf		out;

	(void) state;
	defer_out_init(&d);
	pqbuf_init(&out);
	defer_out_hold(&d, 1, false, "a1", 2);
	defer_out_hold(&d, 1, false, "a2", 2);	/* same request: one run */
	defer_out_follow(&d, "f", 1);			/* a later request queues behind */
	defer_out_hold(&d, 3, true, "c", 1);	/* waits for request 3 to complete */
	assert_int_equal(d.nmarks, 3);

	/* nothing is released before the lead answered request 1 */
	assert_int_equal(defer_out_release(&d, 0, 0, &out), 0);
	/* the lead answered 1: its run and what followed it go; the barrier run stays */
	assert_int_equal(defer_out_release(&d, 1, 0, &out), 5);
	assert_buf(&out, "a1a2f");
	assert_true(defer_out_pending(&d));
	/* an answer is not completion: after_all runs wait for it */
	assert_int_equal(defer_out_release(&d, 9, 2, &out), 0);
	assert_int_equal(defer_out_release(&d, 9, 3, &out), 1);
	assert_buf(&out, "a1a2fc");
	assert_false(defer_out_pending(&d));
	pqbuf_free(&out);
	defer_out_free(&d);
}

static void
test_a_failed_request_is_replaced_not_what_follows(void **state)
{
	DeferOut	d;
	PqBuf		out;

	(void) state;
	defer_out_init(&d);
	pqbuf_init(&out);
	defer_out_hold(&d, 1, false, "one", 3);
	defer_out_hold(&d, 2, false, "two", 3);
	defer_out_follow(&d, "+", 1);
	defer_out_replace(&d, 2, "FAIL", 4);
	defer_out_replace(&d, 7, "nothing", 7);	/* no such run */
	assert_int_equal(defer_out_release(&d, 2, 0, &out), 8);
	assert_buf(&out, "oneFAIL+");
	pqbuf_free(&out);
	defer_out_free(&d);
}

static void
test_replace_after_a_partial_release(void **state)
{
	DeferOut	d;
	PqBuf		out;

	(void) state;
	defer_out_init(&d);
	pqbuf_init(&out);
	defer_out_hold(&d, 1, false, "xx", 2);
	defer_out_hold(&d, 2, false, "yy", 2);
	assert_int_equal(defer_out_release(&d, 1, 0, &out), 2);
	defer_out_replace(&d, 2, "Z", 1);
	assert_int_equal(defer_out_release(&d, 2, 0, &out), 1);
	assert_buf(&out, "xxZ");
	pqbuf_free(&out);
	defer_out_free(&d);
}

static void
test_affected_rows_of_tags(void **state)
{
	int64_t		rows = -1;

	(void) state;
	assert_true(relay_tag_affected("INSERT 0 5", 11, &rows));
	assert_int_equal(rows, 5);
	assert_true(relay_tag_affected("UPDATE 3", 9, &rows));
	assert_int_equal(rows, 3);
	assert_true(relay_tag_affected("DELETE 0", 9, &rows));
	assert_int_equal(rows, 0);
	assert_true(relay_tag_affected("MERGE 12", 9, &rows));
	assert_int_equal(rows, 12);
	assert_false(relay_tag_affected("SELECT 4", 9, &rows));
	assert_false(relay_tag_affected("COMMIT", 7, &rows));
	assert_false(relay_tag_affected("INSERT", 7, &rows));
}

/* An entry for nodes 0..n-1 led by node 0 where every node answered. */
static RelayEntry *
answered(RelayQueue *q, int n)
{
	NodeMask	m;
	RelayEntry *e;

	node_mask_clear(&m);
	for (int i = 0; i < n; i++)
		node_mask_add(&m, i);
	relay_queue_init(q);
	e = relay_queue_push(q, &m, 0);
	return e;
}

static void
note(RelayEntry *e, int n, char type, const char *tag)
{
	relay_entry_note_message(e, n, type, tag, tag ? strlen(tag) + 1 : 0);
}

static void
test_kind_mismatch_names_the_minority(void **state)
{
	RelayQueue	q;
	RelayEntry *e = answered(&q, 3);
	NodeMask	minority;
	char		details[64];

	(void) state;
	note(e, 0, 'C', "UPDATE 1");
	note(e, 1, 'C', "UPDATE 1");
	note(e, 2, 'E', NULL);
	assert_int_equal(reply_compare(e, 0, &minority), REPLY_KIND_MISMATCH);
	assert_int_equal(node_mask_count(&minority), 1);
	assert_true(node_mask_has(&minority, 2));
	reply_kind_details(e, details, sizeof(details));
	assert_string_equal(details, "0[C] 1[C] 2[E]");
}

static void
test_a_tie_goes_the_main_nodes_way(void **state)
{
	RelayQueue	q;
	RelayEntry *e = answered(&q, 2);
	NodeMask	minority;

	(void) state;
	note(e, 0, 'E', NULL);
	note(e, 1, 'C', "INSERT 0 1");
	assert_int_equal(reply_compare(e, 0, &minority), REPLY_KIND_MISMATCH);
	assert_true(node_mask_has(&minority, 1));
	assert_false(node_mask_has(&minority, 0));
}

static void
test_errors_everywhere_agree(void **state)
{
	RelayQueue	q;
	RelayEntry *e = answered(&q, 3);
	NodeMask	minority;

	(void) state;
	for (int n = 0; n < 3; n++)
		note(e, n, 'E', NULL);
	assert_int_equal(reply_compare(e, 0, &minority), REPLY_SAME);
}

static void
test_affected_rows_mismatch_and_sums(void **state)
{
	RelayQueue	q;
	RelayEntry *e = answered(&q, 3);
	NodeMask	minority;
	char		details[128];

	(void) state;
	/* a multi-statement text: rows add up per node */
	for (int n = 0; n < 3; n++)
		note(e, n, 'C', "INSERT 0 2");
	note(e, 0, 'C', "UPDATE 1");
	note(e, 1, 'C', "UPDATE 0");
	note(e, 2, 'C', "UPDATE 1");
	assert_int_equal(reply_compare(e, 0, &minority), REPLY_TUPLES_MISMATCH);
	assert_int_equal(node_mask_count(&minority), 1);
	assert_true(node_mask_has(&minority, 1));
	reply_tuple_details(e, details, sizeof(details));
	assert_string_equal(details, "node 0: 3, node 1: 2, node 2: 3");
}

static void
test_same_rows_agree(void **state)
{
	RelayQueue	q;
	RelayEntry *e = answered(&q, 2);
	NodeMask	minority;

	(void) state;
	note(e, 0, 'T', NULL);
	note(e, 0, 'C', "SELECT 5");
	note(e, 1, 'T', NULL);
	note(e, 1, 'C', "SELECT 4");	/* reads are not counted: replicate_select may differ */
	assert_int_equal(reply_compare(e, 0, &minority), REPLY_SAME);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_held_runs_leave_in_order),
		cmocka_unit_test(test_a_failed_request_is_replaced_not_what_follows),
		cmocka_unit_test(test_replace_after_a_partial_release),
		cmocka_unit_test(test_affected_rows_of_tags),
		cmocka_unit_test(test_kind_mismatch_names_the_minority),
		cmocka_unit_test(test_a_tie_goes_the_main_nodes_way),
		cmocka_unit_test(test_errors_everywhere_agree),
		cmocka_unit_test(test_affected_rows_mismatch_and_sums),
		cmocka_unit_test(test_same_rows_agree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
