/*
 * live_event.c — events to the application: the one door through which every thread of a
 * live meeting tells the caller's callback, and an event as one JSON line. Callbacks are
 * serialized: one call at a time.
 */
#include "internal.h"

#include "live_int.h"

#include <stdarg.h>

static const char *const event_names[] = { "partial", "final",  "summary", "suggestion", "answer_delta",
					   "answer",  "status", "warning", "stopped" };

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
	if (ev->type == TACIT_LIVE_PARTIAL || ev->type == TACIT_LIVE_FINAL) {
		if (ev->type == TACIT_LIVE_FINAL)
			yyjson_mut_obj_add_sint(d, o, "segment", ev->segment_no);
		yyjson_mut_obj_add_real(d, o, "start", (double)ev->start_ms / 1000.0);
		yyjson_mut_obj_add_real(d, o, "end", (double)ev->end_ms / 1000.0);
		yyjson_mut_obj_add_str(d, o, "speaker", ev->label ? ev->label : "");
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

void live_emit(struct tacit_live *l, struct tacit_live_event *ev)
{
	if (!l->p.on_event)
		return;
	ev->session_id = l->session_id;
	if (!ev->text)
		ev->text = "";
	if (!ev->label)
		ev->label = "";
	pthread_mutex_lock(&l->ev_mu);
	l->p.on_event(ev, l->p.user);
	pthread_mutex_unlock(&l->ev_mu);
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

