/*
 * test_llm.c — the LLM engine through its public API on the shared stories260K model:
 * loading, streaming, grammar-constrained output, cancellation during prompt processing
 * and during generation (and a correct answer afterwards), crash injection (SIGSEGV,
 * abort, SIGKILL, a hung worker) with the caller intact and the next request served by a
 * respawned worker; a paused worker (llm_pause) writes nothing until resumed, a cancel
 * reaches it, and closing reaps it; the progress callback hears the prompt read batch by
 * batch. Skips, with the reason, without ../shared.
 */
#include "internal.h"

#include "chat.h"
#include "llm_client.h"
#include "llm_engine.h"
#include "proto.h"
#include "workerproc.h"

#include "../check.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

static const char *model_path(void)
{
	static char path[4096];
	const char *shared = test_shared_dir();
	if (!shared)
		return NULL;
	snprintf(path, sizeof(path), "%s/models/stories260K.gguf", shared);
	return access(path, R_OK) == 0 ? path : NULL;
}

static struct tacit_llm *open_model_batch(int n_batch)
{
	struct tacit_llm_params p = tacit_llm_default_params();
	struct tacit_llm *llm = NULL;
	p.model_path = model_path();
	p.n_ctx = 512;
	p.n_batch = n_batch;
	p.n_threads = 2;
	setenv("TACIT_WORKER_TEST", "1", 1);
	enum tacit_status st = tacit_llm_open(&p, &llm);
	CHECK_EQ_INT(st, TACIT_OK);
	if (st != TACIT_OK)
		fprintf(stderr, "  open: %s\n", tacit_errmsg());
	return llm;
}

static struct tacit_llm *open_model(void)
{
	return open_model_batch(0);
}

static enum tacit_status gen(struct tacit_llm *llm, const char *prompt, int max_tokens, char **text)
{
	struct tacit_llm_request r = tacit_llm_default_request();
	r.prompt = prompt;
	r.max_tokens = max_tokens;
	return tacit_llm_generate(llm, &r, NULL, NULL, NULL, text, NULL);
}

struct stream {
	int n_pieces;
	struct buf text;
};

static void on_piece(const char *piece, size_t len, void *user)
{
	struct stream *s = user;
	/* atomic: a test reads the count from another thread while this one streams */
	__atomic_add_fetch(&s->n_pieces, 1, __ATOMIC_SEQ_CST);
	buf_add(&s->text, piece, len);
}

TEST_MODEL(llm_generate_streams_and_is_deterministic)
{
	if (!model_path())
		SKIP("no ../shared/models/stories260K.gguf");
	struct tacit_llm *llm = open_model();
	if (!llm)
		return;
	struct tacit_llm_info info = tacit_llm_info(llm);
	CHECK_EQ_INT(info.n_ctx, 512);
	CHECK_EQ_INT(info.n_vocab, 512);
	CHECK_STR(info.arch, "llama");
	CHECK_STR(info.chat_format, "plain");

	struct tacit_llm_request r = tacit_llm_default_request();
	r.prompt = "Once upon a time";
	r.max_tokens = 24;
	struct stream s = { 0 };
	buf_init(&s.text);
	char *text = NULL;
	struct tacit_llm_stats stats;
	CHECK_EQ_INT(tacit_llm_generate(llm, &r, on_piece, &s, NULL, &text, &stats), TACIT_OK);
	CHECK(text && strlen(text) > 10);
	CHECK(s.n_pieces > 1);
	CHECK_STR(s.text.data, text);
	CHECK(stats.n_prompt > 2);
	CHECK(stats.n_generated > 0 && stats.n_generated <= 24);
	CHECK(stats.decode_tps > 0);

	/* greedy: the same prompt gives the same text, now reusing the cached prompt */
	char *again = NULL;
	CHECK_EQ_INT(tacit_llm_generate(llm, &r, NULL, NULL, NULL, &again, &stats), TACIT_OK);
	CHECK_STR(again, text);
	CHECK(stats.n_reused > 0);

	int n = 0;
	CHECK_EQ_INT(tacit_llm_count_tokens(llm, "Once upon a time", &n), TACIT_OK);
	CHECK(n >= 3 && n < 16);
	tacit_free(text);
	tacit_free(again);
	buf_release(&s.text);
	tacit_llm_close(llm);
}

TEST_MODEL(llm_grammar_constrains_output)
{
	if (!model_path())
		SKIP("no ../shared/models/stories260K.gguf");
	struct tacit_llm *llm = open_model();
	if (!llm)
		return;
	struct tacit_llm_request r = tacit_llm_default_request();
	r.prompt = "Tim said";
	r.grammar = "root ::= \"{\\\"answer\\\":\" (\"yes\" | \"no\") \"}\"";
	r.max_tokens = 40;
	char *text = NULL;
	CHECK_EQ_INT(tacit_llm_generate(llm, &r, NULL, NULL, NULL, &text, NULL), TACIT_OK);
	CHECK(text && (!strcmp(text, "{\"answer\":yes}") || !strcmp(text, "{\"answer\":no}")));
	tacit_free(text);

	r.grammar = "root ::= [";
	CHECK_EQ_INT(tacit_llm_generate(llm, &r, NULL, NULL, NULL, NULL, NULL), TACIT_ERR_USAGE);
	CHECK(strstr(tacit_errmsg(), "grammar"));
	tacit_llm_close(llm);
}

TEST_MODEL(llm_errors_are_distinct)
{
	struct tacit_llm_params p = tacit_llm_default_params();
	struct tacit_llm *llm = NULL;
	p.model_path = "/nonexistent/model.gguf";
	CHECK_EQ_INT(tacit_llm_open(&p, &llm), TACIT_ERR_NOT_FOUND);
	CHECK(strstr(tacit_errmsg(), "'/nonexistent/model.gguf'"));
	CHECK(llm == NULL);

	const char *junk = test_write_file(test_tmpdir(), "junk.gguf", "GGUF not really", 15);
	p.model_path = junk;
	CHECK_EQ_INT(tacit_llm_open(&p, &llm), TACIT_ERR_MODEL);
	CHECK(strstr(tacit_errmsg(), "cannot load model"));

	if (!model_path())
		SKIP("no ../shared/models/stories260K.gguf");
	llm = open_model();
	if (!llm)
		return;
	struct buf big;
	buf_init(&big);
	for (int i = 0; i < 400; i++)
		buf_adds(&big, "Once upon a time there was a dog. ");
	CHECK_EQ_INT(gen(llm, big.data, 8, NULL), TACIT_ERR_CONTEXT_FULL);
	CHECK(strstr(tacit_errmsg(), "context holds 512"));
	buf_release(&big);
	char *text = NULL;
	CHECK_EQ_INT(gen(llm, "The cat", 8, &text), TACIT_OK); /* still fine afterwards */
	tacit_free(text);
	tacit_llm_close(llm);
}

struct canceller {
	volatile int *flag;
	int after_ms;
};

static void *cancel_later(void *arg)
{
	struct canceller *c = arg;
	usleep((useconds_t)c->after_ms * 1000);
	__atomic_store_n((int *)c->flag, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void on_piece_cancel(const char *piece, size_t len, void *user)
{
	(void)piece;
	(void)len;
	volatile int *flag = user;
	__atomic_store_n((int *)flag, 1, __ATOMIC_RELAXED);
}

TEST_MODEL(llm_cancel_during_generation_and_prompt)
{
	if (!model_path())
		SKIP("no ../shared/models/stories260K.gguf");
	struct tacit_llm *llm = open_model_batch(16);
	if (!llm)
		return;
	char *ref = NULL;
	CHECK_EQ_INT(gen(llm, "Lily and Ben went to the park", 16, &ref), TACIT_OK);

	/* during generation: the first token sets the flag; the worker is slowed so the
	 * cancel arrives mid-stream */
	volatile int flag = 0;
	struct tacit_llm_request r = tacit_llm_default_request();
	r.prompt = "Lily and Ben went to the park";
	r.max_tokens = 400;
	llm_test_inject(llm, NULL, 0, 5);
	pid_t pid = llm_worker_pid(llm);
	CHECK_EQ_INT(tacit_llm_generate(llm, &r, on_piece_cancel, (void *)&flag, &flag, NULL, NULL),
		     TACIT_ERR_CANCELLED);
	CHECK(llm_worker_pid(llm) == pid); /* stopped in time: not killed */

	/* during prompt processing: a long prompt and a flag set from another thread */
	struct buf big;
	buf_init(&big);
	for (int i = 0; i < 40; i++)
		buf_adds(&big, "The sun was warm. ");
	flag = 1; /* already set: refused before any work */
	r.prompt = big.data;
	CHECK_EQ_INT(tacit_llm_generate(llm, &r, NULL, NULL, &flag, NULL, NULL), TACIT_ERR_CANCELLED);
	flag = 0;
	struct canceller c = { &flag, 1 };
	pthread_t th;
	pthread_create(&th, NULL, cancel_later, &c);
	enum tacit_status st = tacit_llm_generate(llm, &r, NULL, NULL, &flag, NULL, NULL);
	pthread_join(th, NULL);
	CHECK(st == TACIT_ERR_CANCELLED || st == TACIT_OK); /* the tiny model may finish first */

	/* deterministic: the worker stops as if cancelled after 3 of the prompt's batches,
	 * leaving those in the cache; the rollback must keep only what it can vouch for */
	llm_test_stop_prefill(llm, 3);
	CHECK_EQ_INT(tacit_llm_generate(llm, &r, NULL, NULL, NULL, NULL, NULL), TACIT_ERR_CANCELLED);
	CHECK(strstr(tacit_errmsg(), "reading the prompt"));
	buf_release(&big);

	/* the cache was rolled back: the first answer comes out the same */
	char *after = NULL;
	CHECK_EQ_INT(gen(llm, "Lily and Ben went to the park", 16, &after), TACIT_OK);
	CHECK_STR(after, ref);
	tacit_free(ref);
	tacit_free(after);
	tacit_llm_close(llm);
}

/* What the progress callback heard of the prompt readings. */
struct reads {
	int n, loads, done[64], total[64];
	int stop_at; /* > 0: return false once done reaches it */
};

static bool on_read_progress(const struct tacit_progress *ev, void *user)
{
	struct reads *r = user;
	if (ev->phase == TACIT_PROGRESS_LOAD) {
		r->loads++;
		return true;
	}
	if (r->n < 64) {
		r->done[r->n] = ev->done;
		r->total[r->n] = ev->total;
		r->n++;
	}
	return !(r->stop_at > 0 && ev->done >= r->stop_at);
}

TEST_MODEL(llm_progress_reports_the_prompt_read_batch_by_batch)
{
	if (!model_path())
		SKIP("no ../shared/models/stories260K.gguf");
	struct reads rd = { 0 };
	struct tacit_llm_params p = tacit_llm_default_params();
	struct tacit_llm *llm = NULL;
	p.model_path = model_path();
	p.n_ctx = 512;
	p.n_batch = 16;
	p.n_threads = 2;
	p.progress = on_read_progress;
	p.progress_user = &rd;
	CHECK_EQ_INT(tacit_llm_open(&p, &llm), TACIT_OK);
	if (!llm)
		return;
	CHECK(rd.loads > 0 && rd.n == 0); /* a load is not a read */

	struct buf big;
	buf_init(&big);
	for (int i = 0; i < 12; i++)
		buf_adds(&big, "The sun was warm and the birds sang. ");
	struct tacit_llm_request r = tacit_llm_default_request();
	struct tacit_llm_stats stats;
	r.prompt = big.data;
	r.max_tokens = 4;
	CHECK_EQ_INT(tacit_llm_generate(llm, &r, NULL, NULL, NULL, NULL, &stats), TACIT_OK);
	/* once at the start (nothing cached), then after each 16-token batch, up to the total */
	CHECK(rd.n == 1 + (stats.n_prompt + 15) / 16);
	CHECK_EQ_INT(rd.done[0], 0);
	for (int i = 0; i < rd.n; i++) {
		CHECK_EQ_INT(rd.total[i], stats.n_prompt);
		CHECK(i == 0 || rd.done[i] > rd.done[i - 1]);
	}
	CHECK_EQ_INT(rd.done[rd.n - 1], stats.n_prompt);

	/* the same prompt again: what the cache holds counts at once, one batch reads the rest */
	rd.n = 0;
	CHECK_EQ_INT(tacit_llm_generate(llm, &r, NULL, NULL, NULL, NULL, &stats), TACIT_OK);
	CHECK(stats.n_reused > 0);
	CHECK(rd.n == 2 && rd.done[0] == stats.n_reused && rd.done[1] == stats.n_prompt);

	/* false from the callback cancels the call (the worker slowed so that it cannot
	 * finish first) */
	rd.n = 0;
	rd.stop_at = 1;
	r.max_tokens = 400;
	llm_test_inject(llm, NULL, 0, 5);
	CHECK_EQ_INT(tacit_llm_generate(llm, &r, NULL, NULL, NULL, NULL, NULL), TACIT_ERR_CANCELLED);
	buf_release(&big);
	tacit_llm_close(llm);
}

/* The state letter of /proc/PID/stat ('T' stopped, 'S' sleeping, ...); '?' when gone. */
static char proc_state(pid_t pid)
{
	char path[64], text[512];
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	if (f)
		fclose(f);
	text[n] = '\0';
	const char *close = strrchr(text, ')');
	return close && close[1] == ' ' ? close[2] : '?';
}

/* Polls (up to 10 s) until the worker's state is or is not 'T'. */
static bool wait_stopped(pid_t pid, bool stopped)
{
	for (int i = 0; i < 1000; i++) {
		if ((proc_state(pid) == 'T') == stopped)
			return true;
		usleep(10 * 1000);
	}
	return false;
}

struct bg_gen {
	struct tacit_llm *llm;
	const char *prompt;
	volatile int *cancel;
	struct stream out;
	enum tacit_status st;
	int max_tokens; /* 0: 12 */
};

static void *bg_generate(void *arg)
{
	struct bg_gen *g = arg;
	struct tacit_llm_request r = tacit_llm_default_request();
	r.prompt = g->prompt;
	r.max_tokens = g->max_tokens ? g->max_tokens : 12;
	g->st = tacit_llm_generate(g->llm, &r, on_piece, &g->out, g->cancel, NULL, NULL);
	return NULL;
}

TEST_MODEL(llm_pause_holds_the_worker_until_resumed_or_cancelled)
{
	if (!model_path())
		SKIP("no ../shared/models/stories260K.gguf");
	struct tacit_llm *llm = open_model();
	if (!llm)
		return;
	char *ref = NULL;
	CHECK_EQ_INT(gen(llm, "The dog", 12, &ref), TACIT_OK);
	pid_t pid = llm_worker_pid(llm);

	/* paused: a request waits and no token comes; resumed: the same answer */
	llm_pause(llm, true);
	CHECK(wait_stopped(pid, true));
	struct bg_gen g = { llm, "The dog", NULL, { 0, { 0 } }, TACIT_ERR_INTERNAL, 0 };
	buf_init(&g.out.text);
	pthread_t th;
	pthread_create(&th, NULL, bg_generate, &g);
	usleep(200 * 1000);
	CHECK_EQ_INT(__atomic_load_n(&g.out.n_pieces, __ATOMIC_SEQ_CST), 0);
	CHECK(proc_state(pid) == 'T');
	llm_pause(llm, false);
	pthread_join(th, NULL);
	CHECK_EQ_INT(g.st, TACIT_OK);
	CHECK_STR(g.out.text.data, ref);
	CHECK(proc_state(pid) != 'T');

	/* a cancel while paused resumes the worker, which stops cleanly (not killed) */
	volatile int flag = 0;
	buf_reset(&g.out.text);
	g.cancel = &flag;
	/* long enough that the resumed worker sees the cancel before it could finish (this
	 * tiny model writes 12 tokens in about a millisecond: the answer raced the cancel) */
	g.max_tokens = 400;
	llm_pause(llm, true);
	CHECK(wait_stopped(pid, true));
	pthread_create(&th, NULL, bg_generate, &g);
	usleep(100 * 1000);
	__atomic_store_n((int *)&flag, 1, __ATOMIC_SEQ_CST);
	pthread_join(th, NULL);
	CHECK_EQ_INT(g.st, TACIT_ERR_CANCELLED);
	CHECK(llm_worker_pid(llm) == pid);
	CHECK(proc_state(pid) != 'T');
	llm_pause(llm, true); /* refused no more once the request is over */
	CHECK(wait_stopped(pid, true));

	/* closing a paused worker reaps it */
	tacit_llm_close(llm);
	CHECK(proc_state(pid) == '?');
	buf_release(&g.out.text);
	tacit_free(ref);
}

static void crash_and_recover(const char *how, int after, const char *expect)
{
	struct tacit_llm *llm = open_model();
	if (!llm)
		return;
	char *ref = NULL, *text = NULL;
	CHECK_EQ_INT(gen(llm, "The dog", 12, &ref), TACIT_OK);
	llm_test_inject(llm, how, after, 0);
	CHECK_EQ_INT(gen(llm, "The dog", 40, &text), TACIT_ERR_WORKER);
	if (!strstr(tacit_errmsg(), expect))
		fprintf(stderr, "  message: %s\n", tacit_errmsg());
	CHECK(strstr(tacit_errmsg(), expect));
	CHECK(strstr(tacit_errmsg(), "the next request restarts it"));
	CHECK(text == NULL);
	CHECK(llm_worker_pid(llm) == -1);
	/* the caller is intact and the next request gets a fresh worker */
	CHECK_EQ_INT(gen(llm, "The dog", 12, &text), TACIT_OK);
	CHECK_STR(text, ref);
	CHECK(llm_worker_pid(llm) > 0);
	tacit_free(ref);
	tacit_free(text);
	tacit_llm_close(llm);
}

TEST_MODEL(llm_worker_crash_segv)
{
	if (!model_path())
		SKIP("no ../shared/models/stories260K.gguf");
	/* under ASan (SAN=1) the worker would report the crash and exit 1: let it die of it */
	const char *old = getenv("ASAN_OPTIONS");
	char *saved = old ? strdup(old) : NULL;
	char opts[1024];
	snprintf(opts, sizeof(opts), "%s%shandle_segv=0", old ? old : "", old && *old ? ":" : "");
	setenv("ASAN_OPTIONS", opts, 1);
	crash_and_recover("segv", 0, "killed by signal 11");
	if (saved)
		setenv("ASAN_OPTIONS", saved, 1);
	else
		unsetenv("ASAN_OPTIONS");
	free(saved);
}

TEST_MODEL(llm_worker_crash_abort_midstream)
{
	if (!model_path())
		SKIP("no ../shared/models/stories260K.gguf");
	crash_and_recover("abort", 3, "killed by signal 6 (a GGML_ASSERT");
}

TEST_MODEL(llm_worker_crash_sigkill)
{
	if (!model_path())
		SKIP("no ../shared/models/stories260K.gguf");
	crash_and_recover("kill", 2, "killed by signal 9 (out of memory?)");
}

TEST_MODEL(llm_worker_killed_from_outside_while_idle)
{
	if (!model_path())
		SKIP("no ../shared/models/stories260K.gguf");
	struct tacit_llm *llm = open_model();
	if (!llm)
		return;
	kill(llm_worker_pid(llm), SIGKILL);
	usleep(20000);
	char *text = NULL;
	enum tacit_status st = gen(llm, "The dog", 8, &text);
	/* the death is found when writing or reading: either this request fails with a
	 * clear message or, had the worker been reaped already, it is respawned */
	if (st != TACIT_OK) {
		CHECK_EQ_INT(st, TACIT_ERR_WORKER);
		CHECK(strstr(tacit_errmsg(), "signal 9"));
		CHECK_EQ_INT(gen(llm, "The dog", 8, &text), TACIT_OK);
	}
	CHECK(text && *text);
	tacit_free(text);
	tacit_llm_close(llm);
}

TEST_MODEL(llm_hung_worker_is_killed_after_grace)
{
	if (!model_path())
		SKIP("no ../shared/models/stories260K.gguf");
	struct tacit_llm *llm = open_model();
	if (!llm)
		return;
	char *warm = NULL;
	CHECK_EQ_INT(gen(llm, "The dog", 4, &warm), TACIT_OK); /* the first decode allocates */
	tacit_free(warm);
	volatile int flag = 0;
	struct canceller c = { &flag, 20 };
	pthread_t th;
	llm_test_inject(llm, "hang", 0, 0); /* hangs before decoding, ignoring the cancel */
	pthread_create(&th, NULL, cancel_later, &c);
	struct tacit_llm_request r = tacit_llm_default_request();
	r.prompt = "The dog";
	r.max_tokens = 50;
	CHECK_EQ_INT(tacit_llm_generate(llm, &r, NULL, NULL, &flag, NULL, NULL), TACIT_ERR_CANCELLED);
	pthread_join(th, NULL);
	if (!strstr(tacit_errmsg(), "was killed"))
		fprintf(stderr, "  message: %s\n", tacit_errmsg());
	CHECK(strstr(tacit_errmsg(), "was killed"));
	CHECK(llm_worker_pid(llm) == -1);
	char *text = NULL;
	CHECK_EQ_INT(gen(llm, "The dog", 8, &text), TACIT_OK);
	tacit_free(text);
	tacit_llm_close(llm);
}

TEST(llm_chat_format_fallbacks)
{
	struct tacit_chat_message m[] = { { "system", "Be brief." }, { "user", "Hi" } };
	struct buf b;
	buf_init(&b);
	CHECK_EQ_INT(chat_fallback(NULL, "qwen3"), CHAT_CHATML);
	CHECK_EQ_INT(chat_fallback(NULL, "qwen35"), CHAT_CHATML);
	CHECK_EQ_INT(chat_fallback(NULL, "gemma3"), CHAT_GEMMA);
	CHECK_EQ_INT(chat_fallback(NULL, "llama"), CHAT_PLAIN); /* a base model like stories260K */
	CHECK_EQ_INT(chat_fallback("{% for m in messages %}<|start_header_id|>", "llama"), CHAT_LLAMA3);
	CHECK_EQ_INT(chat_fallback("<|im_start|>{{ role }}", "llama"), CHAT_CHATML);
	CHECK_EQ_INT(chat_fallback("<start_of_turn>", NULL), CHAT_GEMMA);
	CHECK_EQ_INT(chat_fallback("{{ unknown }}", "mamba"), CHAT_PLAIN);

	CHECK(chat_render(CHAT_CHATML, m, 2, &b));
	CHECK_STR(b.data, "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
			  "<|im_start|>assistant\n");
	buf_reset(&b);
	CHECK(chat_render(CHAT_GEMMA, m, 2, &b));
	CHECK_STR(b.data, "<start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\n");
	buf_reset(&b);
	CHECK(chat_render(CHAT_LLAMA3, m, 2, &b));
	CHECK_STR(b.data, "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
			  "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
			  "<|start_header_id|>assistant<|end_header_id|>\n\n");
	buf_reset(&b);
	CHECK(chat_render(CHAT_PLAIN, m, 2, &b));
	CHECK_STR(b.data, "Be brief.\n\nHi\n\n");
	buf_reset(&b);
	CHECK(!chat_render(CHAT_MODEL, m, 2, &b));
	buf_release(&b);
}

static bool collect(const char *piece, size_t len, void *user)
{
	return buf_add(user, piece, len);
}

/* The worker's own greedy and top-k samplers against llama.cpp's chain (greedy, or
 * top-k -> temp -> dist) on a real model, in process: the same tokens for the same
 * seed, with and without a grammar that rejects many of the unconstrained picks. */
TEST_MODEL(llm_fast_sampler_matches_llama_chain)
{
	if (!model_path())
		SKIP("no ../shared/models/stories260K.gguf");
	struct llm_engine_params lp = { 0 };
	struct llm_engine *llm = NULL;
	lp.model_path = model_path();
	lp.n_ctx = 512;
	lp.n_threads = 1;
	CHECK_EQ_INT(llm_engine_load(&lp, &llm), TACIT_OK);
	if (!llm)
		return;
	static const struct {
		float temperature;
		int top_k;
		uint32_t seed;
		const char *grammar;
		const char *sampler;
	} cases[] = {
		{ 0.0f, 40, 0, NULL, "argmax" },
		{ 0.8f, 40, 7, NULL, "top-k" },
		{ 0.8f, 40, 8, NULL, "top-k" },
		{ 1.5f, 5, 123, NULL, "top-k" },
		{ 1.0f, 512, 99, NULL, "top-k" }, /* k = the whole vocabulary of this model */
		{ 0.9f, 1, 3, NULL, "top-k" },
		{ 0.0f, 40, 0, "root ::= [a-z ]+ \".\"", "argmax" },
		{ 1.2f, 40, 42, "root ::= [a-z ]+ \".\"", "top-k" },
		/* literals and one-character choices: the probe rarely decides, the filter over
		 * the tokens whose first character the grammar allows does */
		{ 0.0f, 40, 0, "root ::= \"{\\\"a\\\":[\" [0-9]{1,3} (\",\" [0-9]{1,3}){0,6} \"]}\"", "argmax" },
		{ 1.1f, 40, 11, "root ::= \"{\\\"a\\\":[\" [0-9]{1,3} (\",\" [0-9]{1,3}){0,6} \"]}\"", "top-k" },
		{ 0.7f, 0, 5, NULL, "llama-chain" }, /* top_k 0: the chain in both runs */
	};
	char *first_topk = NULL;
	bool seeds_differ = false;
	int rejected = 0, full = 0, narrowed = 0;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct buf fast, chain;
		struct tacit_llm_stats sf, sc;
		struct llm_engine_gen g = { 0 };
		buf_init(&fast);
		buf_init(&chain);
		g.prompt = "Once upon a time";
		g.max_tokens = 48;
		g.temperature = cases[c].temperature;
		g.top_k = cases[c].top_k;
		g.seed = cases[c].seed;
		g.grammar = cases[c].grammar;
		CHECK_EQ_INT(llm_engine_generate(llm, &g, collect, &fast, &sf), TACIT_OK);
		g.test_chain_sampler = true;
		CHECK_EQ_INT(llm_engine_generate(llm, &g, collect, &chain, &sc), TACIT_OK);
		CHECK_STR(sf.sampler, cases[c].sampler);
		CHECK_STR(sc.sampler, "llama-chain");
		CHECK(fast.len > 0);
		CHECK_STR(fast.data, chain.data);
		CHECK_EQ_INT(sf.n_generated, sc.n_generated);
		/* the chain filters the whole vocabulary on every rejection; ours tries the best
		 * few tokens first, and must give the same text (checked above) */
		CHECK_EQ_INT(sc.n_full_filter, sc.n_rejected);
		CHECK(sf.n_full_filter + sf.n_narrow_filter <= sf.n_rejected);
		rejected += sf.n_rejected;
		full += sf.n_full_filter;
		narrowed += sf.n_narrow_filter;
		if (strcmp(fast.data, chain.data))
			fprintf(stderr, "  case %zu: fast '%s'\n  chain '%s'\n", c, fast.data, chain.data);
		if (c == 1)
			first_topk = strdup(fast.data);
		if (c == 2 && first_topk && strcmp(first_topk, fast.data))
			seeds_differ = true; /* the draws are random: another seed, another text */
		buf_release(&fast);
		buf_release(&chain);
	}
	CHECK(seeds_differ);
	CHECK(rejected > 0);   /* the grammar cases exercise the re-pick */
	CHECK(full < rejected); /* and the probe decided some of them */
	CHECK(narrowed > 0);    /* and the first-character filter others */
	free(first_topk);

	/* the breakdown of the generation time adds up, and the last token is not decoded */
	struct llm_engine_gen g = { 0 };
	struct tacit_llm_stats s;
	struct buf out;
	buf_init(&out);
	g.prompt = "Once upon a time";
	g.max_tokens = 16;
	g.temperature = 0.8f;
	g.top_k = 40;
	CHECK_EQ_INT(llm_engine_generate(llm, &g, collect, &out, &s), TACIT_OK);
	if (s.finish == TACIT_FINISH_LENGTH) {
		CHECK_EQ_INT(s.n_generated, 16);
		CHECK_EQ_INT(s.n_eval, 15);
	}
	CHECK(s.eval_ms > 0 && s.sample_ms > 0 && s.emit_ms >= 0);
	CHECK(s.eval_ms + s.sample_ms + s.emit_ms <= s.decode_ms + 0.001);
	buf_release(&out);
	llm_engine_free(llm);
}

TEST_MODEL(worker_with_another_protocol_is_refused)
{
	struct workerproc w;
	workerproc_init(&w, "model worker", "llama.cpp");
	setenv("TACIT_WORKER_TEST", "1", 1);
	setenv("TACIT_WORKER_TEST_PROTO", "1", 1);
	CHECK_EQ_INT(workerproc_spawn(&w), TACIT_ERR_WORKER);
	char want[96];
	snprintf(want, sizeof(want), "speaks protocol 1, this library %d (reinstall tacit", PROTO_VERSION);
	CHECK(strstr(tacit_errmsg(), want) != NULL);
	CHECK(w.pid <= 0);
	unsetenv("TACIT_WORKER_TEST_PROTO");
	/* the same build's worker is accepted */
	CHECK_EQ_INT(workerproc_spawn(&w), TACIT_OK);
	CHECK(w.pid > 0);
	unsetenv("TACIT_WORKER_TEST");
	workerproc_release(&w);
}

/* The worker is looked for in $TACIT_WORKER first, then next to the running program (the
 * build tree: unit-tests sits beside tacit-worker), then in the installed LIBEXECDIR. */
TEST(worker_find_env_then_beside_the_program)
{
	const char *was = getenv("TACIT_WORKER");
	char *saved = was ? strdup(was) : NULL;
	struct buf b;
	buf_init(&b);

	setenv("TACIT_WORKER", "/opt/x/tacit-worker", 1);
	CHECK(worker_find(&b));
	CHECK(strcmp(b.data, "/opt/x/tacit-worker") == 0);

	unsetenv("TACIT_WORKER");
	buf_reset(&b);
	CHECK(worker_find(&b));
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	CHECK(n > 0);
	self[n > 0 ? n : 0] = '\0';
	char *slash = strrchr(self, '/');
	CHECK(slash != NULL);
	if (slash) {
		strcpy(slash + 1, "tacit-worker");
		if (access(self, X_OK) == 0)
			CHECK(strcmp(b.data, self) == 0);
		else /* only the compiled-in place is left */
			CHECK(strcmp(b.data, self) != 0 && strstr(b.data, "/tacit-worker") != NULL);
	}

	if (saved)
		setenv("TACIT_WORKER", saved, 1);
	free(saved);
	buf_release(&b);
}
