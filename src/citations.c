/*
 * citations.c — grounding. The grammar makes the model cite segments, but not real ones:
 * a number past the transcript's end, a duplicate, or an empty list means the item rests
 * on nothing the user can check. Such numbers are removed; items then citing nothing are
 * dropped (never silently: the count is reported); notes sections get start/end from
 * their bullets' citations when theirs are out of range.
 */
#include "internal.h"

#include "citations.h"
#include "template.h"
#include "utf8.h"

#include <yyjson.h>

/* Keeps valid, distinct cites; returns how many remain (the smallest/largest via lo/hi). */
static size_t clean_cites(yyjson_mut_val *item, size_t n_segments, long long *lo, long long *hi)
{
	yyjson_mut_val *arr = yyjson_mut_obj_get(item, "cites");
	if (!yyjson_mut_is_arr(arr))
		return 0;
	for (size_t i = 0; i < yyjson_mut_arr_size(arr);) {
		yyjson_mut_val *v = yyjson_mut_arr_get(arr, i);
		long long n = yyjson_mut_is_int(v) ? yyjson_mut_get_sint(v) : 0;
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = yyjson_mut_get_sint(yyjson_mut_arr_get(arr, j)) == n;
		if (n < 1 || (size_t)n > n_segments || dup) {
			yyjson_mut_arr_remove(arr, i);
			continue;
		}
		if (lo && (*lo == 0 || n < *lo))
			*lo = n;
		if (hi && n > *hi)
			*hi = n;
		i++;
	}
	return yyjson_mut_arr_size(arr);
}

/* Drops the items of obj[key] that cite nothing real; returns false when obj[key] is not
 * a list. */
static bool clean_list(yyjson_mut_val *obj, const char *key, size_t n_segments, int *dropped, long long *lo,
		       long long *hi)
{
	yyjson_mut_val *arr = yyjson_mut_obj_get(obj, key);
	if (!yyjson_mut_is_arr(arr))
		return false;
	for (size_t i = 0; i < yyjson_mut_arr_size(arr);) {
		yyjson_mut_val *item = yyjson_mut_arr_get(arr, i);
		if (!yyjson_mut_is_obj(item) || clean_cites(item, n_segments, lo, hi) == 0) {
			yyjson_mut_arr_remove(arr, i);
			(*dropped)++;
			continue;
		}
		i++;
	}
	return true;
}

static bool clean_sections(yyjson_mut_doc *doc, yyjson_mut_val *root, size_t n_segments, int *dropped)
{
	yyjson_mut_val *arr = yyjson_mut_obj_get(root, "sections");
	if (!yyjson_mut_is_arr(arr))
		return false;
	for (size_t i = 0; i < yyjson_mut_arr_size(arr);) {
		yyjson_mut_val *sec = yyjson_mut_arr_get(arr, i);
		long long lo = 0, hi = 0;
		if (!yyjson_mut_is_obj(sec) || !clean_list(sec, "bullets", n_segments, dropped, &lo, &hi) ||
		    yyjson_mut_arr_size(yyjson_mut_obj_get(sec, "bullets")) == 0) {
			yyjson_mut_arr_remove(arr, i);
			(*dropped)++;
			continue;
		}
		long long start = yyjson_mut_get_sint(yyjson_mut_obj_get(sec, "start"));
		long long end = yyjson_mut_get_sint(yyjson_mut_obj_get(sec, "end"));
		if (start < 1 || end < start || (size_t)end > n_segments) {
			yyjson_mut_obj_put(sec, yyjson_mut_str(doc, "start"), yyjson_mut_sint(doc, lo));
			yyjson_mut_obj_put(sec, yyjson_mut_str(doc, "end"), yyjson_mut_sint(doc, hi));
		}
		i++;
	}
	return true;
}

/* A template's summary: every list section cleaned, text sections and the title must
 * be strings. */
static bool clean_template(const struct template *tp, yyjson_mut_doc *m, yyjson_mut_val *root, size_t n_segments,
			   int *dropped)
{
	if (!yyjson_mut_is_str(yyjson_mut_obj_get(root, "title")))
		return false;
	for (size_t i = 0; i < tp->n; i++) {
		if (tp->s[i].kind == TEMPLATE_TEXT) {
			if (!yyjson_mut_is_str(yyjson_mut_obj_get(root, tp->s[i].key)))
				return false;
		} else if (!clean_list(root, tp->s[i].key, n_segments, dropped, NULL, NULL)) {
			return false;
		}
	}
	yyjson_mut_obj_put(root, yyjson_mut_str(m, "template"), yyjson_mut_strcpy(m, tp->name));
	return true;
}

static enum tacit_status check(enum tacit_task task, const struct template *tp, const char *json, size_t n_segments,
			       struct buf *out, int *n_dropped);

enum tacit_status citations_check(enum tacit_task task, const char *json, size_t n_segments, struct buf *out,
				  int *n_dropped)
{
	return check(task, NULL, json, n_segments, out, n_dropped);
}

enum tacit_status citations_check_template(const struct template *tp, const char *json, size_t n_segments,
					   struct buf *out, int *n_dropped)
{
	/* "general" is the summary as it always was: the same checks, the same JSON */
	return check(TACIT_TASK_SUMMARY, tp && strcmp(tp->name, "general") ? tp : NULL, json, n_segments, out,
		     n_dropped);
}

static enum tacit_status check(enum tacit_task task, const struct template *tp, const char *json, size_t n_segments,
			       struct buf *out, int *n_dropped)
{
	enum tacit_status st = TACIT_OK;
	int dropped = 0;
	yyjson_doc *doc = yyjson_read(json, strlen(json), 0);
	yyjson_mut_doc *m = doc ? yyjson_doc_mut_copy(doc, NULL) : NULL;
	yyjson_mut_val *root = m ? yyjson_mut_doc_get_root(m) : NULL;
	bool ok = yyjson_mut_is_obj(root);

	if (tp)
		ok = ok && clean_template(tp, m, root, n_segments, &dropped);
	else switch (task) {
	case TACIT_TASK_SUMMARY:
		ok = ok && clean_list(root, "key_points", n_segments, &dropped, NULL, NULL) &&
		     clean_list(root, "decisions", n_segments, &dropped, NULL, NULL) &&
		     clean_list(root, "action_items", n_segments, &dropped, NULL, NULL) &&
		     clean_list(root, "open_questions", n_segments, &dropped, NULL, NULL);
		break;
	case TACIT_TASK_NOTES:
		ok = ok && clean_sections(m, root, n_segments, &dropped);
		break;
	case TACIT_TASK_ANSWER:
		ok = ok && yyjson_mut_is_str(yyjson_mut_obj_get(root, "answer"));
		if (ok)
			yyjson_mut_obj_put(root, yyjson_mut_str(m, "grounded"),
					   yyjson_mut_bool(m, clean_cites(root, n_segments, NULL, NULL) > 0));
		break;
	case TACIT_TASK_SUGGEST:
		ok = ok && clean_list(root, "suggestions", n_segments, &dropped, NULL, NULL);
		break;
	}
	if (!ok) {
		st = tacit_fail(TACIT_ERR_LLM, "the model's output is not the expected JSON");
		goto out;
	}
	/* a merged result carries the drops of the steps before it */
	yyjson_mut_val *before = yyjson_mut_obj_get(root, "dropped");
	if (yyjson_mut_is_int(before) && yyjson_mut_get_sint(before) > 0 && yyjson_mut_get_sint(before) < 1000000)
		dropped += (int)yyjson_mut_get_sint(before);
	yyjson_mut_obj_put(root, yyjson_mut_str(m, "dropped"), yyjson_mut_int(m, dropped));
	size_t len = 0;
	char *text = utf8_json_write(m, 0, &len);
	if (!text || !buf_add(out, text, len))
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	free(text);
	if (n_dropped)
		*n_dropped = dropped;
out:
	yyjson_mut_doc_free(m);
	yyjson_doc_free(doc);
	return st;
}

static void renumber(yyjson_mut_val *v, const long long *to, size_t n)
{
	yyjson_mut_val *key, *val;
	size_t i, max;
	if (yyjson_mut_is_arr(v)) {
		yyjson_mut_arr_foreach(v, i, max, val)
			renumber(val, to, n);
		return;
	}
	if (!yyjson_mut_is_obj(v))
		return;
	yyjson_mut_obj_foreach(v, i, max, key, val)
	{
		if (!yyjson_mut_equals_str(key, "cites") || !yyjson_mut_is_arr(val)) {
			renumber(val, to, n);
			continue;
		}
		for (size_t k = 0; k < yyjson_mut_arr_size(val);) {
			yyjson_mut_val *c = yyjson_mut_arr_get(val, k);
			long long at = yyjson_mut_is_int(c) ? yyjson_mut_get_sint(c) : 0;
			long long mapped = at >= 1 && (size_t)at <= n ? to[at - 1] : 0;
			bool dup = false;
			for (size_t j = 0; j < k && !dup; j++)
				dup = yyjson_mut_get_sint(yyjson_mut_arr_get(val, j)) == mapped;
			if (mapped < 1 || dup) {
				yyjson_mut_arr_remove(val, k);
				continue;
			}
			yyjson_mut_set_sint(c, mapped);
			k++;
		}
	}
}

enum tacit_status citations_renumber(struct buf *json, const long long *to, size_t n)
{
	yyjson_doc *doc = yyjson_read(json->data ? json->data : "", json->len, 0);
	yyjson_mut_doc *m = doc ? yyjson_doc_mut_copy(doc, NULL) : NULL;
	yyjson_doc_free(doc);
	if (!m)
		return tacit_fail(TACIT_ERR_LLM, "the model's output is not the expected JSON");
	renumber(yyjson_mut_doc_get_root(m), to, n);
	size_t len = 0;
	char *text = utf8_json_write(m, 0, &len);
	yyjson_mut_doc_free(m);
	buf_reset(json);
	bool ok = text && buf_add(json, text, len);
	free(text);
	return ok ? TACIT_OK : tacit_fail(TACIT_ERR_NOMEM, "out of memory");
}
