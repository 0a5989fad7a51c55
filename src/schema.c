/*
 * schema.c — JSON Schemas equal to the tasks' grammars (schema.h), built by the same
 * rules as grammar.c and from the same limits, and a validator for the subset they use.
 * Invariant: an answer a grammar allows follows its schema; a server without grammars
 * (vLLM, Ollama) gets the schema instead, and every remote answer is checked against it.
 */
#include "internal.h"

#include "schema.h"
#include "template.h"
#include "utf8.h"

#include <math.h>

#include <yyjson.h>

static void str(struct buf *o, const struct grammar_limits *l)
{
	buf_addf(o, "{\"type\":\"string\",\"maxLength\":%d}", l->max_str);
}

static void num(struct buf *o, const struct grammar_limits *l)
{
	long long max = 1;
	for (int i = 0; i < l->digits && i < 18; i++)
		max *= 10;
	/* the digits' bound, not the segment count: a server's cite past the transcript is
	 * dropped by the citation check like a local one, not the whole answer refused */
	buf_addf(o, "{\"type\":\"integer\",\"minimum\":1,\"maximum\":%lld}", max - 1);
}

static void cites(struct buf *o, const struct grammar_limits *l, int min)
{
	buf_addf(o, "{\"type\":\"array\",\"minItems\":%d,\"maxItems\":%d,\"items\":", min, l->max_cites);
	num(o, l);
	buf_adds(o, "}");
}

/* An object: fields "name" followed by their schema writers. */
static void obj_open(struct buf *o)
{
	buf_adds(o, "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{");
}

static void obj_close(struct buf *o, const char *const *keys, size_t n)
{
	buf_adds(o, "},\"required\":[");
	for (size_t i = 0; i < n; i++)
		buf_addf(o, "%s\"%s\"", i ? "," : "", keys[i]);
	buf_adds(o, "]}");
}

static void point(struct buf *o, const struct grammar_limits *l)
{
	static const char *const k[] = { "text", "cites" };
	obj_open(o);
	buf_adds(o, "\"text\":");
	str(o, l);
	buf_adds(o, ",\"cites\":");
	cites(o, l, 1);
	obj_close(o, k, 2);
}

static void list_open(struct buf *o, const struct grammar_limits *l, int min)
{
	buf_addf(o, "{\"type\":\"array\",\"minItems\":%d,\"maxItems\":%d,\"items\":", min, l->max_items);
}

static void points(struct buf *o, const struct grammar_limits *l, int min)
{
	list_open(o, l, min);
	point(o, l);
	buf_adds(o, "}");
}

/* who: NULL = any string, else an enum of those names (already JSON-safe). */
static void who_schema(struct buf *o, const struct grammar_limits *l, const char *const *who, size_t n_who)
{
	if (!who) {
		str(o, l);
		return;
	}
	buf_adds(o, "{\"type\":\"string\",\"enum\":[\"unassigned\"");
	for (size_t i = 0; i < n_who; i++)
		buf_addf(o, ",\"%s\"", who[i]);
	buf_adds(o, "]}");
}

static void actions(struct buf *o, const struct grammar_limits *l, const char *const *who, size_t n_who)
{
	static const char *const k[] = { "owner", "task", "due", "cites" };
	list_open(o, l, 0);
	obj_open(o);
	buf_adds(o, "\"owner\":");
	who_schema(o, l, who, n_who);
	buf_adds(o, ",\"task\":");
	str(o, l);
	buf_adds(o, ",\"due\":");
	str(o, l);
	buf_adds(o, ",\"cites\":");
	cites(o, l, 1);
	obj_close(o, k, 4);
	buf_adds(o, "}");
}

void schema_build(enum tacit_task task, const struct grammar_limits *l, struct buf *o)
{
	obj_open(o);
	switch (task) {
	case TACIT_TASK_SUMMARY: {
		static const char *const k[] = { "title", "overview", "key_points", "decisions", "action_items",
						 "open_questions" };
		buf_adds(o, "\"title\":");
		str(o, l);
		buf_adds(o, ",\"overview\":");
		str(o, l);
		buf_adds(o, ",\"key_points\":");
		points(o, l, 0);
		buf_adds(o, ",\"decisions\":");
		points(o, l, 0);
		buf_adds(o, ",\"action_items\":");
		actions(o, l, NULL, 0);
		buf_adds(o, ",\"open_questions\":");
		points(o, l, 0);
		obj_close(o, k, 6);
		return;
	}
	case TACIT_TASK_NOTES: {
		static const char *const k[] = { "sections" }, *const ks[] = { "topic", "start", "end", "bullets" };
		buf_adds(o, "\"sections\":");
		list_open(o, l, 1);
		obj_open(o);
		buf_adds(o, "\"topic\":");
		str(o, l);
		buf_adds(o, ",\"start\":");
		num(o, l);
		buf_adds(o, ",\"end\":");
		num(o, l);
		buf_adds(o, ",\"bullets\":");
		points(o, l, 1);
		obj_close(o, ks, 4);
		buf_adds(o, "}");
		obj_close(o, k, 1);
		return;
	}
	case TACIT_TASK_ANSWER: {
		static const char *const k[] = { "answer", "cites" };
		buf_adds(o, "\"answer\":");
		str(o, l);
		buf_adds(o, ",\"cites\":");
		cites(o, l, 0);
		obj_close(o, k, 2);
		return;
	}
	case TACIT_TASK_SUGGEST: {
		static const char *const k[] = { "suggestions" }, *const ks[] = { "kind", "text", "cites" };
		buf_adds(o, "\"suggestions\":");
		list_open(o, l, 0);
		obj_open(o);
		buf_adds(o, "\"kind\":{\"type\":\"string\",\"enum\":[\"question\",\"follow_up\",\"risk\",\"idea\"]}");
		buf_adds(o, ",\"text\":");
		str(o, l);
		buf_adds(o, ",\"cites\":");
		cites(o, l, 1);
		obj_close(o, ks, 3);
		buf_adds(o, "}");
		obj_close(o, k, 1);
		return;
	}
	}
	obj_close(o, NULL, 0);
}

void schema_add_first_string(struct buf *schema, const char *name, int max_len)
{
	static const char props[] = "\"properties\":{", req[] = "\"required\":[";
	const char *p = strstr(schema->data, props), *r = NULL;
	for (const char *at = schema->data; (at = strstr(at, req)) != NULL; at++)
		r = at; /* the top level's list closes the schema: the last one */
	if (!p || !r || r < p)
		return;
	size_t pe = (size_t)(p - schema->data) + sizeof(props) - 1, re = (size_t)(r - schema->data) + sizeof(req) - 1;
	struct buf o;
	buf_init(&o);
	buf_add(&o, schema->data, pe);
	buf_addf(&o, "\"%s\":{\"type\":\"string\",\"maxLength\":%d}%s", name, max_len, schema->data[pe] == '}' ? "" : ",");
	buf_add(&o, schema->data + pe, re - pe);
	buf_addf(&o, "\"%s\"%s", name, schema->data[re] == ']' ? "" : ",");
	buf_adds(&o, schema->data + re);
	buf_release(schema);
	*schema = o;
}

void schema_template_build(const struct template *tp, const char *const *names, size_t n_names,
			   const struct grammar_limits *l, struct buf *o)
{
	/* the names the grammar offers: usable, not "unassigned", each once */
	const char **who = NULL;
	size_t n_who = 0;
	bool any = grammar_who_width(names, n_names, l->ascii) > 0;
	if (any && n_names && (who = calloc(n_names, sizeof(*who))))
		for (size_t i = 0; i < n_names; i++) {
			bool dup = !strcmp(names[i], "unassigned") || grammar_who_width(&names[i], 1, l->ascii) == 0;
			for (size_t j = 0; j < n_who && !dup; j++)
				dup = !strcmp(names[i], who[j]);
			if (!dup)
				who[n_who++] = names[i];
		}
	const char *const *w = any ? (who ? who : (const char *const *)names) : NULL;
	size_t n_w = who ? n_who : 0;
	obj_open(o);
	buf_adds(o, "\"title\":");
	str(o, l);
	for (size_t i = 0; i < tp->n; i++) {
		buf_addf(o, ",\"%s\":", tp->s[i].key);
		switch (tp->s[i].kind) {
		case TEMPLATE_TEXT:
			str(o, l);
			break;
		case TEMPLATE_LIST:
			points(o, l, 0);
			break;
		case TEMPLATE_SPEAKERS: {
			static const char *const k[] = { "speaker", "text", "cites" };
			list_open(o, l, 0);
			obj_open(o);
			buf_adds(o, "\"speaker\":");
			who_schema(o, l, w, n_w);
			buf_adds(o, ",\"text\":");
			str(o, l);
			buf_adds(o, ",\"cites\":");
			cites(o, l, 1);
			obj_close(o, k, 3);
			buf_adds(o, "}");
			break;
		}
		case TEMPLATE_ACTIONS:
			actions(o, l, w, n_w);
			break;
		}
	}
	buf_adds(o, "},\"required\":[\"title\"");
	for (size_t i = 0; i < tp->n; i++)
		buf_addf(o, ",\"%s\"", tp->s[i].key);
	buf_adds(o, "]}");
	free(who);
}

/* ---- the check ----------------------------------------------------------------------- */

struct path {
	char s[160];
};

static bool fail(char *why, size_t len, const struct path *p, const char *what)
{
	snprintf(why, len, "%s: %s", p->s, what);
	return false;
}

static size_t utf8_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

static bool check(yyjson_val *sch, yyjson_val *v, const struct path *p, int depth, char *why, size_t len)
{
	if (!yyjson_is_obj(sch) || depth > 32)
		return true;
	const char *type = yyjson_get_str(yyjson_obj_get(sch, "type"));
	yyjson_val *lim;
	if (type && !strcmp(type, "object")) {
		if (!yyjson_is_obj(v))
			return fail(why, len, p, "not an object");
		yyjson_val *props = yyjson_obj_get(sch, "properties"), *req = yyjson_obj_get(sch, "required"), *k, *kv;
		size_t i, max;
		yyjson_arr_foreach(req, i, max, k)
		{
			if (yyjson_is_str(k) && !yyjson_obj_get(v, yyjson_get_str(k))) {
				char m[96];
				snprintf(m, sizeof(m), "no field \"%.64s\"", yyjson_get_str(k));
				return fail(why, len, p, m);
			}
		}
		bool closed = yyjson_get_bool(yyjson_obj_get(sch, "additionalProperties")) == false &&
			      yyjson_is_bool(yyjson_obj_get(sch, "additionalProperties"));
		yyjson_obj_foreach(v, i, max, k, kv)
		{
			const char *name = yyjson_get_str(k);
			yyjson_val *sub = yyjson_obj_get(props, name);
			struct path q;
			snprintf(q.s, sizeof(q.s), "%s.%.40s", p->s, name);
			if (!sub && closed)
				return fail(why, len, &q, "a field the schema does not have");
			if (sub && !check(sub, kv, &q, depth + 1, why, len))
				return false;
		}
		return true;
	}
	if (type && !strcmp(type, "array")) {
		if (!yyjson_is_arr(v))
			return fail(why, len, p, "not a list");
		size_t n = yyjson_arr_size(v);
		if ((lim = yyjson_obj_get(sch, "minItems")) && n < (size_t)yyjson_get_num(lim))
			return fail(why, len, p, "too few items");
		if ((lim = yyjson_obj_get(sch, "maxItems")) && n > (size_t)yyjson_get_num(lim))
			return fail(why, len, p, "too many items");
		yyjson_val *items = yyjson_obj_get(sch, "items"), *e;
		size_t i, max;
		yyjson_arr_foreach(v, i, max, e)
		{
			struct path q;
			snprintf(q.s, sizeof(q.s), "%s[%zu]", p->s, i);
			if (!check(items, e, &q, depth + 1, why, len))
				return false;
		}
		return true;
	}
	if (type && !strcmp(type, "string")) {
		if (!yyjson_is_str(v))
			return fail(why, len, p, "not a string");
		if ((lim = yyjson_obj_get(sch, "maxLength")) &&
		    utf8_chars(yyjson_get_str(v), yyjson_get_len(v)) > (size_t)yyjson_get_num(lim))
			return fail(why, len, p, "a string longer than the schema allows");
		yyjson_val *en = yyjson_obj_get(sch, "enum"), *e;
		if (en) {
			size_t i, max;
			yyjson_arr_foreach(en, i, max, e)
			{
				if (yyjson_equals(e, v))
					return true;
			}
			return fail(why, len, p, "not one of the values the schema allows");
		}
		return true;
	}
	if (type && !strcmp(type, "integer")) {
		double d = yyjson_get_num(v);
		if (!yyjson_is_int(v) && !(yyjson_is_real(v) && d == floor(d)))
			return fail(why, len, p, "not an integer");
		if ((lim = yyjson_obj_get(sch, "minimum")) && d < yyjson_get_num(lim))
			return fail(why, len, p, "under the schema's minimum");
		if ((lim = yyjson_obj_get(sch, "maximum")) && d > yyjson_get_num(lim))
			return fail(why, len, p, "over the schema's maximum");
	}
	return true;
}

bool schema_check(const char *schema, const char *answer, size_t len, char *why, size_t why_len)
{
	yyjson_doc *s = yyjson_read(schema, strlen(schema), 0), *a = NULL;
	bool ok = true;
	struct path root = { "$" };
	if (!s)
		goto out;
	if (!(a = yyjson_read(answer, len, 0))) {
		snprintf(why, why_len, "not JSON");
		ok = false;
		goto out;
	}
	ok = check(yyjson_doc_get_root(s), yyjson_doc_get_root(a), &root, 0, why, why_len);
out:
	yyjson_doc_free(a);
	yyjson_doc_free(s);
	return ok;
}
