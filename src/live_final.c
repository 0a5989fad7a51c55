/*
 * live_final.c — the one door of final segments (whisper's and tacit_live_add_segment()'s):
 * a final segment is committed to the store before anyone hears of it, then announced
 * and queued for the analysis thread. While another process holds the store's write lock
 * it waits, in order, in memory and in a journal on disk (store_journal.c); the ones
 * after it queue behind it; it is announced once committed. Retries come from each new
 * final, the transcription thread's loop and the stop: a busy store never ends a meeting.
 */
#include "internal.h"

#include "live_int.h"
#include "store.h"

#include <unistd.h>

/* How long one try waits for another writer's lock: short, as the transcription thread
 * (holding seg_mu) must go back to the audio. */
#define STORE_TRY_MS 200
/* How often the stop tries again while segments wait. */
#define STOP_RETRY_MS 100

struct held {
	char *label, *text;
	int64_t start_ms, end_ms;
	float confidence;
};

static int speaker_of_label(const char *label)
{
	if (label && !strcmp(label, "Me"))
		return TACIT_SPEAKER_ME;
	if (label && !strcmp(label, "Them"))
		return TACIT_SPEAKER_THEM;
	return TACIT_SPEAKER_UNKNOWN;
}

/* Hands a copy of the segment to the analysis thread; with seg_mu held, so the queue's
 * order is the store's (the model cites segments by their place in it). */
static enum tacit_status queue_pending(struct tacit_live *l, const struct tacit_segment *seg)
{
	enum tacit_status st = TACIT_OK;
	struct pending p = { strdup(seg->speaker ? seg->speaker : ""), strdup(seg->text), seg->start_ms, seg->end_ms };
	pthread_mutex_lock(&l->q_mu);
	if (!p.speaker || !p.text) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (l->n_pend == l->pend_alloc) {
		size_t na = l->pend_alloc ? l->pend_alloc * 2 : 64;
		struct pending *np = realloc(l->pend, na * sizeof(*np));
		if (!np) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			goto out;
		}
		l->pend = np;
		l->pend_alloc = na;
	}
	l->pend[l->n_pend++] = p;
	p.speaker = p.text = NULL;
	l->idle = false;
	pthread_cond_broadcast(&l->q_cond);
out:
	pthread_mutex_unlock(&l->q_mu);
	free(p.speaker);
	free(p.text);
	return st;
}

/* A committed segment: its number, its FINAL event and its place in the analysis queue,
 * all under seg_mu, so two producers cannot number in one order and tell in another. */
static enum tacit_status announce(struct tacit_live *l, const struct tacit_segment *seg)
{
	struct tacit_live_event ev = { .type = TACIT_LIVE_FINAL, .segment_no = ++l->n_segments,
				       .start_ms = seg->start_ms, .end_ms = seg->end_ms,
				       .speaker = speaker_of_label(seg->speaker), .label = seg->speaker,
				       .text = seg->text };
	live_event_queue(l, &ev);
	live_diar_segment(l, ev.segment_no, seg->speaker, seg->start_ms, seg->end_ms);
	return l->p.analyze ? queue_pending(l, seg) : TACIT_OK;
}

static void queue_text(struct tacit_live *l, enum tacit_live_event_type type, const char *text)
{
	struct tacit_live_event ev = { .type = type, .text = text };
	live_event_queue(l, &ev);
}

/* One try with a short wait; *busy: another writer held the lock (try again later). */
static enum tacit_status try_store(struct tacit_live *l, const struct tacit_segment *seg, bool *busy)
{
	int old = store_set_busy_ms(l->seg_store, STORE_TRY_MS);
	enum tacit_status st = tacit_store_add_segment(l->seg_store, l->session_id, seg, NULL);
	*busy = st != TACIT_OK && store_was_busy(l->seg_store);
	store_set_busy_ms(l->seg_store, old);
	return st;
}

static void set_n_held(struct tacit_live *l, size_t n)
{
	l->n_held = n;
	__atomic_store_n(&l->held_waiting, n > 0, __ATOMIC_RELEASE);
}

/* Keeps a segment the store cannot take now: in memory, and on disk before returning. */
static enum tacit_status hold(struct tacit_live *l, const struct tacit_segment *seg)
{
	char msg[640];
	if (l->n_held == l->held_alloc) {
		size_t na = l->held_alloc ? l->held_alloc * 2 : 16;
		struct held *nh = realloc(l->held, na * sizeof(*nh));
		if (!nh)
			return tacit_fail(TACIT_ERR_NOMEM, "out of memory keeping a segment for the store");
		l->held = nh;
		l->held_alloc = na;
	}
	struct held *h = &l->held[l->n_held];
	*h = (struct held){ strdup(seg->speaker ? seg->speaker : ""), strdup(seg->text), seg->start_ms, seg->end_ms,
			    seg->confidence };
	if (!h->label || !h->text) {
		free(h->label);
		free(h->text);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory keeping a segment for the store");
	}
	set_n_held(l, l->n_held + 1);
	if (!l->held_told) {
		l->held_told = true;
		queue_text(l, TACIT_LIVE_WARNING,
			   "the meetings database is busy (another tacit process is writing); segments are kept and will be saved");
	}
	enum tacit_status st = l->journal ? TACIT_OK : store_journal_open(l->seg_store, l->session_id, &l->journal);
	if (st == TACIT_OK)
		st = store_journal_append(l->journal, seg);
	if (st != TACIT_OK) { /* memory still has it: saved once the store is free */
		snprintf(msg, sizeof(msg), "a segment waiting for the store is kept in memory only: %s", tacit_errmsg());
		queue_text(l, TACIT_LIVE_WARNING, msg);
		tacit_clear_error();
	}
	return TACIT_OK;
}

/* Stores the waiting segments in order and announces each; stops at the first that the
 * store does not take. TACIT_OK while it is only busy; another failure is told once and
 * returned (the segments stay). With seg_mu held. */
static enum tacit_status flush_held(struct tacit_live *l)
{
	enum tacit_status st = TACIT_OK;
	size_t done = 0;
	while (done < l->n_held) {
		struct held *h = &l->held[done];
		struct tacit_segment seg = { .start_ms = h->start_ms, .end_ms = h->end_ms, .speaker = h->label,
					     .text = h->text, .confidence = h->confidence };
		bool busy = false;
		st = try_store(l, &seg, &busy);
		if (st != TACIT_OK) {
			if (busy) {
				tacit_clear_error();
				st = TACIT_OK;
			} else if (!l->held_err_told) {
				char msg[640];
				l->held_err_told = true;
				snprintf(msg, sizeof(msg), "cannot store the segments that wait for the store: %s",
					 tacit_errmsg());
				queue_text(l, TACIT_LIVE_WARNING, msg);
			}
			break;
		}
		if (announce(l, &seg) != TACIT_OK)
			tacit_log(TACIT_LOG_WARN, "live: a saved segment is not analysed: %s", tacit_errmsg());
		free(h->label);
		free(h->text);
		done++;
	}
	if (done) {
		memmove(l->held, l->held + done, (l->n_held - done) * sizeof(*l->held));
		set_n_held(l, l->n_held - done);
	}
	if (done && !l->n_held) {
		char msg[160];
		store_journal_clear(l->journal);
		snprintf(msg, sizeof(msg), "the meetings database is free again: the segments that waited are saved");
		queue_text(l, TACIT_LIVE_STATUS, msg);
		l->held_told = l->held_err_told = false;
	}
	return st;
}

enum tacit_status live_accept_final(struct tacit_live *l, const char *label, const char *text, int64_t start_ms,
				    int64_t end_ms, float confidence)
{
	struct tacit_segment seg = { .start_ms = start_ms, .end_ms = end_ms, .speaker = label ? label : "",
				     .text = text, .confidence = confidence };
	enum tacit_status st = TACIT_OK;
	bool busy = false;
	pthread_mutex_lock(&l->seg_mu);
	if (l->n_held)
		flush_held(l);
	if (l->n_held) { /* behind the ones waiting: the order stays the store's */
		st = hold(l, &seg);
	} else if ((st = try_store(l, &seg, &busy)) == TACIT_OK) {
		st = announce(l, &seg);
	} else if (busy) {
		tacit_clear_error();
		st = hold(l, &seg);
	}
	pthread_mutex_unlock(&l->seg_mu);
	live_event_deliver(l); /* with no lock held: the callback may add a segment itself */
	return st;
}

bool live_held_waiting(struct tacit_live *l)
{
	return __atomic_load_n(&l->held_waiting, __ATOMIC_ACQUIRE);
}

void live_held_retry(struct tacit_live *l)
{
	pthread_mutex_lock(&l->seg_mu);
	flush_held(l);
	pthread_mutex_unlock(&l->seg_mu);
	live_event_deliver(l);
}

enum tacit_status live_held_drain(struct tacit_live *l)
{
	for (;;) {
		pthread_mutex_lock(&l->seg_mu);
		enum tacit_status st = flush_held(l);
		size_t left = l->n_held;
		pthread_mutex_unlock(&l->seg_mu);
		live_event_deliver(l);
		if (!left)
			return TACIT_OK;
		if (st != TACIT_OK)
			return st;
		if (aborted(l))
			return tacit_fail(TACIT_ERR_CANCELLED, "the stop was aborted with segments waiting for the store");
		usleep(STOP_RETRY_MS * 1000);
	}
}

enum tacit_status live_store_retry(struct tacit_live *l, enum tacit_status (*fn)(struct tacit_live *l))
{
	for (;;) {
		pthread_mutex_lock(&l->seg_mu);
		int old = store_set_busy_ms(l->seg_store, STORE_TRY_MS);
		enum tacit_status st = fn(l);
		bool busy = st != TACIT_OK && store_was_busy(l->seg_store);
		store_set_busy_ms(l->seg_store, old);
		pthread_mutex_unlock(&l->seg_mu);
		if (!busy)
			return st;
		if (aborted(l))
			return st;
		tacit_clear_error();
		usleep(STOP_RETRY_MS * 1000);
	}
}

void live_held_release(struct tacit_live *l)
{
	for (size_t i = 0; i < l->n_held; i++) {
		free(l->held[i].label);
		free(l->held[i].text);
	}
	free(l->held);
	l->held = NULL;
	set_n_held(l, 0);
	store_journal_close(l->journal); /* kept when segments still wait: the next open stores them */
	l->journal = NULL;
}
