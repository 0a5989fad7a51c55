/* test_status.c — status names, one distinct exit code per failure, and the last
 * failure's message recorded by tacit_fail() and cleared. */
#include "internal.h"

#include "../check.h"

TEST(status_names_and_exit_codes)
{
	CHECK_STR(tacit_status_str(TACIT_OK), "ok");
	CHECK_STR(tacit_status_str(TACIT_ERR_NO_FIT), "does not fit");
	CHECK_STR(tacit_status_str((enum tacit_status)9999), "unknown status");
	CHECK_EQ_INT(tacit_status_exit_code(TACIT_OK), 0);
	CHECK_EQ_INT(tacit_status_exit_code(TACIT_ERR_USAGE), 2);
	/* every failure has its own exit code */
	for (int a = TACIT_ERR_NOMEM; a <= TACIT_ERR_INTERNAL; a++) {
		CHECK(strcmp(tacit_status_str((enum tacit_status)a), "unknown status") != 0);
		for (int b = a + 1; b <= TACIT_ERR_INTERNAL; b++)
			CHECK(tacit_status_exit_code((enum tacit_status)a) != tacit_status_exit_code((enum tacit_status)b));
		CHECK(tacit_status_exit_code((enum tacit_status)a) < 126);
	}
}

TEST(fail_records_message)
{
	enum tacit_status st = tacit_fail(TACIT_ERR_IO, "cannot open '%s': %s", "x.gguf", "No such file");
	CHECK_EQ_INT(st, TACIT_ERR_IO);
	CHECK_STR(tacit_errmsg(), "cannot open 'x.gguf': No such file");
	tacit_clear_error();
	CHECK_STR(tacit_errmsg(), "");
}
