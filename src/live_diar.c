/*
 * live_diar.c — live speaker labels: a thread of the meeting that embeds each final
 * segment of the meeting's channel ("Them" with two channels, the only one with one) in
 * a diarization worker of its own (the embedding model alone), labels it "Speaker N" by
 * incremental clustering (diar_live.c), clusters the meeting so far again every few
 * segments (each voice keeping its number) and relabels earlier segments as the voices
 * settle; at the stop it reclusters the whole meeting once more. It runs after a segment is
 * stored and never holds the transcription: its failure is a warning, labels stop, and
 * the meeting goes on. Locks: its own mu (the audio ring, the jobs) is innermost;
 * announce() takes it under seg_mu; this thread takes seg_mu (to relabel and queue its
 * events, so they follow the FINAL event of their segment) with nothing else held.
 */
#include "internal.h"

#include "diar_live.h"
#include "diar_run.h"
#include "live_int.h"
#include "store.h"
#include "workerproc.h"

#include <unistd.h>

/* The channel's last RING_S seconds: a segment is final seconds after its audio came,
 * and is labelled seconds after that even on a loaded machine. */
#define RING_S 120
/* The meeting so far is clustered again (diar_live_settle()) after every segment while
 * it has up to SETTLE_SHARE of them, then every n / SETTLE_SHARE: the cost grows with the
 * square of n (a 60-minute meeting's 700 segments: about 50 ms each time). */
#define SETTLE_SHARE 100
/* As a final segment's write (live_final.c): seg_mu is held meanwhile. */
#define STORE_TRY_MS 200

struct diar_job {
	int64_t segment_no;
	int64_t start_ms, end_ms; /* on the session's timeline */
	double t_final;           /* clock_now_s() when it was announced */
};

struct live_diar {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	float *ring;      /* RING_S seconds of the channel, circular */
	size_t ring_cap;  /* samples */
	int64_t ring_end; /* samples of this run pushed so far */
	struct diar_job *jobs;
	size_t n_jobs, cap_jobs;
	bool eof, quit;
	pthread_t thread;
	bool started;

	/* the thread's own */
	char *model_path;
	float threshold;
	int channel;
	struct workerproc w;
	struct diar_live *cl;
	bool off; /* a failure turned labels off */
	long long id;
	int n_labelled;
	int since_settle; /* segments labelled since the last settle */
	double lat_sum, lat_max;
	double cpu_s;    /* the worker's CPU time, read before it stops */
	double thread_s; /* the labelling thread's own CPU time (clustering, copies) */
};

/* The label a segment of the diarized channel comes with. */
static const char *channel_label(const struct tacit_live *l)
{
	return tacit_speaker_name(l->p.n_channels == 2 ? TACIT_SPEAKER_THEM : TACIT_SPEAKER_UNKNOWN);
}

static void speaker_label(int k, char *out, size_t size)
{
	snprintf(out, size, "Speaker %d", k + 1);
}

/* user+system seconds of process pid (Linux /proc), 0 when unknown. */
static double proc_cpu_s(pid_t pid)
{
	char path[64], line[1024];
	unsigned long long ut = 0, stt = 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = pid > 0 ? fopen(path, "r") : NULL;
	if (!f)
		return 0.0;
	size_t n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = '\0';
	const char *p = strrchr(line, ')'); /* the name may hold spaces */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &stt) != 2)
		return 0.0;
	long hz = sysconf(_SC_CLK_TCK);
	return hz > 0 ? (double)(ut + stt) / (double)hz : 0.0;
}

static void warn_off(struct tacit_live *l, struct live_diar *d, const char *what)
{
	d->off = true;
	live_emit_text(l, TACIT_LIVE_WARNING, "speaker labels are off for the rest of this meeting: %s: %s", what,
		       tacit_errmsg());
	tacit_clear_error();
}

/* Stores and announces the clusterer's changes; final: the stop's recluster. */
static void apply_changes(struct tacit_live *l, struct live_diar *d, const struct diar_job *job, bool final)
{
	size_t n;
	const struct diar_live_change *c = diar_live_changes(d->cl, &n);
	bool failed = false;
	char msg[512] = "";

	if (!n)
		return;
	pthread_mutex_lock(&l->seg_mu);
	int old = store_set_busy_ms(l->seg_store, STORE_TRY_MS);
	for (size_t i = 0; i < n; i++) {
		char label[32], prev[32], json[160];
		speaker_label(c[i].to, label, sizeof(label));
		if (c[i].from >= 0)
			speaker_label(c[i].from, prev, sizeof(prev));
		else
			snprintf(prev, sizeof(prev), "%s", channel_label(l));
		if (!failed && store_segment_relabel(l->seg_store, l->session_id, c[i].segment_no, label) != TACIT_OK) {
			snprintf(msg, sizeof(msg), "%s", tacit_errmsg());
			tacit_clear_error();
			failed = true;
		}
		double lat_ms = job && c[i].segment_no == job->segment_no ? (clock_now_s() - job->t_final) * 1000.0 : 0.0;
		snprintf(json, sizeof(json), "{\"revised\":%s,\"final_pass\":%s,\"latency_ms\":%.0f}",
			 c[i].from >= 0 ? "true" : "false", final ? "true" : "false", lat_ms);
		struct tacit_live_event ev = { .type = TACIT_LIVE_SPEAKER, .segment_no = c[i].segment_no,
					       .speaker = TACIT_SPEAKER_DIARIZED + (c[i].to < 63 ? c[i].to : 63),
					       .label = label, .text = prev, .json = json };
		if (job && c[i].segment_no == job->segment_no) {
			ev.start_ms = job->start_ms;
			ev.end_ms = job->end_ms;
			d->n_labelled++;
			d->lat_sum += lat_ms;
			d->lat_max = lat_ms > d->lat_max ? lat_ms : d->lat_max;
		}
		live_event_queue(l, &ev);
	}
	if (final && !failed && store_speakers_prune(l->seg_store, l->session_id) != TACIT_OK)
		tacit_clear_error();
	store_set_busy_ms(l->seg_store, old);
	pthread_mutex_unlock(&l->seg_mu);
	live_event_deliver(l);
	if (failed) /* the events stand; the store keeps the channel's label for these */
		live_emit_text(l, TACIT_LIVE_WARNING, "cannot store a speaker label: %s", msg);
}

/* One segment: its samples (copied out of the ring) embedded, labelled, told. */
static void label_segment(struct tacit_live *l, struct live_diar *d, const struct diar_job *job, const float *pcm,
			  size_t n)
{
	float *embs = NULL;
	size_t n_embs = 0;
	int dim = 0;

	if (!d->id) {
		struct tacit_diar_params dp = tacit_diar_default_params();
		dp.embedding_model = d->model_path;
		dp.n_threads = 1;
		d->id = 1;
		if (diar_worker_load(&d->w, &dp) != TACIT_OK) {
			warn_off(l, d, "cannot load the speaker model");
			return;
		}
	}
	if (diar_worker_embed(&d->w, ++d->id, pcm, n, &embs, &n_embs, &dim) != TACIT_OK) {
		warn_off(l, d, "the speaker model failed");
		return;
	}
	if (n_embs == 0) { /* under 0.4 s of audio: too little to tell a voice */
		free(embs);
		return;
	}
	for (size_t i = 1; i < n_embs; i++)
		for (int j = 0; j < dim; j++)
			embs[j] += embs[i * (size_t)dim + (size_t)j];
	if (!d->cl && !(d->cl = diar_live_new(dim, d->threshold)))
		tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	if (!d->cl || dim != diar_live_dim(d->cl)) {
		if (d->cl)
			tacit_fail(TACIT_ERR_WORKER, "the speaker model's answer changed size");
		free(embs);
		warn_off(l, d, "cannot label speakers");
		return;
	}
	enum tacit_status st =
		diar_live_add(d->cl, job->segment_no, embs, (float)n / TACIT_AUDIO_RATE);
	free(embs);
	if (st == TACIT_ERR_USAGE) { /* silence embeds to nothing: no label */
		tacit_clear_error();
		return;
	}
	if (st != TACIT_OK) {
		warn_off(l, d, "cannot label speakers");
		return;
	}
	apply_changes(l, d, job, false);
	/* the voices heard so far, clustered as the stop will: the labels shown during the
	 * meeting are then as good as the stop's (each keeps its number) */
	if (++d->since_settle * SETTLE_SHARE >= d->n_labelled) {
		d->since_settle = 0;
		if (diar_live_settle(d->cl) != TACIT_OK) {
			warn_off(l, d, "cannot recluster the meeting's speakers");
			return;
		}
		apply_changes(l, d, NULL, false);
	}
}

static void *diar_main(void *arg)
{
	struct tacit_live *l = arg;
	struct live_diar *d = l->diar;
	float *pcm = NULL;
	size_t pcm_cap = 0;

	pthread_mutex_lock(&d->mu);
	for (;;) {
		while (!d->n_jobs && !d->eof && !d->quit)
			pthread_cond_wait(&d->cond, &d->mu);
		if (d->quit || (!d->n_jobs && d->eof))
			break;
		struct diar_job job = d->jobs[0];
		memmove(d->jobs, d->jobs + 1, --d->n_jobs * sizeof(*d->jobs));
		/* the segment's samples, when the ring still has them (a segment from
		 * tacit_live_add_segment() has none) */
		int64_t a = (job.start_ms - l->offset_ms) * (TACIT_AUDIO_RATE / 1000);
		int64_t b = (job.end_ms - l->offset_ms) * (TACIT_AUDIO_RATE / 1000);
		size_t n = 0;
		if (!d->off && a >= 0 && b > a && b <= d->ring_end && d->ring_end - a <= (int64_t)d->ring_cap) {
			n = (size_t)(b - a);
			if (n > pcm_cap) {
				float *p = realloc(pcm, n * sizeof(float));
				if (p) {
					pcm = p;
					pcm_cap = n;
				}
			}
			if (n > pcm_cap)
				n = 0; /* out of memory: this one goes without a label */
			for (size_t i = 0; i < n; i++)
				pcm[i] = d->ring[(size_t)(a + (int64_t)i) % d->ring_cap];
		}
		pthread_mutex_unlock(&d->mu);
		if (n)
			label_segment(l, d, &job, pcm, n);
		pthread_mutex_lock(&d->mu);
	}
	bool final = d->eof && !d->quit;
	pthread_mutex_unlock(&d->mu);
	free(pcm);
	d->cpu_s = proc_cpu_s(d->w.pid);
	d->thread_s = clock_thread_cpu_s(); /* the live labels' share, before the stop's recluster */
	workerproc_stop(&d->w, !final);
	size_t n_revised = 0;
	int n_speakers = 0;
	if (final && d->cl && !d->off) {
		if (diar_live_recluster(d->cl) == TACIT_OK) {
			diar_live_changes(d->cl, &n_revised);
			n_speakers = diar_live_speakers(d->cl);
			apply_changes(l, d, NULL, true);
		} else {
			warn_off(l, d, "cannot recluster the meeting's speakers");
		}
	}
	if (final && d->n_labelled && !d->off)
		live_emit_text(l, TACIT_LIVE_STATUS,
			       "speaker labels: %d segments labelled, latency mean %.0f ms, max %.0f ms; the stop's "
			       "recluster found %d speakers and revised %zu labels; speaker model CPU %.2f s, "
			       "labelling thread CPU %.2f s",
			       d->n_labelled, d->lat_sum / d->n_labelled, d->lat_max, n_speakers, n_revised, d->cpu_s,
			       d->thread_s);
	return NULL;
}

enum tacit_status live_diar_open(struct tacit_live *l)
{
	char *path = NULL;
	struct live_diar *d;

	if (!l->p.transcribe || !l->p.speaker_model || !*l->p.speaker_model)
		return TACIT_OK;
	if (tacit_model_resolve(TACIT_MODEL_SPEAKER, l->p.speaker_model, &path) != TACIT_OK) {
		live_emit_text(l, TACIT_LIVE_WARNING, "no speaker labels: %s", tacit_errmsg());
		tacit_clear_error();
		return TACIT_OK;
	}
	if (!(d = calloc(1, sizeof(*d))) || !(d->ring = malloc((size_t)RING_S * TACIT_AUDIO_RATE * sizeof(float)))) {
		free(d);
		free(path);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	d->ring_cap = (size_t)RING_S * TACIT_AUDIO_RATE;
	d->model_path = path;
	d->threshold = l->p.speaker_threshold > 0.0f ? l->p.speaker_threshold : TACIT_DIAR_LIVE_THRESHOLD;
	d->channel = l->p.n_channels == 2 ? 1 : 0;
	workerproc_init(&d->w, "speaker model worker", "onnxruntime");
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cond, NULL);
	l->diar = d;
	if (pthread_create(&d->thread, NULL, diar_main, l) != 0) {
		l->diar = NULL;
		live_diar_free(d);
		return tacit_fail(TACIT_ERR_NOMEM, "cannot start the speaker labelling thread");
	}
	d->started = true;
	return TACIT_OK;
}

void live_diar_audio(struct tacit_live *l, const float *pcm, size_t frames)
{
	struct live_diar *d = l->diar;
	int ch = l->p.n_channels;
	if (!d)
		return;
	pthread_mutex_lock(&d->mu);
	for (size_t i = 0; i < frames; i++)
		d->ring[(size_t)(d->ring_end + (int64_t)i) % d->ring_cap] = pcm[i * (size_t)ch + (size_t)d->channel];
	d->ring_end += (int64_t)frames;
	pthread_mutex_unlock(&d->mu);
}

void live_diar_segment(struct tacit_live *l, int64_t segment_no, const char *label, int64_t start_ms, int64_t end_ms)
{
	struct live_diar *d = l->diar;
	if (!d || strcmp(label ? label : "", channel_label(l)))
		return;
	pthread_mutex_lock(&d->mu);
	if (d->n_jobs == d->cap_jobs) {
		size_t nc = d->cap_jobs ? d->cap_jobs * 2 : 16;
		struct diar_job *p = realloc(d->jobs, nc * sizeof(*p));
		if (!p) { /* that segment keeps the channel's label */
			pthread_mutex_unlock(&d->mu);
			return;
		}
		d->jobs = p;
		d->cap_jobs = nc;
	}
	d->jobs[d->n_jobs++] = (struct diar_job){ segment_no, start_ms, end_ms, clock_now_s() };
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->mu);
}

static void end_thread(struct live_diar *d, bool quit)
{
	if (!d || !d->started)
		return;
	pthread_mutex_lock(&d->mu);
	d->eof = true;
	d->quit = d->quit || quit;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->thread, NULL);
	d->started = false;
}

void live_diar_finish(struct tacit_live *l)
{
	end_thread(l->diar, false);
}

void live_diar_free(struct live_diar *d)
{
	if (!d)
		return;
	end_thread(d, true);
	workerproc_release(&d->w);
	diar_live_free(d->cl);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->cond);
	free(d->ring);
	free(d->jobs);
	free(d->model_path);
	free(d);
}
