/*
 * owners.c — who owns what, never invented: the grammar already offers only the meeting's
 * speakers and "unassigned" when their names can be written as grammar literals, but a
 * name it cannot offer (quotes, non-ASCII on a tiny model), a merge of windows or a remote
 * engine without grammars leaves owners free; this check is the one rule for all of them.
 */
#include "internal.h"

#include "owners.h"
#include "utf8.h"

#include <yyjson.h>

static bool known(const char *who, const char *const *names, size_t n)
{
	if (!strcmp(who, OWNER_NONE))
		return true;
	for (size_t i = 0; i < n; i++)
		if (names[i] && !strcmp(who, names[i]))
			return true;
	return false;
}

/* The items of one section: objects in an array; their "owner" and "speaker" keys. */
static int fix_items(yyjson_mut_val *arr, const char *const *names, size_t n)
{
	static const char *const keys[] = { "owner", "speaker" };
	int fixed = 0;
	size_t i, max;
	yyjson_mut_val *item;
	yyjson_mut_arr_foreach(arr, i, max, item)
	{
		if (!yyjson_mut_is_obj(item))
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			yyjson_mut_val *v = yyjson_mut_obj_get(item, keys[k]);
			if (!v || (yyjson_mut_is_str(v) && known(yyjson_mut_get_str(v), names, n)))
				continue;
			yyjson_mut_set_str(v, OWNER_NONE); /* in place: the keys keep their order */
			fixed++;
		}
	}
	return fixed;
}

enum tacit_status owners_check(const char *json, const char *const *names, size_t n, struct buf *out, int *n_fixed)
{
	enum tacit_status st = TACIT_OK;
	int fixed = 0;
	yyjson_doc *doc = json ? yyjson_read(json, strlen(json), 0) : NULL;
	yyjson_mut_doc *m = doc ? yyjson_doc_mut_copy(doc, NULL) : NULL;
	yyjson_mut_val *root = m ? yyjson_mut_doc_get_root(m) : NULL, *key, *val;
	size_t i, max;
	char *text = NULL;
	size_t len = 0;

	if (!yyjson_mut_is_obj(root)) {
		st = doc && !m ? tacit_fail(TACIT_ERR_NOMEM, "out of memory")
			       : tacit_fail(TACIT_ERR_LLM, "the model's output is not the expected JSON");
		goto out;
	}
	yyjson_mut_obj_foreach(root, i, max, key, val)
	{
		if (yyjson_mut_is_arr(val))
			fixed += fix_items(val, names, n);
	}
	if (!(text = utf8_json_write(m, 0, &len)) || !buf_add(out, text, len))
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
out:
	if (n_fixed)
		*n_fixed = fixed;
	free(text);
	yyjson_mut_doc_free(m);
	yyjson_doc_free(doc);
	return st;
}
