/*
 * main.c — `tacit-worker`: runs model engines for libtacit in a process of its own, so a
 * crash inside llama.cpp ends only this process. Requests come as frames on stdin,
 * responses go as frames on stdout (written by the main thread only), and stderr carries
 * log lines that the parent forwards to its log sink. A reader thread reads stdin all the
 * time so a CANCEL frame reaches the stop flag while the main thread is deep in
 * llama_decode; end of stdin (the parent is gone) stops everything and exits.
 */
#include "internal.h"

#include "asr_serve.h"
#include "basics.h"
#include "custom.h"
#include "devices.h"
#include "diar_engine.h"
#include "embed_engine.h"
#include "embed_serve.h"
#include "diar_serve.h"
#include "llm_engine.h"
#include "proto.h"
#include "reply.h"

#include <pthread.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include <yyjson.h>

#define QUEUE_MAX 4

struct job {
	unsigned type;
	char *payload; /* NUL-terminated JSON; binary data may follow (TRANSCRIBE, VAD, DIARIZE) */
	size_t len;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static struct job queue[QUEUE_MAX];
static int n_queue;
static bool eof;
static atomic_bool stop;
static atomic_llong current_id = -1;
static bool test_mode;

static void log_stderr(enum tacit_log_level level, const char *line, void *user)
{
	(void)level;
	(void)user;
	fprintf(stderr, "%s\n", line);
}

static long long json_id(const char *payload)
{
	yyjson_doc *doc = yyjson_read(payload, strlen(payload), 0);
	long long id = -1;
	yyjson_val *v = yyjson_obj_get(yyjson_doc_get_root(doc), "id");
	if (yyjson_is_int(v))
		id = yyjson_get_sint(v);
	yyjson_doc_free(doc);
	return id;
}

static void *reader_main(void *arg)
{
	struct proto_reader r;
	char chunk[65536];
	(void)arg;
	proto_reader_init(&r);
	for (;;) {
		ssize_t n = read(STDIN_FILENO, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || !proto_reader_feed(&r, chunk, (size_t)n))
			break;
		unsigned type;
		const char *payload;
		size_t len;
		int got;
		while ((got = proto_reader_next(&r, &type, &payload, &len)) == 1) {
			if (type == PROTO_CANCEL) {
				long long id = json_id(payload);
				if (id == atomic_load(&current_id))
					atomic_store(&stop, true);
				continue;
			}
			pthread_mutex_lock(&lock);
			if (n_queue == QUEUE_MAX) {
				pthread_mutex_unlock(&lock);
				fprintf(stderr, "tacit-worker: request queue overflow\n");
				goto done;
			}
			/* a new request: the stop flag now belongs to it */
			atomic_store(&current_id, json_id(payload));
			atomic_store(&stop, false);
			queue[n_queue].type = type;
			queue[n_queue].payload = malloc(len + 1);
			if (queue[n_queue].payload) {
				memcpy(queue[n_queue].payload, payload, len);
				queue[n_queue].payload[len] = '\0';
			}
			queue[n_queue].len = len;
			n_queue++;
			pthread_cond_signal(&cond);
			pthread_mutex_unlock(&lock);
		}
		if (got < 0) {
			fprintf(stderr, "tacit-worker: malformed frame from the parent\n");
			break;
		}
	}
done:
	pthread_mutex_lock(&lock);
	eof = true;
	atomic_store(&stop, true);
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	proto_reader_release(&r);
	return NULL;
}

static bool take_job(struct job *j)
{
	pthread_mutex_lock(&lock);
	while (!n_queue && !eof)
		pthread_cond_wait(&cond, &lock);
	bool ok = n_queue > 0;
	if (ok) {
		*j = queue[0];
		memmove(queue, queue + 1, (size_t)(n_queue - 1) * sizeof(*queue));
		n_queue--;
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

static int get_int(yyjson_val *o, const char *key, int def)
{
	yyjson_val *v = yyjson_obj_get(o, key);
	return yyjson_is_int(v) ? (int)yyjson_get_sint(v) : def;
}

static const char *get_str(yyjson_val *o, const char *key)
{
	return yyjson_get_str(yyjson_obj_get(o, key));
}

static void crash(const char *how)
{
	if (!how)
		return;
	fprintf(stderr, "tacit-worker: test crash '%s'\n", how);
	if (!strcmp(how, "segv"))
		raise(SIGSEGV);
	else if (!strcmp(how, "abort"))
		abort();
	else if (!strcmp(how, "kill"))
		raise(SIGKILL);
	else if (!strcmp(how, "exit"))
		_exit(7);
	else if (!strcmp(how, "hang")) /* ignores cancellation: the parent must kill it */
		for (;;)
			pause();
}

/* Tests: TACIT_VAD_CRASH=FILE aborts a VAD request that finds FILE (deleting it), as a
 * crash inside Silero would. */
static bool vad_crash_now(void)
{
	const char *f = getenv("TACIT_VAD_CRASH");
	return f && *f && unlink(f) == 0;
}

static bool on_progress(float progress, void *user)
{
	(void)user;
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	yyjson_mut_obj_add_real(doc, o, "progress", progress);
	worker_send(PROTO_PROGRESS, doc);
	yyjson_mut_doc_free(doc);
	return true;
}

/* How far the prompt has been read: PROGRESS {"id","done","total"} after each batch, so
 * the caller can show it (a long transcript takes minutes to read on a CPU). */
static void on_read(int done, int total, void *user)
{
	const long long *id = user;
	char msg[96];
	int n = snprintf(msg, sizeof(msg), "{\"id\":%lld,\"done\":%d,\"total\":%d}", *id, done, total);
	if (!proto_send(STDOUT_FILENO, PROTO_PROGRESS, msg, (size_t)n))
		_exit(3);
}

/* Streamed text is sent at once when the last frame went out FLUSH_MS ago or more, and
 * otherwise gathered: a fast model (0.2 ms a token) then sends one frame per FLUSH_MS
 * instead of one per token, while the first token and every token of a slow model still
 * go out the moment they are sampled. */
#define FLUSH_MS 4.0
#define FLUSH_BYTES 4096

struct emit_state {
	int n_emitted;
	int crash_after;
	const char *crash_how;
	int slow_ms;
	struct buf pending; /* text not yet sent */
	double last_flush;  /* ms; 0 = nothing sent yet */
};

static void flush_pieces(struct emit_state *e)
{
	if (!e->pending.len)
		return;
	if (!proto_send(STDOUT_FILENO, PROTO_TOKEN, e->pending.data, e->pending.len))
		_exit(3);
	buf_reset(&e->pending);
	e->last_flush = clock_now_ms();
}

static bool on_piece(const char *piece, size_t len, void *user)
{
	struct emit_state *e = user;
	if (!buf_add(&e->pending, piece, len))
		_exit(3);
	if (!e->last_flush || clock_now_ms() - e->last_flush >= FLUSH_MS || e->pending.len >= FLUSH_BYTES ||
	    e->crash_how || e->slow_ms)
		flush_pieces(e);
	e->n_emitted++;
	if (e->crash_how && e->n_emitted >= e->crash_after)
		crash(e->crash_how);
	if (e->slow_ms)
		usleep((useconds_t)e->slow_ms * 1000);
	return true;
}

static void do_load(struct llm_engine **llm, struct asr_engine **asr, struct worker_vad **vad,
		    struct diar_engine **diar, struct embed_engine **emb, long long id, yyjson_val *req)
{
	struct llm_engine_params p = { 0 };
	p.model_path = get_str(req, "model");
	p.n_ctx = get_int(req, "n_ctx", 0);
	p.n_threads = get_int(req, "n_threads", 0);
	p.n_gpu_layers = get_int(req, "n_gpu_layers", 0);
	p.n_batch = get_int(req, "n_batch", 0);
	p.n_ctx_cap = get_int(req, "n_ctx_cap", 0);
	p.progress = on_progress;
	p.stop = &stop;
	const char *engine = get_str(req, "engine");
	if (engine && !strcmp(engine, "asr")) {
		worker_asr_load(asr, id, req);
		return;
	}
	if (engine && !strcmp(engine, "vad")) {
		worker_vad_load(vad, id, req);
		return;
	}
	if (engine && !strcmp(engine, "diar")) {
		worker_diar_load(diar, id, req);
		return;
	}
	if (engine && !strcmp(engine, "embed")) {
		worker_embed_load(emb, id, req, &stop);
		return;
	}
	if (!engine || strcmp(engine, "llm")) {
		worker_send_error(id, tacit_fail(TACIT_ERR_UNSUPPORTED, "engine '%s' is not supported by this worker",
						 engine ? engine : ""));
		return;
	}
	if (*llm) {
		llm_engine_free(*llm);
		*llm = NULL;
	}
	if (test_mode)
		crash(get_str(req, "test_crash"));
	enum tacit_status st = llm_engine_load(&p, llm);
	if (st != TACIT_OK) {
		worker_send_error(id, st);
		return;
	}
	struct tacit_llm_info info;
	llm_engine_describe(*llm, &info);
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	yyjson_mut_obj_add_sint(doc, o, "id", id);
	yyjson_mut_obj_add_int(doc, o, "n_ctx", info.n_ctx);
	yyjson_mut_obj_add_int(doc, o, "n_ctx_train", info.n_ctx_train);
	yyjson_mut_obj_add_int(doc, o, "n_vocab", info.n_vocab);
	yyjson_mut_obj_add_str(doc, o, "arch", info.arch);
	yyjson_mut_obj_add_str(doc, o, "chat_format", info.chat_format);
	worker_send(PROTO_LOADED, doc);
	yyjson_mut_doc_free(doc);
}

static void do_generate(struct llm_engine *llm, long long id, yyjson_val *req)
{
	struct buf prompt;
	struct llm_engine_gen g = { 0 };
	struct emit_state e = { 0 };
	struct tacit_llm_stats stats;
	enum tacit_status st;
	struct tacit_chat_message *msgs = NULL;

	buf_init(&prompt);
	buf_init(&e.pending);
	if (!llm) {
		worker_send_error(id, tacit_fail(TACIT_ERR_USAGE, "no model loaded"));
		return;
	}
	yyjson_val *arr = yyjson_obj_get(req, "messages");
	if (yyjson_is_arr(arr) && yyjson_arr_size(arr)) {
		size_t n = yyjson_arr_size(arr), i, max;
		yyjson_val *m;
		msgs = calloc(n, sizeof(*msgs));
		if (!msgs) {
			worker_send_error(id, tacit_fail(TACIT_ERR_NOMEM, "out of memory"));
			return;
		}
		yyjson_arr_foreach(arr, i, max, m)
		{
			msgs[i].role = get_str(m, "role");
			msgs[i].content = get_str(m, "content");
		}
		st = llm_engine_format(llm, msgs, n, &prompt);
		free(msgs);
		if (st != TACIT_OK) {
			worker_send_error(id, st);
			goto out;
		}
		g.chat = true;
	} else {
		buf_adds(&prompt, get_str(req, "prompt") ? get_str(req, "prompt") : "");
	}
	g.prompt = prompt.data;
	g.grammar = get_str(req, "grammar");
	g.max_tokens = get_int(req, "max_tokens", 0);
	g.top_k = get_int(req, "top_k", 0);
	g.seed = (uint32_t)get_int(req, "seed", 0);
	g.n_threads = get_int(req, "n_threads", 0);
	g.state_prefix = get_str(req, "state_prefix");
	g.state_path = get_str(req, "state_path");
	g.read = on_read;
	g.read_user = &id;
	yyjson_val *t = yyjson_obj_get(req, "temperature");
	g.temperature = yyjson_is_num(t) ? (float)yyjson_get_num(t) : 0.0f;
	if (test_mode) {
		e.crash_how = get_str(req, "test_crash");
		e.crash_after = get_int(req, "test_crash_after", 0);
		e.slow_ms = get_int(req, "test_slow_ms", 0);
		g.test_stop_after_batches = get_int(req, "test_stop_after_batches", 0);
		if (!e.crash_how && getenv("TACIT_WORKER_TEST_CRASH")) { /* for the command's tests */
			e.crash_how = getenv("TACIT_WORKER_TEST_CRASH");
			e.crash_after = 1;
		}
		if (!e.slow_ms && getenv("TACIT_WORKER_TEST_SLOW_MS"))
			e.slow_ms = atoi(getenv("TACIT_WORKER_TEST_SLOW_MS"));
		if (e.crash_how && e.crash_after <= 0)
			crash(e.crash_how);
	}
	st = llm_engine_generate(llm, &g, on_piece, &e, &stats);
	flush_pieces(&e);
	if (st != TACIT_OK) {
		worker_send_error(id, st);
		goto out;
	}
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	yyjson_mut_obj_add_sint(doc, o, "id", id);
	yyjson_mut_obj_add_int(doc, o, "n_prompt", stats.n_prompt);
	yyjson_mut_obj_add_int(doc, o, "n_reused", stats.n_reused);
	yyjson_mut_obj_add_int(doc, o, "n_generated", stats.n_generated);
	yyjson_mut_obj_add_real(doc, o, "prefill_ms", stats.prefill_ms);
	yyjson_mut_obj_add_real(doc, o, "decode_ms", stats.decode_ms);
	yyjson_mut_obj_add_int(doc, o, "finish", stats.finish);
	yyjson_mut_obj_add_int(doc, o, "state", stats.state);
	yyjson_mut_obj_add_int(doc, o, "n_eval", stats.n_eval);
	yyjson_mut_obj_add_int(doc, o, "n_rejected", stats.n_rejected);
	yyjson_mut_obj_add_int(doc, o, "n_full_filter", stats.n_full_filter);
	yyjson_mut_obj_add_real(doc, o, "eval_ms", stats.eval_ms);
	yyjson_mut_obj_add_real(doc, o, "sample_ms", stats.sample_ms);
	yyjson_mut_obj_add_real(doc, o, "emit_ms", stats.emit_ms);
	yyjson_mut_obj_add_real(doc, o, "state_ms", stats.state_ms);
	yyjson_mut_obj_add_int(doc, o, "n_narrow_filter", stats.n_narrow_filter);
	yyjson_mut_obj_add_int(doc, o, "n_filtered", stats.n_filtered);
	yyjson_mut_obj_add_str(doc, o, "sampler", stats.sampler);
	worker_send(PROTO_DONE, doc);
	yyjson_mut_doc_free(doc);
out:
	buf_release(&e.pending);
	buf_release(&prompt);
}

static void do_tokenize(struct llm_engine *llm, long long id, yyjson_val *req)
{
	if (!llm) {
		worker_send_error(id, tacit_fail(TACIT_ERR_USAGE, "no model loaded"));
		return;
	}
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	yyjson_mut_obj_add_sint(doc, o, "id", id);
	yyjson_val *texts = yyjson_obj_get(req, "texts"), *t;
	if (yyjson_is_arr(texts)) { /* many texts: {"counts": [...]} */
		yyjson_mut_val *counts = yyjson_mut_obj_add_arr(doc, o, "counts");
		size_t i, max;
		yyjson_arr_foreach(texts, i, max, t)
		{
			const char *text = yyjson_get_str(t);
			int n = llm_engine_count_tokens(llm, text ? text : "");
			if (n < 0) {
				worker_send_error(id, TACIT_ERR_LLM);
				yyjson_mut_doc_free(doc);
				return;
			}
			yyjson_mut_arr_add_int(doc, counts, n);
		}
	} else {
		const char *text = get_str(req, "text");
		int n = llm_engine_count_tokens(llm, text ? text : "");
		if (n < 0) {
			worker_send_error(id, TACIT_ERR_LLM);
			yyjson_mut_doc_free(doc);
			return;
		}
		yyjson_mut_obj_add_int(doc, o, "n_tokens", n);
	}
	worker_send(PROTO_COUNT, doc);
	yyjson_mut_doc_free(doc);
}

/* The devices ggml can offload to: loading their backends (GPU drivers) happens here, in
 * the worker, never in the caller (src/devices.c asks and keeps the answer). */
static void do_devices(long long id)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	yyjson_mut_obj_add_sint(doc, o, "id", id);
	devices_list(doc, yyjson_mut_obj_add_arr(doc, o, "devices"));
	worker_send(PROTO_DEVICE_LIST, doc);
	yyjson_mut_doc_free(doc);
}

/* `tacit-worker --check-model PATH`: the custom-model load probe (custom.c). The parent
 * has already limited this process's address space; the verdict is one JSON line on
 * stdout, and a crash or a kill is a verdict too. */
static int check_main(const char *path)
{
	struct buf out;
	buf_init(&out);
	tacit_log_set(log_stderr, NULL, getenv("TACIT_WORKER_DEBUG") ? TACIT_LOG_DEBUG : TACIT_LOG_WARN);
	/* Files written here by llama.cpp or whisper.cpp hold meetings: private whatever
	 * umask tacit's caller had. */
	umask(077);
	const char *tm = getenv("TACIT_WORKER_TEST");
	if (tm && !strcmp(tm, "1"))
		crash(getenv("TACIT_WORKER_TEST_PROBE")); /* tests: a file that kills the probe */
	enum tacit_status st = model_load_check(path, &out);
	if (st != TACIT_OK) {
		yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
		yyjson_mut_val *o = yyjson_mut_obj(doc);
		yyjson_mut_doc_set_root(doc, o);
		yyjson_mut_obj_add_bool(doc, o, "ok", false);
		yyjson_mut_obj_add_int(doc, o, "status", st);
		yyjson_mut_obj_add_str(doc, o, "message", tacit_errmsg());
		char *text = yyjson_mut_write(doc, 0, NULL);
		buf_reset(&out);
		buf_adds(&out, text ? text : "{\"ok\":false}");
		free(text);
		yyjson_mut_doc_free(doc);
	}
	printf("%s\n", out.data);
	buf_release(&out);
	return fflush(stdout) == 0 ? 0 : 3;
}

int main(int argc, char **argv)
{
	struct llm_engine *llm = NULL;
	struct asr_engine *asr = NULL;
	struct worker_vad *vad = NULL;
	struct diar_engine *diar = NULL;
	struct embed_engine *emb = NULL;
	pthread_t reader;

	if (argc == 3 && !strcmp(argv[1], CUSTOM_CHECK_ARG))
		return check_main(argv[2]);
	if (argc > 1 || isatty(STDIN_FILENO)) {
		fprintf(stderr, "tacit-worker runs model engines for libtacit; it is started by tacit, not by hand\n");
		return 2;
	}
	const char *tm = getenv("TACIT_WORKER_TEST");
	test_mode = tm && !strcmp(tm, "1");
	tacit_log_set(log_stderr, NULL, getenv("TACIT_WORKER_DEBUG") ? TACIT_LOG_DEBUG : TACIT_LOG_WARN);
	if (pthread_create(&reader, NULL, reader_main, NULL) != 0) {
		fprintf(stderr, "tacit-worker: cannot start the reader thread\n");
		return 1;
	}
	/* tests: TACIT_WORKER_TEST_PROTO=N announces another protocol version */
	const char *tp = test_mode ? getenv("TACIT_WORKER_TEST_PROTO") : NULL;
	char hello[64];
	int n = snprintf(hello, sizeof(hello), "{\"pid\":%ld,\"proto\":%d}", (long)getpid(),
			 tp && *tp ? atoi(tp) : PROTO_VERSION);
	if (!proto_send(STDOUT_FILENO, PROTO_READY, hello, (size_t)n))
		return 3;

	struct job j;
	while (take_job(&j)) {
		yyjson_doc *doc = j.payload ? yyjson_read(j.payload, strlen(j.payload), 0) : NULL;
		yyjson_val *req = yyjson_doc_get_root(doc);
		long long id = j.payload ? json_id(j.payload) : -1;
		tacit_clear_error();
		if (!yyjson_is_obj(req))
			worker_send_error(id, tacit_fail(TACIT_ERR_FORMAT, "malformed request"));
		else if (j.type == PROTO_LOAD)
			do_load(&llm, &asr, &vad, &diar, &emb, id, req);
		else if (j.type == PROTO_GENERATE)
			do_generate(llm, id, req);
		else if (j.type == PROTO_TOKENIZE)
			do_tokenize(llm, id, req);
		else if (j.type == PROTO_DEVICES)
			do_devices(id);
		else if (j.type == PROTO_TRANSCRIBE)
			worker_asr_transcribe(asr, id, req, j.payload, j.len, &stop, test_mode);
		else if (j.type == PROTO_VAD && test_mode && vad_crash_now())
			crash("abort");
		else if (j.type == PROTO_VAD)
			worker_vad_detect(vad, id, req, j.payload, j.len);
		else if (j.type == PROTO_DIARIZE)
			worker_diar_run(diar, id, req, j.payload, j.len, &stop);
		else if (j.type == PROTO_EMBED)
			worker_embed_run(emb, id, req);
		else if (j.type == PROTO_CRASH && test_mode)
			crash(get_str(req, "how"));
		else
			worker_send_error(id, tacit_fail(TACIT_ERR_UNSUPPORTED, "request type %u is not supported", j.type));
		yyjson_doc_free(doc);
		free(j.payload);
	}
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WORKER_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define WORKER_SANITIZED 1
#endif
#ifndef WORKER_SANITIZED
	/* The parent closed our stdin: nothing more is wanted, and every answer is already
	 * written. Freeing the models and unloading the ggml backends would only keep the
	 * parent waiting for our exit (tens of ms at the end of every `tacit transcribe`);
	 * the kernel frees it all at once. Sanitizer builds clean up, for the leak check. */
	_exit(0);
#endif
	llm_engine_free(llm);
	worker_asr_free(asr);
	worker_vad_free(vad);
	diar_engine_free(diar);
	embed_engine_free(emb);
	/* the reader thread is blocked in read() only if stdin is still open; we got here on
	 * its EOF, so it has finished */
	pthread_join(reader, NULL);
	return 0;
}
