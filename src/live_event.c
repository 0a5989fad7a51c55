/*
 * live_event.c — events to the application: the one door through which every thread of a
 * live meeting tells the caller's callback, and an event as one JSON line. Events go
 * through a queue: one callback at a time, in the order they were queued, and never
 * with a lock of the meeting held (a callback may call back into the meeting).
 */
#include "internal.h"

#include "live_int.h"

#include <math.h>
#include <stdarg.h>

static const char *const event_names[] = { "partial", "final",   "summary", "suggestion", "answer_delta", "answer",
					   "status",  "warning", "stopped", "meter",      "speaker" };

char *tacit_live_event_json(const struct tacit_live_event *ev)
{
	if (!ev || (unsigned)ev->type >= ARRAY_SIZE(event_names))
		return NULL;
	yyjson_mut_doc *d = yyjson_mut_doc_new(NULL);
	yyjson_doc *data = NULL;
	char *out = NULL;
	if (!d)
		return NULL;
	yyjson_mut_val *o = yyjson_mut_obj(d);
	yyjson_mut_doc_set_root(d, o);
	yyjson_mut_obj_add_str(d, o, "type", event_names[ev->type]);
	yyjson_mut_obj_add_sint(d, o, "session", ev->session_id);
	if (ev->type == TACIT_LIVE_PARTIAL || ev->type == TACIT_LIVE_FINAL || ev->type == TACIT_LIVE_SPEAKER) {
		if (ev->type != TACIT_LIVE_PARTIAL)
			yyjson_mut_obj_add_sint(d, o, "segment", ev->segment_no);
		yyjson_mut_obj_add_real(d, o, "start", (double)ev->start_ms / 1000.0);
		yyjson_mut_obj_add_real(d, o, "end", (double)ev->end_ms / 1000.0);
		yyjson_mut_obj_add_str(d, o, "speaker", ev->label ? ev->label : "");
	}
	if (ev->type == TACIT_LIVE_METER) {
		yyjson_mut_obj_add_real(d, o, "audio", (double)ev->end_ms / 1000.0);
		yyjson_mut_obj_add_real(d, o, "lag", (double)ev->lag_ms / 1000.0);
		yyjson_mut_val *levels = yyjson_mut_obj_add_arr(d, o, "levels");
		for (int c = 0; c < ev->n_levels && c < 2; c++) {
			yyjson_mut_val *lv = yyjson_mut_arr_add_obj(d, levels);
			yyjson_mut_obj_add_str(d, lv, "speaker",
					       ev->n_levels == 2 ? tacit_speaker_name(c ? TACIT_SPEAKER_THEM : TACIT_SPEAKER_ME) : "");
			/* one decimal is what a meter shows */
			yyjson_mut_obj_add_real(d, lv, "rms_dbfs", round(ev->rms_dbfs[c] * 10.0) / 10.0);
			yyjson_mut_obj_add_real(d, lv, "peak_dbfs", round(ev->peak_dbfs[c] * 10.0) / 10.0);
		}
	}
	if (ev->type == TACIT_LIVE_ANSWER || ev->type == TACIT_LIVE_ANSWER_DELTA)
		yyjson_mut_obj_add_uint(d, o, "request", ev->request_id);
	yyjson_mut_obj_add_str(d, o, "text", ev->text ? ev->text : "");
	if (ev->json && (data = yyjson_read(ev->json, strlen(ev->json), 0)) != NULL)
		yyjson_mut_obj_add_val(d, o, "data", yyjson_val_mut_copy(d, yyjson_doc_get_root(data)));
	out = yyjson_mut_write(d, 0, NULL);
	yyjson_doc_free(data);
	yyjson_mut_doc_free(d);
	return out;
}

/* An event waiting for the callback, with its own copies of the strings. */
struct live_event_node {
	struct tacit_live_event ev;
	struct live_event_node *next;
	char data[]; /* label, text, json */
};

void live_event_queue(struct tacit_live *l, const struct tacit_live_event *ev)
{
	if (!l->p.on_event)
		return;
	const char *label = ev->label ? ev->label : "", *text = ev->text ? ev->text : "";
	size_t nl = strlen(label) + 1, nt = strlen(text) + 1, nj = ev->json ? strlen(ev->json) + 1 : 0;
	struct live_event_node *n = malloc(sizeof(*n) + nl + nt + nj);
	if (!n) { /* the meeting goes on; its store has everything an event tells */
		tacit_log(TACIT_LOG_WARN, "live: out of memory: an event was dropped");
		return;
	}
	n->ev = *ev;
	n->ev.session_id = l->session_id;
	n->ev.label = memcpy(n->data, label, nl);
	n->ev.text = memcpy(n->data + nl, text, nt);
	n->ev.json = ev->json ? memcpy(n->data + nl + nt, ev->json, nj) : NULL;
	n->next = NULL;
	pthread_mutex_lock(&l->ev_mu);
	if (l->ev_tail)
		l->ev_tail->next = n;
	else
		l->ev_head = n;
	l->ev_tail = n;
	pthread_mutex_unlock(&l->ev_mu);
}

/* The callback runs with no lock of the meeting held, so it may call back into it
 * (tacit_live_add_segment() from a FINAL event); the events that call queues are
 * delivered after it returns, by this same loop. */
void live_event_deliver(struct tacit_live *l)
{
	pthread_mutex_lock(&l->ev_mu);
	if (l->ev_delivering) { /* that thread takes ours too, in order */
		pthread_mutex_unlock(&l->ev_mu);
		return;
	}
	l->ev_delivering = true;
	l->ev_thread = pthread_self();
	while (l->ev_head) {
		struct live_event_node *n = l->ev_head;
		if (!(l->ev_head = n->next))
			l->ev_tail = NULL;
		pthread_mutex_unlock(&l->ev_mu);
		l->p.on_event(&n->ev, l->p.user);
		free(n);
		pthread_mutex_lock(&l->ev_mu);
	}
	l->ev_delivering = false;
	pthread_cond_broadcast(&l->ev_cond);
	pthread_mutex_unlock(&l->ev_mu);
}

void live_event_flush(struct tacit_live *l)
{
	live_event_deliver(l);
	pthread_mutex_lock(&l->ev_mu);
	/* from inside the callback the events queued wait for it to return */
	while ((l->ev_delivering || l->ev_head) && !(l->ev_delivering && pthread_equal(l->ev_thread, pthread_self())))
		pthread_cond_wait(&l->ev_cond, &l->ev_mu);
	pthread_mutex_unlock(&l->ev_mu);
}

void live_event_discard(struct tacit_live *l)
{
	while (l->ev_head) {
		struct live_event_node *n = l->ev_head;
		l->ev_head = n->next;
		free(n);
	}
	l->ev_tail = NULL;
}

void live_emit(struct tacit_live *l, const struct tacit_live_event *ev)
{
	if (!l->p.on_event)
		return;
	live_event_queue(l, ev);
	live_event_deliver(l);
}

void live_emit_text(struct tacit_live *l, enum tacit_live_event_type type, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tacit_log(type == TACIT_LIVE_WARNING ? TACIT_LOG_WARN : TACIT_LOG_INFO, "%s", msg);
	struct tacit_live_event ev = { .type = type, .text = msg };
	live_emit(l, &ev);
}

