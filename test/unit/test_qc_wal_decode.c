/*
 * test_qc_wal_decode.c: unit tests for the WAL invalidation worker's
 * pgoutput decoder (qc_wal_decode.c) and names (qc_wal_names.c): the
 * tables of a transaction reported once at its Commit, Truncate,
 * keepalives, malformed messages, the standby status update's bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/cache/qc_wal_int.h"

/* A CopyData payload under construction. */
typedef struct Msg
{
	char		b[256];
	size_t		len;
} Msg;

static void
put(Msg *m, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		m->b[m->len++] = (char) ((v >> (8 * i)) & 0xff);
}

/* An XLogData header ('w', start, WAL end, send time) then the pgoutput type. */
static Msg
xlog(char type)
{
	Msg			m = {{0}, 0};

	put(&m, 'w', 1);
	put(&m, 0x1000, 8);
	put(&m, 0x2000, 8);
	put(&m, 0, 8);
	put(&m, (uint8_t) type, 1);
	return m;
}

static void
feed(QcWalDecoder *d, Msg m, QcWalEvent *ev)
{
	qc_wal_decode(d, m.b, m.len, ev);
}

static void
begin(QcWalDecoder *d)
{
	Msg			m = xlog('B');
	QcWalEvent	ev;

	put(&m, 0x10, 8);
	put(&m, 0, 8);
	put(&m, 77, 4);
	feed(d, m, &ev);
	assert_int_equal(ev.kind, QCW_EV_NONE);
	assert_true(d->in_transaction);
}

static void
change(QcWalDecoder *d, char type, uint32_t relid)
{
	Msg			m = xlog(type);
	QcWalEvent	ev;

	put(&m, relid, 4);
	put(&m, 'N', 1);			/* the tuple follows; the decoder never reads it */
	feed(d, m, &ev);
	assert_int_equal(ev.kind, QCW_EV_NONE);
}

static void
commit(QcWalDecoder *d, QcWalEvent *ev)
{
	Msg			m = xlog('C');

	put(&m, 0, 1);
	put(&m, 0x100000123ULL, 8);
	put(&m, 0x100000150ULL, 8);
	put(&m, 12345, 8);
	feed(d, m, ev);
}

static void
test_transaction_tables_once(void **state)
{
	QcWalDecoder d;
	QcWalEvent	ev;
	Msg			rel = xlog('R');

	(void) state;
	qc_wal_decoder_init(&d);
	begin(&d);
	put(&rel, 100, 4);
	feed(&d, rel, &ev);
	assert_int_equal(ev.kind, QCW_EV_NONE);
	change(&d, 'I', 100);
	change(&d, 'U', 100);
	change(&d, 'D', 200);
	change(&d, 'I', 100);
	commit(&d, &ev);
	assert_int_equal(ev.kind, QCW_EV_COMMIT);
	assert_int_equal(ev.nrelids, 2);
	assert_int_equal(ev.relids[0], 100);
	assert_int_equal(ev.relids[1], 200);
	assert_true(ev.commit_lsn == 0x100000123ULL);
	assert_true(ev.end_lsn == 0x100000150ULL);
	assert_false(d.in_transaction);

	/* the next transaction starts empty */
	begin(&d);
	commit(&d, &ev);
	assert_int_equal(ev.kind, QCW_EV_COMMIT);
	assert_int_equal(ev.nrelids, 0);
	qc_wal_decoder_free(&d);
}

static void
test_truncate(void **state)
{
	QcWalDecoder d;
	QcWalEvent	ev;
	Msg			m = xlog('T');

	(void) state;
	qc_wal_decoder_init(&d);
	begin(&d);
	put(&m, 3, 4);
	put(&m, 0, 1);
	put(&m, 10, 4);
	put(&m, 11, 4);
	put(&m, 10, 4);
	feed(&d, m, &ev);
	assert_int_equal(ev.kind, QCW_EV_NONE);
	commit(&d, &ev);
	assert_int_equal(ev.nrelids, 2);
	assert_int_equal(ev.relids[0], 10);
	assert_int_equal(ev.relids[1], 11);
	qc_wal_decoder_free(&d);
}

static void
test_many_tables(void **state)
{
	QcWalDecoder d;
	QcWalEvent	ev;

	(void) state;
	qc_wal_decoder_init(&d);
	begin(&d);
	for (uint32_t i = 0; i < 100; i++)
		change(&d, 'I', 1000 + i % 40);
	commit(&d, &ev);
	assert_int_equal(ev.nrelids, 40);
	qc_wal_decoder_free(&d);
}

static void
test_keepalive(void **state)
{
	QcWalDecoder d;
	QcWalEvent	ev;
	Msg			m = {{0}, 0};

	(void) state;
	qc_wal_decoder_init(&d);
	put(&m, 'k', 1);
	put(&m, 0xABCDEF01234ULL, 8);
	put(&m, 0, 8);
	put(&m, 1, 1);
	feed(&d, m, &ev);
	assert_int_equal(ev.kind, QCW_EV_KEEPALIVE);
	assert_true(ev.wal_end == 0xABCDEF01234ULL);
	assert_true(ev.reply_requested);
	m.b[m.len - 1] = 0;
	feed(&d, m, &ev);
	assert_false(ev.reply_requested);
	qc_wal_decoder_free(&d);
}

static void
test_malformed(void **state)
{
	QcWalDecoder d;
	QcWalEvent	ev;
	Msg			m = xlog('I');

	(void) state;
	qc_wal_decoder_init(&d);
	put(&m, 1, 2);				/* half a relid */
	feed(&d, m, &ev);
	assert_int_equal(ev.kind, QCW_EV_ERROR);
	m = xlog('C');
	put(&m, 0, 5);
	feed(&d, m, &ev);
	assert_int_equal(ev.kind, QCW_EV_ERROR);
	m = xlog('?');
	feed(&d, m, &ev);
	assert_int_equal(ev.kind, QCW_EV_ERROR);
	qc_wal_decode(&d, "w", 1, &ev);
	assert_int_equal(ev.kind, QCW_EV_ERROR);
	qc_wal_decode(&d, "x", 1, &ev);
	assert_int_equal(ev.kind, QCW_EV_ERROR);
	qc_wal_decode(&d, "k\0\0", 3, &ev);
	assert_int_equal(ev.kind, QCW_EV_ERROR);
	qc_wal_decoder_free(&d);
}

static void
test_feedback_bytes(void **state)
{
	char		out[QCW_FEEDBACK_LEN];
	static const unsigned char want_lsn[8] = {0, 0, 0, 1, 0, 0, 0, 0x50};

	(void) state;
	qc_wal_encode_feedback(out, 0x100000050ULL, 0x0102030405060708LL, false);
	assert_int_equal(out[0], 'r');
	assert_memory_equal(out + 1, want_lsn, 8);
	assert_memory_equal(out + 9, want_lsn, 8);
	assert_memory_equal(out + 17, want_lsn, 8);
	assert_int_equal(out[25], 1);
	assert_int_equal(out[32], 8);
	assert_int_equal(out[33], 0);
}

static void
test_names(void **state)
{
	PoolConfig	cfg;
	char		name[64];
	uint64_t	lsn;

	(void) state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.memqcache_wal_slot_name = "My-Cache.Slot";
	qc_wal_publication_name(&cfg, name, sizeof(name));
	assert_string_equal(name, "my_cache_slot");
	qc_wal_slot_name(&cfg, 4294967295u, name, sizeof(name));
	assert_string_equal(name, "my_cache_slot_4294967295");
	cfg.memqcache_wal_slot_name = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	qc_wal_slot_name(&cfg, 4294967295u, name, sizeof(name));
	assert_true(strlen(name) <= 63);
	assert_true(qc_wal_lsn_parse("1/5A", &lsn));
	assert_true(lsn == 0x10000005AULL);
	assert_false(qc_wal_lsn_parse("15A", &lsn));
	assert_false(qc_wal_lsn_parse("1/5A ", &lsn));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transaction_tables_once),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_many_tables),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_feedback_bytes),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
