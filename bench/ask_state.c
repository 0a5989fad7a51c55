/*
 * ask_state.c — `ask` time to first token on a long meeting with the transcript state
 * saved by an earlier task vs cold (the transcript read again). The meeting: QMSum turns
 * from ../shared/data/qmsum-sample (Bmr003, repeated if needed) up to
 * $TACIT_BENCH_ASK_MINUTES minutes (default 60) at 150 spoken words a minute, imported into
 * a temporary store; the note gives its size in the model's tokens (a synthetic model
 * from tools/synth-model spells English like a real tokenizer, about 1.3 tokens a
 * word). Each run starts a new worker, as a new `tacit ask` process would.
 * Model: $TACIT_BENCH_MODEL, else build/models/llama-3.2-1b-Q4_K_M.gguf (128k context).
 * Threads: $TACIT_BENCH_THREADS, else the usable cores (the probe's).
 * The cold run also saves the state (its figure includes the write; the note says how
 * long the prompt took); the warm run loads it. Then the same in an 8192-token context,
 * where the meeting is longer than the context and the answer comes from the window
 * that matches the question (TACIT_BENCH_ASK_NO_WINDOWS=1 skips it).
 */
#include "bench.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yyjson.h>

struct ttft {
	double start, first;
};

static void on_token(const char *piece, size_t len, void *user)
{
	struct ttft *t = user;
	(void)piece;
	(void)len;
	if (!t->first)
		t->first = bench_now();
}

static void log_stderr(enum tacit_log_level level, const char *line, void *user)
{
	(void)level;
	(void)user;
	fprintf(stderr, "%s\n", line);
}

/* QMSum turns up to about want words into path; the word count goes to *words and the
 * token count (by the model's own tokenizer, to size the context) to *tokens. */
static bool make_meeting(struct tacit_llm *llm, const char *src, const char *path, long want, long *words,
			 int *tokens)
{
	yyjson_doc *doc = yyjson_read_file(src, 0, NULL, NULL);
	yyjson_val *turns = yyjson_obj_get(yyjson_doc_get_root(doc), "meeting_transcripts"), *t;
	yyjson_mut_doc *out = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *root = yyjson_mut_obj(out);
	yyjson_mut_val *arr = yyjson_mut_obj_add_arr(out, root, "meeting_transcripts");
	yyjson_mut_doc_set_root(out, root);
	*words = 0;
	*tokens = 0;
	for (int round = 0; yyjson_arr_size(turns) && *words < want && round < 10; round++) {
		size_t i, max;
		yyjson_arr_foreach(turns, i, max, t)
		{
			const char *c = yyjson_get_str(yyjson_obj_get(t, "content"));
			const char *s = yyjson_get_str(yyjson_obj_get(t, "speaker"));
			int n = 0;
			if (!c || *words >= want || tacit_llm_count_tokens(llm, c, &n) != TACIT_OK)
				continue;
			for (const char *p = c; *p; p++)
				*words += *p != ' ' && (p[1] == ' ' || !p[1]);
			*tokens += n + 12; /* the line's "[S12 03:15] Speaker:" */
			yyjson_mut_val *o = yyjson_mut_arr_add_obj(out, arr);
			yyjson_mut_obj_add_str(out, o, "speaker", s ? s : "");
			yyjson_mut_obj_add_str(out, o, "content", c);
		}
	}
	bool ok = *tokens > 0 && yyjson_mut_write_file(path, out, 0, NULL, NULL);
	yyjson_mut_doc_free(out);
	yyjson_doc_free(doc);
	return ok;
}

static int ask(struct tacit_store *s, int64_t id, const struct tacit_llm_params *lp, double *ttft_ms,
	       struct tacit_session_task_result *res)
{
	struct tacit_llm *llm = NULL;
	struct ttft t = { 0, 0 };
	struct tacit_session_task_params p = tacit_session_task_default_params();
	p.meeting.task = TACIT_TASK_ANSWER;
	p.meeting.question = "What did they decide about the transcription?";
	p.meeting.max_tokens = 48; /* the first token is what counts */
	p.meeting.on_token = on_token;
	p.meeting.user = &t;
	if (tacit_llm_open(lp, &llm) != TACIT_OK) {
		fprintf(stderr, "bench ask_state: %s\n", tacit_errmsg());
		return 1;
	}
	t.start = bench_now();
	enum tacit_status st = tacit_session_task(s, id, llm, &p, res);
	tacit_llm_close(llm);
	if (st != TACIT_OK || !t.first) {
		fprintf(stderr, "bench ask_state: %s\n", st != TACIT_OK ? tacit_errmsg() : "no token");
		return 1;
	}
	*ttft_ms = (t.first - t.start) * 1e3;
	return 0;
}

int main(void)
{
	char home[] = "/tmp/tacit-bench-XXXXXX", file[PATH_MAX];
	bench_use_built_worker();
	const char *model = getenv("TACIT_BENCH_MODEL") ? getenv("TACIT_BENCH_MODEL")
							: "build/models/llama-3.2-1b-Q4_K_M.gguf";
	const char *src = "../shared/data/qmsum-sample/Bmr003.json";
	long minutes = getenv("TACIT_BENCH_ASK_MINUTES") ? atol(getenv("TACIT_BENCH_ASK_MINUTES")) : 60;
	long want = (minutes > 0 ? minutes : 60) * 150;
	int threads = bench_threads();
	long words = 0;
	if (access(model, R_OK) != 0 || access(src, R_OK) != 0) {
		fprintf(stderr, "bench ask_state: needs %s and %s (bench/models.sh makes the model)\n", model, src);
		return 0;
	}
	if (getenv("TACIT_BENCH_VERBOSE")) /* the plan and each call's reuse on stderr */
		tacit_log_set(log_stderr, NULL, TACIT_LOG_INFO);
	if (!mkdtemp(home))
		return 1;
	setenv("TACIT_HOME", home, 1);
	snprintf(file, sizeof(file), "%s/meeting.json", home);
	struct tacit_store *s = NULL;
	struct tacit_llm *counter = NULL;
	struct tacit_llm_params lp = tacit_llm_default_params();
	int64_t id = 0;
	int tokens = 0;
	lp.model_path = model;
	lp.n_threads = threads;
	if (tacit_llm_open(&lp, &counter) != TACIT_OK ||
	    !make_meeting(counter, src, file, want, &words, &tokens) || tacit_store_open(NULL, &s) != TACIT_OK ||
	    tacit_store_import(s, file, NULL, &id) != TACIT_OK) {
		fprintf(stderr, "bench ask_state: cannot make the meeting: %s\n", tacit_errmsg());
		return 1;
	}
	tacit_llm_close(counter);
	int est = tokens;
	lp.n_ctx_cap = (tokens + 2048) / 1024 * 1024 + 1024; /* the whole meeting in one pass */
	struct tacit_session_task_result cold = { 0 }, warm = { 0 };
	double cold_ms = 0, warm_ms = 0;
	int rc = ask(s, id, &lp, &cold_ms, &cold) || ask(s, id, &lp, &warm_ms, &warm);
	if (!rc) {
		char note[512];
		const char *base = strrchr(model, '/');
		snprintf(note, sizeof(note),
			 "%s, %d threads, %ld-minute meeting: %ld words (%d tokens), new worker each; cold: state %s; warm: state %s, "
			 "%d tokens reused",
			 base ? base + 1 : model, threads, minutes, words, est, cold.state == TACIT_STATE_SAVED ? "saved" : "?",
			 warm.state == TACIT_STATE_LOADED ? "loaded" : "NOT loaded", warm.n_reused);
		bench_emit("ask_ttft_saved_state_ms", warm_ms, "ms", "cold (transcript read again)", cold_ms, 0, note);
	}
	tacit_session_task_result_release(&cold);
	tacit_session_task_result_release(&warm);

	/* The same meeting in the fit scorer's default context (8192): longer than the
	 * context, so the answer comes from the window that matches the question, read and
	 * saved the first time, loaded the next. */
	struct tacit_llm_params wp = lp;
	wp.n_ctx = 8192;
	wp.n_ctx_cap = 0;
	if (!rc && tokens > wp.n_ctx && !getenv("TACIT_BENCH_ASK_NO_WINDOWS")) {
		struct tacit_session_task_result wc = { 0 }, ww = { 0 };
		double wc_ms = 0, ww_ms = 0;
		rc = ask(s, id, &wp, &wc_ms, &wc) || ask(s, id, &wp, &ww_ms, &ww);
		if (!rc) {
			char note[512];
			const char *base = strrchr(model, '/');
			snprintf(note, sizeof(note),
				 "%s, %d threads, %ld-minute meeting (%d tokens) in an 8192 context: %d windows, answered "
				 "from window %d; cold: window state %s; warm: %d state loaded, %d tokens reused",
				 base ? base + 1 : model, threads, minutes, est, ww.n_windows, ww.answer_window,
				 wc.states_saved == 1 ? "saved" : "?", ww.states_loaded, ww.n_reused);
			bench_emit("ask_ttft_window_state_ms", ww_ms, "ms", "cold (the window read again)", wc_ms, 0, note);
		}
		tacit_session_task_result_release(&wc);
		tacit_session_task_result_release(&ww);
	}
	tacit_store_session_delete(s, id);
	tacit_store_close(s);
	bench_remove_home(home, "ask_state");
	return rc;
}
