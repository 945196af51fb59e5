/*
 * test_relay_queue.c: reply ordering across nodes (session/relay_queue.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "session/relay_queue.h"

static NodeMask
mask2(int a, int b)
{
	NodeMask	m = node_mask_single(a);

	if (b >= 0)
		node_mask_add(&m, b);
	return m;
}

static void
test_single_node_entries_complete_in_order(void **state)
{
	RelayQueue	q;
	NodeMask	n0 = node_mask_single(0), n1 = node_mask_single(1);
	RelayEntry *a, *b;

	(void) state;
	relay_queue_init(&q);
	a = relay_queue_push(&q, &n1, 1);
	b = relay_queue_push(&q, &n0, 0);
	assert_ptr_equal(relay_queue_head(&q), a);
	assert_ptr_equal(relay_queue_current(&q, 0), b);
	assert_ptr_equal(relay_queue_current(&q, 1), a);
	assert_false(a->hold);

	/* node 0 answers first: its entry is done but cannot pop before a */
	relay_queue_node_done(&q, b, 0);
	assert_int_equal(q.count, 2);
	assert_null(relay_queue_current(&q, 0));
	relay_queue_node_done(&q, a, 1);
	assert_true(relay_queue_empty(&q));
}

static void
test_multi_node_entry_holds_and_tracks_others(void **state)
{
	RelayQueue	q;
	NodeMask	both = mask2(0, 1);
	RelayEntry *e;

	(void) state;
	relay_queue_init(&q);
	e = relay_queue_push(&q, &both, 0);
	assert_true(e->hold);
	assert_false(relay_entry_others_done(e));
	relay_queue_node_done(&q, e, 1);
	assert_true(relay_entry_others_done(e));
	assert_int_equal(q.count, 1);
	relay_queue_node_done(&q, e, 0);
	assert_true(relay_queue_empty(&q));
}

static void
test_open_batch_does_not_complete(void **state)
{
	RelayQueue	q;
	NodeMask	n0 = node_mask_single(0);
	RelayEntry *e;

	(void) state;
	relay_queue_init(&q);
	e = relay_queue_push(&q, &n0, 0);
	e->open = true;
	node_mask_add(&e->done, 0);
	relay_queue_pop_completed(&q);
	assert_int_equal(q.count, 1);
	e->open = false;
	relay_queue_pop_completed(&q);
	assert_true(relay_queue_empty(&q));
}

static void
test_queue_full_and_wraps(void **state)
{
	RelayQueue	q;
	NodeMask	n2 = node_mask_single(2);

	(void) state;
	relay_queue_init(&q);
	for (int round = 0; round < 3; round++)
	{
		for (int i = 0; i < RELAY_QUEUE_SIZE; i++)
			assert_non_null(relay_queue_push(&q, &n2, 2));
		assert_true(relay_queue_full(&q));
		assert_null(relay_queue_push(&q, &n2, 2));
		for (int i = 0; i < RELAY_QUEUE_SIZE; i++)
			relay_queue_node_done(&q, relay_queue_current(&q, 2), 2);
		assert_true(relay_queue_empty(&q));
	}
}

static void
test_node_mask_high_ids(void **state)
{
	NodeMask	m;

	(void) state;
	node_mask_clear(&m);
	node_mask_add(&m, 127);
	node_mask_add(&m, 64);
	assert_true(node_mask_has(&m, 127));
	assert_true(node_mask_has(&m, 64));
	assert_false(node_mask_has(&m, 63));
	assert_int_equal(node_mask_count(&m), 2);
	node_mask_remove(&m, 127);
	assert_int_equal(node_mask_count(&m), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_node_entries_complete_in_order),
		cmocka_unit_test(test_multi_node_entry_holds_and_tracks_others),
		cmocka_unit_test(test_open_batch_does_not_complete),
		cmocka_unit_test(test_queue_full_and_wraps),
		cmocka_unit_test(test_node_mask_high_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
