/*
 * live_summary.c — the rolling state of a live meeting: title, overview, the summary
 * template's lists (general's: key points, decisions, action items, open questions) and
 * its other text sections, and one notes section per folded window, with next_segment:
 * the state always covers segments [1, next_segment). Pure: no locks, no I/O, no model
 * calls; the analysis thread calls the model, then live_roll_fold(), then stores the
 * result. Items keep only the cites inside their window. The general template's state
 * is the JSON it always was; another's also names its template.
 */
#include "internal.h"

#include "live.h"
#include "template.h"

#include <yyjson.h>

struct live_roll {
	yyjson_mut_doc *doc;       /* the JSON stored as the artifact "rolling_summary" */
	const struct template *tp; /* the caller's, never NULL */
};

static bool is_general(const struct template *tp)
{
	return !strcmp(tp->name, "general");
}

/* A text section other than the overview (which the fold rewrites for the whole meeting). */
static bool own_text(const struct template_section *sec)
{
	return sec->kind == TEMPLATE_TEXT && strcmp(sec->key, "overview");
}

static struct live_roll *roll_wrap(yyjson_mut_doc *d, const struct template *tp)
{
	struct live_roll *r = d ? malloc(sizeof(*r)) : NULL;
	if (!r) {
		yyjson_mut_doc_free(d);
		return NULL;
	}
	r->doc = d;
	r->tp = tp ? tp : template_builtin(0);
	return r;
}

struct live_roll *live_roll_new(const struct template *tp)
{
	yyjson_mut_doc *d = yyjson_mut_doc_new(NULL);
	if (!d)
		return NULL;
	if (!tp)
		tp = template_builtin(0);
	yyjson_mut_val *o = yyjson_mut_obj(d);
	yyjson_mut_doc_set_root(d, o);
	yyjson_mut_obj_add_str(d, o, "title", "");
	yyjson_mut_obj_add_str(d, o, "overview", "");
	for (size_t i = 0; i < tp->n; i++)
		if (tp->s[i].kind != TEMPLATE_TEXT)
			yyjson_mut_obj_add_val(d, o, tp->s[i].key, yyjson_mut_arr(d));
		else if (own_text(&tp->s[i]))
			yyjson_mut_obj_add_str(d, o, tp->s[i].key, "");
	yyjson_mut_obj_add_val(d, o, "sections", yyjson_mut_arr(d));
	yyjson_mut_obj_add_uint(d, o, "next_segment", 0);
	yyjson_mut_obj_add_uint(d, o, "windows", 0);
	if (!is_general(tp))
		yyjson_mut_obj_add_str(d, o, "template", tp->name);
	return roll_wrap(d, tp);
}

struct live_roll *live_roll_parse(const char *json, const struct template *tp)
{
	yyjson_doc *doc = json ? yyjson_read(json, strlen(json), 0) : NULL;
	yyjson_val *r = yyjson_doc_get_root(doc);
	if (!tp)
		tp = template_builtin(0);
	bool ok = yyjson_is_obj(r) && yyjson_is_str(yyjson_obj_get(r, "title")) &&
		  yyjson_is_str(yyjson_obj_get(r, "overview")) && yyjson_is_arr(yyjson_obj_get(r, "sections")) &&
		  yyjson_is_uint(yyjson_obj_get(r, "next_segment")) && yyjson_is_uint(yyjson_obj_get(r, "windows"));
	for (size_t i = 0; ok && i < tp->n; i++) {
		yyjson_val *v = yyjson_obj_get(r, tp->s[i].key);
		if (tp->s[i].kind != TEMPLATE_TEXT)
			ok = yyjson_is_arr(v);
		else if (own_text(&tp->s[i]))
			ok = yyjson_is_str(v);
	}
	/* a state folded with another template cannot go on with this one */
	const char *was = yyjson_get_str(yyjson_obj_get(r, "template"));
	ok = ok && !strcmp(was ? was : "general", tp->name);
	yyjson_mut_doc *m = ok ? yyjson_doc_mut_copy(doc, NULL) : NULL;
	yyjson_doc_free(doc);
	return m ? roll_wrap(m, tp) : NULL;
}

void live_roll_free(struct live_roll *r)
{
	if (!r)
		return;
	yyjson_mut_doc_free(r->doc);
	free(r);
}

char *live_roll_json(const struct live_roll *r)
{
	return yyjson_mut_write(r->doc, 0, NULL);
}

static uint64_t roll_uint(const struct live_roll *r, const char *key)
{
	return yyjson_mut_get_uint(yyjson_mut_obj_get(yyjson_mut_doc_get_root(r->doc), key));
}

static const char *roll_str(const struct live_roll *r, const char *key)
{
	const char *s = yyjson_mut_get_str(yyjson_mut_obj_get(yyjson_mut_doc_get_root(r->doc), key));
	return s ? s : "";
}

static void roll_set_uint(yyjson_mut_doc *d, const char *key, uint64_t v)
{
	yyjson_mut_val *r = yyjson_mut_doc_get_root(d);
	yyjson_mut_obj_put(r, yyjson_mut_str(d, key), yyjson_mut_uint(d, v));
}

static void roll_set_str(yyjson_mut_doc *d, const char *key, const char *v)
{
	yyjson_mut_val *r = yyjson_mut_doc_get_root(d);
	yyjson_mut_obj_put(r, yyjson_mut_str(d, key), yyjson_mut_strcpy(d, v ? v : ""));
}

const char *live_roll_title(const struct live_roll *r)
{
	return roll_str(r, "title");
}

const char *live_roll_overview(const struct live_roll *r)
{
	return roll_str(r, "overview");
}

bool live_roll_is_empty(const struct live_roll *r)
{
	return !*live_roll_title(r) && !*live_roll_overview(r);
}

uint64_t live_roll_next_segment(const struct live_roll *r)
{
	return roll_uint(r, "next_segment");
}

uint64_t live_roll_windows(const struct live_roll *r)
{
	return roll_uint(r, "windows");
}

/* A copy of item whose cites are limited to [lo, hi]; NULL when none is left. */
static yyjson_mut_val *copy_cited(yyjson_mut_doc *d, yyjson_val *item, long long lo, long long hi)
{
	yyjson_mut_val *c = yyjson_val_mut_copy(d, item);
	yyjson_mut_val *cites = yyjson_mut_obj_get(c, "cites");
	if (!yyjson_mut_is_arr(cites))
		return NULL;
	for (size_t i = 0; i < yyjson_mut_arr_size(cites);) {
		long long n = yyjson_mut_get_sint(yyjson_mut_arr_get(cites, i));
		if (n < lo || n > hi)
			yyjson_mut_arr_remove(cites, i);
		else
			i++;
	}
	return yyjson_mut_arr_size(cites) ? c : NULL;
}

/* The list the notes' bullets (and a question's recap) come from: the template's first
 * plain list (general's key points); -1 when it has none. */
static int bullet_list(const struct template *tp)
{
	for (size_t i = 0; i < tp->n; i++)
		if (tp->s[i].kind == TEMPLATE_LIST)
			return (int)i;
	return -1;
}

/* A notes bullet from an item of a per-speaker or actions list: "WHO: text". */
static yyjson_mut_val *bullet_of(yyjson_mut_doc *d, yyjson_mut_val *c, enum template_kind kind)
{
	const char *who = yyjson_mut_get_str(yyjson_mut_obj_get(c, kind == TEMPLATE_ACTIONS ? "owner" : "speaker"));
	const char *text = yyjson_mut_get_str(yyjson_mut_obj_get(c, kind == TEMPLATE_ACTIONS ? "task" : "text"));
	yyjson_mut_val *b = yyjson_mut_obj(d);
	struct buf line;
	buf_init(&line);
	buf_addf(&line, "%s: %s", who ? who : "", text ? text : "");
	yyjson_mut_obj_add_strncpy(d, b, "text", line.data, line.len);
	yyjson_mut_obj_add_val(d, b, "cites", yyjson_mut_val_mut_copy(d, yyjson_mut_obj_get(c, "cites")));
	buf_release(&line);
	return b;
}

/* Appends the window's lists and its notes section; first/end are the window's
 * segment indices (the section is [S first+1, S end]). The section's topic is the part's
 * "part" when it has one (the final call), else its "title"; its bullets are the items
 * of the template's first plain list, else those of its per-speaker and actions lists.
 * A text section of the template's own takes the part's text when it has one. */
static void roll_append(yyjson_mut_doc *d, const struct template *tp, yyjson_val *part, size_t first, size_t end)
{
	yyjson_mut_val *r = yyjson_mut_doc_get_root(d);
	yyjson_mut_val *sec = yyjson_mut_obj(d), *bullets = yyjson_mut_arr(d);
	long long lo = (long long)first + 1, hi = (long long)end;
	int from = bullet_list(tp);
	for (size_t k = 0; k < tp->n; k++) {
		yyjson_val *arr = yyjson_obj_get(part, tp->s[k].key), *item;
		const char *text = yyjson_get_str(arr);
		size_t i, max;
		if (own_text(&tp->s[k]) && text && *text)
			yyjson_mut_obj_put(r, yyjson_mut_str(d, tp->s[k].key), yyjson_mut_strcpy(d, text));
		if (tp->s[k].kind == TEMPLATE_TEXT)
			continue;
		yyjson_mut_val *dst = yyjson_mut_obj_get(r, tp->s[k].key);
		yyjson_arr_foreach(arr, i, max, item)
		{
			yyjson_mut_val *c = copy_cited(d, item, lo, hi);
			if (c)
				yyjson_mut_arr_append(dst, c);
			if (c && (int)k == from)
				yyjson_mut_arr_append(bullets, yyjson_mut_val_mut_copy(d, c));
			else if (c && from < 0)
				yyjson_mut_arr_append(bullets, bullet_of(d, c, tp->s[k].kind));
		}
	}
	const char *topic = yyjson_get_str(yyjson_obj_get(part, "part"));
	if (!topic)
		topic = yyjson_get_str(yyjson_obj_get(part, "title"));
	if (yyjson_mut_arr_size(bullets) == 0) {
		/* a window the model said nothing citable about still gets its place in the notes */
		const char *ov = yyjson_get_str(yyjson_obj_get(part, "overview"));
		yyjson_mut_val *b = yyjson_mut_obj(d), *cites = yyjson_mut_arr(d);
		yyjson_mut_obj_add_strcpy(d, b, "text", ov && *ov ? ov : "(no notes)");
		yyjson_mut_arr_add_sint(d, cites, lo);
		yyjson_mut_obj_add_val(d, b, "cites", cites);
		yyjson_mut_arr_append(bullets, b);
	}
	yyjson_mut_obj_add_strcpy(d, sec, "topic", topic && *topic ? topic : "Part");
	yyjson_mut_obj_add_sint(d, sec, "start", lo);
	yyjson_mut_obj_add_sint(d, sec, "end", hi);
	yyjson_mut_obj_add_val(d, sec, "bullets", bullets);
	yyjson_mut_arr_append(yyjson_mut_obj_get(r, "sections"), sec);
}


struct live_roll *live_roll_fold(const struct live_roll *prev, const char *part, size_t part_len, const char *title,
				 const char *overview, size_t first, size_t end)
{
	yyjson_mut_doc *d = yyjson_mut_doc_mut_copy(prev->doc, NULL);
	yyjson_doc *doc = part ? yyjson_read(part, part_len, 0) : NULL;
	if (!d) {
		yyjson_doc_free(doc);
		return NULL;
	}
	if (title && overview) {
		roll_set_str(d, "title", title);
		roll_set_str(d, "overview", overview);
	}
	if (yyjson_is_obj(yyjson_doc_get_root(doc)))
		roll_append(d, prev->tp, yyjson_doc_get_root(doc), first, end);
	roll_set_uint(d, "next_segment", end);
	roll_set_uint(d, "windows", roll_uint(prev, "windows") + 1);
	yyjson_doc_free(doc);
	return roll_wrap(d, prev->tp);
}

void live_roll_preface(const struct live_roll *r, struct buf *out)
{
	if (!live_roll_windows(r))
		return;
	buf_addf(out, "Earlier in the meeting:\nTitle: %s\nOverview: %s\n\nThe meeting since then.\n",
		 live_roll_title(r), live_roll_overview(r));
}

bool live_roll_recap(const struct live_roll *r, size_t number, struct buf *out, long long **earlier, size_t *n)
{
	int from = bullet_list(r->tp);
	*earlier = NULL;
	*n = 0;
	if (from < 0)
		return true;
	yyjson_mut_val *arr = yyjson_mut_obj_get(yyjson_mut_doc_get_root(r->doc), r->tp->s[from].key), *item;
	size_t i, max;
	long long *to = calloc(yyjson_mut_arr_size(arr) + 1, sizeof(*to));
	if (!to)
		return false;
	yyjson_mut_arr_foreach(arr, i, max, item)
	{
		const char *text = yyjson_mut_get_str(yyjson_mut_obj_get(item, "text"));
		yyjson_mut_val *c = yyjson_mut_arr_get_first(yyjson_mut_obj_get(item, "cites"));
		if (!text || !c || out->len >= 64 * 1024)
			continue;
		if (!*n)
			buf_adds(out, "\nKey points earlier in the meeting:\n");
		buf_addf(out, "[S%zu] %s\n", number + *n, text);
		to[(*n)++] = yyjson_mut_get_sint(c);
	}
	*earlier = to;
	return true;
}

/* The final "summary" (title, then the template's sections in its order) and "notes"
 * (the sections) as JSON from the rolling state; both caller frees. */
enum tacit_status live_roll_final_json(const struct live_roll *roll, char **out_summary, char **out_notes)
{
	yyjson_mut_doc *d = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *r = d ? yyjson_mut_obj(d) : NULL;
	yyjson_mut_val *src = yyjson_mut_doc_get_root(roll->doc);
	char *sj = NULL, *nj = NULL;
	if (r) {
		yyjson_mut_doc_set_root(d, r);
		const struct template *tp = roll->tp;
		yyjson_mut_obj_add_strcpy(d, r, "title", live_roll_title(roll));
		for (size_t i = 0; i < tp->n; i++)
			yyjson_mut_obj_add_val(d, r, tp->s[i].key,
					       yyjson_mut_val_mut_copy(d, yyjson_mut_obj_get(src, tp->s[i].key)));
		sj = yyjson_mut_write(d, 0, NULL);
		yyjson_mut_obj_clear(r);
		yyjson_mut_obj_add_val(d, r, "sections", yyjson_mut_val_mut_copy(d, yyjson_mut_obj_get(src, "sections")));
		nj = yyjson_mut_write(d, 0, NULL);
	}
	yyjson_mut_doc_free(d);
	if (!sj || !nj) {
		free(sj);
		free(nj);
		*out_summary = *out_notes = NULL;
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	*out_summary = sj;
	*out_notes = nj;
	return TACIT_OK;
}
