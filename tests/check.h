/*
 * check.h — the tiny test harness: TEST(name) defines and registers a test case,
 * TEST_MODEL(name) one that loads a model (left out by `unit-tests --fast`), CHECK(cond)
 * records a failure with file:line and goes on, SKIP(why) ends a case as skipped (say
 * why: a missing model, no ../shared). tests/unit/main.c runs them all.
 */
#ifndef TACIT_CHECK_H
#define TACIT_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	const char *file;
	void (*fn)(void);
	bool model; /* loads a model: slow, so `make test-fast` leaves it out */
	struct test_case *next;
};

void test_register(struct test_case *tc);
void test_failed(const char *file, int line, const char *what);
void test_skip(const char *why);
/* A fresh empty directory for this test case, removed after the run. */
const char *test_tmpdir(void);
/* ../shared next to the project, or NULL when absent (a user's machine). */
const char *test_shared_dir(void);
/* $BUILD/models/<file> (BUILD defaults to build), made once by tools/synth-model with
 * args and moved into place whole, so tests running at once never read half a file; its
 * absolute path into out (PATH_MAX bytes), or false when it cannot be made. */
bool test_synth_model(const char *file, const char *args, char *out);
/* Writes len bytes to dir/name (creating parent dirs); returns the full path (static). */
const char *test_write_file(const char *dir, const char *name, const void *data, size_t len);
/* A WAV header and n_bytes of silence into b (44 + n_bytes): format tag, channels,
 * rate, 16-bit samples; returns the length. */
size_t test_wav_bytes(uint8_t *b, uint16_t tag, uint16_t channels, uint32_t rate, uint32_t n_bytes);

#define TEST_CASE_(name, loads_model)                                                        \
	static void test_##name(void);                                                       \
	static struct test_case test_case_##name = { #name, __FILE__, test_##name, loads_model, NULL }; \
	__attribute__((constructor)) static void test_register_##name(void)                 \
	{                                                                                    \
		test_register(&test_case_##name);                                            \
	}                                                                                    \
	static void test_##name(void)

#define TEST(name) TEST_CASE_(name, false)

/* A case that loads a model: stories260K, a whisper or VAD model, a generated one (in
 * the worker or in this process). `unit-tests --fast` leaves these out and runs the
 * others with TACIT_WORKER pointing nowhere, so an untagged case that starts a model
 * worker fails there and gets tagged. */
#define TEST_MODEL(name) TEST_CASE_(name, true)

#define CHECK(cond)                                                                          \
	do {                                                                                 \
		if (!(cond))                                                                 \
			test_failed(__FILE__, __LINE__, #cond);                              \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                                   \
	do {                                                                                 \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);              \
		if (check_a_ != check_b_) {                                                  \
			char check_msg_[256];                                                \
			snprintf(check_msg_, sizeof(check_msg_), "%s == %s (%lld != %lld)", #a, #b, \
				 check_a_, check_b_);                                        \
			test_failed(__FILE__, __LINE__, check_msg_);                         \
		}                                                                            \
	} while (0)

#define CHECK_STR(a, b)                                                                      \
	do {                                                                                 \
		const char *check_a_ = (a), *check_b_ = (b);                                 \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {             \
			char check_msg_[512];                                                \
			snprintf(check_msg_, sizeof(check_msg_), "%s == %s (\"%s\" != \"%s\")", #a, \
				 #b, check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); \
			test_failed(__FILE__, __LINE__, check_msg_);                         \
		}                                                                            \
	} while (0)

#define SKIP(why)                                                                            \
	do {                                                                                 \
		test_skip(why);                                                              \
		return;                                                                      \
	} while (0)

#endif
