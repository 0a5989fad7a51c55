/*
 * live_summary.c — the rolling state of a live meeting: title, overview, the lists
 * (key points, decisions, action items, open questions) and one notes section per folded
 * window, with next_segment: the state always covers segments [1, next_segment).
 * Items keep only the cites inside their window.
 */
#include "internal.h"

#include "live_int.h"

static const char *const live_roll_lists[] = { "key_points", "decisions", "action_items", "open_questions" };

yyjson_mut_doc *live_roll_new(void)
{
	yyjson_mut_doc *d = yyjson_mut_doc_new(NULL);
	if (!d)
		return NULL;
	yyjson_mut_val *o = yyjson_mut_obj(d);
	yyjson_mut_doc_set_root(d, o);
	yyjson_mut_obj_add_str(d, o, "title", "");
	yyjson_mut_obj_add_str(d, o, "overview", "");
	for (size_t i = 0; i < ARRAY_SIZE(live_roll_lists); i++)
		yyjson_mut_obj_add_val(d, o, live_roll_lists[i], yyjson_mut_arr(d));
	yyjson_mut_obj_add_val(d, o, "sections", yyjson_mut_arr(d));
	yyjson_mut_obj_add_uint(d, o, "next_segment", 0);
	yyjson_mut_obj_add_uint(d, o, "windows", 0);
	return d;
}

/* The stored state, when it has every field; NULL otherwise (start over). */
yyjson_mut_doc *live_roll_parse(const char *json)
{
	yyjson_doc *doc = json ? yyjson_read(json, strlen(json), 0) : NULL;
	yyjson_val *r = yyjson_doc_get_root(doc);
	bool ok = yyjson_is_obj(r) && yyjson_is_str(yyjson_obj_get(r, "title")) &&
		  yyjson_is_str(yyjson_obj_get(r, "overview")) && yyjson_is_arr(yyjson_obj_get(r, "sections")) &&
		  yyjson_is_uint(yyjson_obj_get(r, "next_segment")) && yyjson_is_uint(yyjson_obj_get(r, "windows"));
	for (size_t i = 0; ok && i < ARRAY_SIZE(live_roll_lists); i++)
		ok = yyjson_is_arr(yyjson_obj_get(r, live_roll_lists[i]));
	yyjson_mut_doc *m = ok ? yyjson_doc_mut_copy(doc, NULL) : NULL;
	yyjson_doc_free(doc);
	return m;
}

uint64_t live_roll_uint(yyjson_mut_doc *d, const char *key)
{
	return yyjson_mut_get_uint(yyjson_mut_obj_get(yyjson_mut_doc_get_root(d), key));
}

void live_roll_set_uint(yyjson_mut_doc *d, const char *key, uint64_t v)
{
	yyjson_mut_val *r = yyjson_mut_doc_get_root(d);
	yyjson_mut_obj_put(r, yyjson_mut_str(d, key), yyjson_mut_uint(d, v));
}

void live_roll_set_str(yyjson_mut_doc *d, const char *key, const char *v)
{
	yyjson_mut_val *r = yyjson_mut_doc_get_root(d);
	yyjson_mut_obj_put(r, yyjson_mut_str(d, key), yyjson_mut_strcpy(d, v ? v : ""));
}

const char *live_roll_str(yyjson_mut_doc *d, const char *key)
{
	const char *s = yyjson_mut_get_str(yyjson_mut_obj_get(yyjson_mut_doc_get_root(d), key));
	return s ? s : "";
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

/* Appends the window's lists and its notes section; first/end are the window's
 * segment indices (the section is [S first+1, S end]). The section's topic is the part's
 * "part" when it has one (the final call), else its "title". */
void live_roll_append(struct tacit_live *l, yyjson_val *part, size_t first, size_t end)
{
	yyjson_mut_doc *d = l->roll;
	yyjson_mut_val *r = yyjson_mut_doc_get_root(d);
	long long lo = (long long)first + 1, hi = (long long)end;
	for (size_t k = 0; k < ARRAY_SIZE(live_roll_lists); k++) {
		yyjson_val *arr = yyjson_obj_get(part, live_roll_lists[k]), *item;
		yyjson_mut_val *dst = yyjson_mut_obj_get(r, live_roll_lists[k]);
		size_t i, max;
		yyjson_arr_foreach(arr, i, max, item)
		{
			yyjson_mut_val *c = copy_cited(d, item, lo, hi);
			if (c)
				yyjson_mut_arr_append(dst, c);
		}
	}
	yyjson_mut_val *sec = yyjson_mut_obj(d), *bullets = yyjson_mut_arr(d);
	const char *topic = yyjson_get_str(yyjson_obj_get(part, "part"));
	if (!topic)
		topic = yyjson_get_str(yyjson_obj_get(part, "title"));
	yyjson_val *arr = yyjson_obj_get(part, "key_points"), *item;
	size_t i, max;
	yyjson_arr_foreach(arr, i, max, item)
	{
		yyjson_mut_val *c = copy_cited(d, item, lo, hi);
		if (c)
			yyjson_mut_arr_append(bullets, c);
	}
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


/* The final "summary" (title, overview, the lists) and "notes" (the sections) as JSON
 * from the rolling state; both caller frees. */
enum tacit_status live_roll_final_json(yyjson_mut_doc *roll, char **out_summary, char **out_notes)
{
	yyjson_mut_doc *d = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *r = d ? yyjson_mut_obj(d) : NULL;
	yyjson_mut_val *src = yyjson_mut_doc_get_root(roll);
	char *sj = NULL, *nj = NULL;
	if (r) {
		yyjson_mut_doc_set_root(d, r);
		yyjson_mut_obj_add_strcpy(d, r, "title", live_roll_str(roll, "title"));
		yyjson_mut_obj_add_strcpy(d, r, "overview", live_roll_str(roll, "overview"));
		for (size_t i = 0; i < ARRAY_SIZE(live_roll_lists); i++)
			yyjson_mut_obj_add_val(d, r, live_roll_lists[i],
					       yyjson_mut_val_mut_copy(d, yyjson_mut_obj_get(src, live_roll_lists[i])));
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
