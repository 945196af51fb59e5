/*
 * config_test_util.h: shared by the config module's unit tests
 * (test_config.c, test_config_table.c): captured log lines, config files in
 * a temporary directory, and the tests test_config_table.c defines.
 */
#ifndef PGPOOL_TEST_CONFIG_TEST_UTIL_H
#define PGPOOL_TEST_CONFIG_TEST_UTIL_H

#include <stdbool.h>

#include "config/config.h"

#define MAX_CAPTURED 32

typedef struct Captured
{
	int			level;
	char		message[512];
	char		detail[512];
	char		hint[512];
} Captured;

extern Captured captured[MAX_CAPTURED];
extern int	ncaptured;
extern char tmpdir[64];

/* log_set_hook() target: records each message, its DETAIL and HINT. */
void		capture_hook(int level, const char *message, const char *detail, const char *hint);

/* The captured line of this level whose message equals text, or NULL. */
const Captured *find_captured(int level, const char *text);
int			count_captured(int level);

/*
 * Run the tests with tmpdir made (/tmp/NAME.XXXXXX) and removed afterwards;
 * returns cmocka's result.
 */
int			run_with_tmpdir(const char *name, const struct CMUnitTest *tests, size_t count);

/* Write text into a new file of the temp dir; returns its path (static buffer). */
const char *write_conf(const char *text);

/* Defaults, then the file holding text; returns config_load's result. */
bool		load_text(PoolConfig *cfg, const char *text);

/* Current value of a parameter ("port", "backend_port1") as text (static buffer). */
const char *value_of(const PoolConfig *cfg, const char *name);

/* cmocka setup/teardown: quiet log, capture on, nothing captured yet. */
int			setup(void **state);
int			teardown(void **state);

/* Path of a file of the source tree (static buffer); read a whole file (malloc'd). */
const char *source_path(const char *rel);
char	   *read_file(const char *path);

/* Tests of test_config_table.c */
void		test_numbered_parameters(void **state);
void		test_known_vocabularies(void **state);
void		test_reload(void **state);
void		test_introspection(void **state);
void		test_log_settings(void **state);
void		test_password_masking(void **state);
void		test_set_option_and_copy(void **state);
void		test_sample_up_to_date(void **state);
void		test_docs_up_to_date(void **state);

#endif
