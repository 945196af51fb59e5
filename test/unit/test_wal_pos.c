/*
 * test_wal_pos.c: read_your_writes' pure rules (src/replication/wal_pos_rule.c):
 * LSN text, the page-boundary rule, the read decision, the global slots;
 * and the shared samples (src/replication/wal_pos.c) over a real segment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "replication/wal_pos.h"
#include "utils/shmem.h"

static void
test_lsn_parse(void **state)
{
	uint64_t	lsn = 0;

	(void) state;
	assert_true(wal_pos_lsn_parse("0/0", &lsn));
	assert_int_equal(lsn, 0);
	assert_true(wal_pos_lsn_parse("16/B374D848", &lsn));
	assert_true(lsn == ((uint64_t) 0x16 << 32 | 0xB374D848u));
	assert_true(wal_pos_lsn_parse("FFFFFFFF/FFFFFFFF", &lsn));
	assert_true(lsn == UINT64_MAX);
	assert_true(wal_pos_lsn_parse("0/3000060", &lsn));
	assert_true(lsn == 0x3000060);
	assert_false(wal_pos_lsn_parse("", &lsn));
	assert_false(wal_pos_lsn_parse("/1", &lsn));
	assert_false(wal_pos_lsn_parse("1/", &lsn));
	assert_false(wal_pos_lsn_parse("1/2x", &lsn));
	assert_false(wal_pos_lsn_parse("123", &lsn));
	assert_false(wal_pos_lsn_parse("100000000/0", &lsn));
	assert_false(wal_pos_lsn_parse(NULL, &lsn));
}

static void
test_page_boundary(void **state)
{
	uint64_t	page = (uint64_t) 5 * 8192;

	(void) state;
	/* just past a short (24) or long (40) page header: the page's start */
	assert_true(wal_pos_required_lsn(page + 24) == page);
	assert_true(wal_pos_required_lsn(page + 40) == page);
	assert_true(wal_pos_required_lsn(page) == page);
	/* anywhere else: as it is */
	assert_true(wal_pos_required_lsn(page + 41) == page + 41);
	assert_true(wal_pos_required_lsn(page + 8000) == page + 8000);
	assert_true(wal_pos_required_lsn(page - 8) == page - 8);
	/* a standby stopped at the boundary has everything before "page + 24" */
	assert_true(wal_pos_reached(page, page + 24));
	assert_true(wal_pos_reached(page, page + 40));
	assert_false(wal_pos_reached(page - 8, page + 24));
	assert_false(wal_pos_reached(page + 40, page + 48));
	assert_true(wal_pos_reached(page + 48, page + 48));
	assert_true(wal_pos_reached(page + 100, page + 48));
	assert_true(wal_pos_reached(0, 24));	/* the very first page */
}

static WalPosReadIn
base_in(void)
{
	WalPosReadIn in = {0};

	in.required_us = 1000;
	in.sample_us = 1500;
	in.sample_lsn = 0x3000060;
	in.replay_known = true;
	in.replay_lsn = 0x3000060;
	return in;
}

static void
test_decide(void **state)
{
	WalPosReadIn in = base_in();

	(void) state;
	assert_int_equal(wal_pos_decide(&in), WAL_POS_STANDBY);
	in.replay_lsn = 0x3000058;
	assert_int_equal(wal_pos_decide(&in), WAL_POS_BEHIND);
	in.replay_lsn = 0x4000000;
	assert_int_equal(wal_pos_decide(&in), WAL_POS_STANDBY);
	in.replay_known = false;
	assert_int_equal(wal_pos_decide(&in), WAL_POS_BEHIND);

	/* a write not committed yet beats everything */
	in = base_in();
	in.write_pending = true;
	assert_int_equal(wal_pos_decide(&in), WAL_POS_PENDING);
	in.required_us = 0;
	assert_int_equal(wal_pos_decide(&in), WAL_POS_PENDING);

	/* nothing to see: any standby, even one never sampled */
	in = base_in();
	in.required_us = 0;
	in.replay_known = false;
	in.sample_us = 0;
	assert_int_equal(wal_pos_decide(&in), WAL_POS_STANDBY);

	/* the sample must be sent at or after the commit */
	in = base_in();
	in.sample_us = 999;
	assert_int_equal(wal_pos_decide(&in), WAL_POS_NO_SAMPLE);
	in.sample_us = 1000;
	assert_int_equal(wal_pos_decide(&in), WAL_POS_STANDBY);
	in.sample_us = 0;
	assert_int_equal(wal_pos_decide(&in), WAL_POS_NO_SAMPLE);

	/* the page rule applies to the sample */
	in = base_in();
	in.sample_lsn = (uint64_t) 7 * 8192 + 24;
	in.replay_lsn = (uint64_t) 7 * 8192;
	assert_int_equal(wal_pos_decide(&in), WAL_POS_STANDBY);
}

static void
test_slots(void **state)
{
	(void) state;
	assert_true(wal_pos_slot_of("db", "t1") < WAL_POS_SLOTS);
	assert_int_equal(wal_pos_slot_of("db", "t1"), wal_pos_slot_of("db", "t1"));
	/* the separator: ("ab","c") and ("a","bc") are different keys */
	assert_int_not_equal(wal_pos_slot_of("ab", "c"), wal_pos_slot_of("a", "bc"));
	assert_int_not_equal(wal_pos_slot_of("db", "t1"), wal_pos_slot_of("db", "t2"));
	assert_int_not_equal(wal_pos_slot_of("db1", "t1"), wal_pos_slot_of("db2", "t1"));
	assert_true(wal_pos_slot_of_database("db") < WAL_POS_SLOTS);
	assert_int_equal(wal_pos_slot_of(NULL, "t"), wal_pos_slot_of("", "t"));
}

/* The shared part: samples, epochs, replay positions, slots, demand. */
static void
test_shared(void **state)
{
	WalPosSample s;
	uint64_t	lsn = 0;

	(void) state;
	s = wal_pos_sample();
	assert_true(s.sent_us == 0);	/* no segment yet: nothing */
	assert_false(wal_pos_replay(1, 1, &lsn));
	if (!shmem_create(wal_pos_shmem_size() + 4096))
		skip();
	wal_pos_shmem_init();
	s = wal_pos_sample();
	assert_true(s.sent_us == 0);
	wal_pos_publish_primary(0x5000, 100);
	wal_pos_publish_replay(1, 0x4000, 101);
	s = wal_pos_sample();
	assert_true(s.sent_us == 100 && s.lsn == 0x5000);
	assert_true(wal_pos_replay(1, s.epoch, &lsn));
	assert_true(lsn == 0x4000);
	assert_false(wal_pos_replay(2, s.epoch, &lsn));	/* never sampled */
	/* a new primary: the old samples are gone, replay positions of the old epoch too */
	wal_pos_new_epoch();
	s = wal_pos_sample();
	assert_true(s.sent_us == 0);
	assert_false(wal_pos_replay(1, s.epoch, &lsn));
	wal_pos_publish_replay(1, 0x6000, 200);
	assert_true(wal_pos_replay(1, s.epoch, &lsn));
	assert_true(lsn == 0x6000);
	/* slots keep the latest time */
	wal_pos_slot_stamp(7, 500);
	wal_pos_slot_stamp(7, 400);
	assert_true(wal_pos_slot_time(7) == 500);
	assert_true(wal_pos_slot_time(8) == 0);
	wal_pos_demand(300);
	wal_pos_demand(250);
	assert_true(wal_pos_demand_time() == 300);
	assert_true(wal_pos_now_us() > 0);
	shmem_destroy();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lsn_parse),
		cmocka_unit_test(test_page_boundary),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_shared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
