/*
 * import_fold.c — an imported recording analysed while it is transcribed: a live
 * meeting's analysis (tacit_live_open() with transcribe off, resuming the import's
 * session) takes each final segment as whisper finds it and folds windows meanwhile, so
 * the stop writes the summary and notes from the rolling state seconds after the last
 * segment. A transcript (or a recording whose speakers are known only at the end) is
 * stored first, and the same analysis reads it back and folds it at the stop. The
 * import owns the session and the recording; this file only feeds, stops and closes
 * the analysis, and joins every thread it starts.
 */
#include "internal.h"

#include "basics.h"
#include "import_fold.h"
#include "store.h"

#include <pthread.h>
#include <time.h>

struct import_fold {
	struct tacit_live *live;
};

void import_fold_threads(const struct tacit_audio_import_params *p, int *asr_threads, int *llm_threads)
{
	struct tacit_probe_params pp = tacit_probe_default_params();
	struct tacit_system sys;
	pp.bandwidth = 0;
	pp.devices = false;
	int cores = tacit_system_probe(&pp, &sys) == TACIT_OK && sys.n_cores_usable > 0 ? sys.n_cores_usable : 1;
	tacit_clear_error();
	/* whisper's request never waits on the model: the model gets a quarter of the cores
	 * (at least one) and whisper the rest, so the two teams of spinning ggml threads do
	 * not take turns on the same cores (see asr_gate() in live_asr.c) */
	int llm = p->llm_threads > 0 ? p->llm_threads : cores / 4 > 1 ? cores / 4 : 1;
	*llm_threads = llm;
	*asr_threads = p->n_threads > 0 ? p->n_threads : cores - llm > 1 ? cores - llm : 1;
}

enum tacit_status import_fold_open(struct tacit_store *s, int64_t session_id,
				   const struct tacit_audio_import_params *p, bool transcribing, struct import_fold **out)
{
	struct tacit_live_params lp = tacit_live_default_params();
	struct import_fold *f = calloc(1, sizeof(*f));
	char *setting = NULL;
	int asr_threads;
	enum tacit_status st;

	*out = NULL;
	if (!f)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	/* the template and language are the fold's from the first window: no second pass */
	lp.template_name = p->template_name;
	if ((!p->template_name || !*p->template_name) && (setting = store_default_template(s)))
		lp.template_name = setting;
	lp.output_language = p->output_language;
	if (transcribing)
		import_fold_threads(p, &asr_threads, &lp.llm_threads);
	else
		lp.llm_threads = p->llm_threads; /* nothing else runs: 0 gives it every core */
	lp.resume_id = session_id;
	lp.store_path = store_db_path(s);
	lp.llm_model = p->llm_model;
	lp.engine = p->llm_engine;
	lp.max_tokens = p->max_tokens;
	lp.transcribe = false;
	lp.record_audio = false;
	lp.suggest = 0; /* nobody reads suggestions during an import */
	lp.window_tokens = p->window_tokens;
	lp.n_ctx = p->n_ctx;
	lp.on_event = p->on_event;
	lp.user = p->event_user;
	st = tacit_live_open(&lp, &f->live);
	tacit_free(setting);
	if (st != TACIT_OK) {
		free(f);
		return st;
	}
	*out = f;
	return TACIT_OK;
}

enum tacit_status import_fold_segment(struct import_fold *f, const struct tacit_asr_segment *g, const char *label)
{
	struct tacit_segment seg = {
		.start_ms = g->start_ms,
		.end_ms = g->end_ms,
		.speaker = label,
		.text = g->text,
		.confidence = g->confidence,
	};
	return tacit_live_add_segment(f->live, &seg);
}

/* Ctrl-C during the stop: tacit_live_stop() blocks, so a thread of its own watches the
 * import's cancel flag and aborts the meeting (tacit_live_abort() takes any thread). */
struct watch {
	struct tacit_live *live;
	const volatile int *cancel;
	int done; /* atomic */
};

static void *watch_main(void *arg)
{
	struct watch *w = arg;
	const struct timespec tick = { 0, 50 * 1000 * 1000 };
	while (!cancel_requested(&w->done)) {
		if (cancel_requested(w->cancel)) {
			tacit_live_abort(w->live);
			break;
		}
		nanosleep(&tick, NULL);
	}
	return NULL;
}

enum tacit_status import_fold_finish(struct import_fold *f, const volatile int *cancel)
{
	struct watch w = { f->live, cancel, 0 };
	pthread_t thread;
	bool watching = false;
	enum tacit_status st;
	if (cancel_requested(cancel))
		return tacit_fail(TACIT_ERR_CANCELLED, "import cancelled");
	if (cancel)
		watching = pthread_create(&thread, NULL, watch_main, &w) == 0;
	st = tacit_live_stop(f->live, NULL);
	if (watching) {
		struct errsave e;
		errsave_push(&e);
		cancel_request(&w.done);
		pthread_join(thread, NULL);
		st = errsave_pop(&e, st);
	}
	return st;
}

void import_fold_close(struct import_fold *f)
{
	if (!f)
		return;
	tacit_live_close(f->live);
	free(f);
}
