/*
 * grammar.c — hand-written GBNF for the four task schemas. JSON is compact (no optional
 * whitespace) and strings exclude quotes, backslashes and control characters, so every
 * string is valid JSON without escapes and the worst-case length is exact arithmetic.
 */
#include "internal.h"

#include "grammar.h"
#include "template.h"

#define L(s) (sizeof(s) - 1)

static size_t w_str(const struct grammar_limits *l)
{
	return (size_t)l->max_str * (l->ascii ? 1 : 4) + 2;
}

static size_t w_cites(const struct grammar_limits *l)
{
	return 2 + (size_t)l->max_cites * (size_t)l->digits + (size_t)(l->max_cites - 1);
}

static size_t w_list(size_t item, const struct grammar_limits *l)
{
	return 2 + (size_t)l->max_items * item + (size_t)(l->max_items - 1);
}

static size_t w_point(const struct grammar_limits *l)
{
	return L("{\"text\":") + w_str(l) + L(",\"cites\":") + w_cites(l) + 1;
}

size_t grammar_worst_len(enum tacit_task task, const struct grammar_limits *l)
{
	size_t pts = w_list(w_point(l), l);
	switch (task) {
	case TACIT_TASK_SUMMARY: {
		size_t act = L("{\"owner\":") + L(",\"task\":") + L(",\"due\":") + 3 * w_str(l) + L(",\"cites\":") +
			     w_cites(l) + 1;
		return L("{\"title\":") + w_str(l) + L(",\"overview\":") + w_str(l) + L(",\"key_points\":") + pts +
		       L(",\"decisions\":") + pts + L(",\"action_items\":") + w_list(act, l) +
		       L(",\"open_questions\":") + pts + 1;
	}
	case TACIT_TASK_NOTES: {
		size_t sec = L("{\"topic\":") + w_str(l) + L(",\"start\":") + (size_t)l->digits + L(",\"end\":") +
			     (size_t)l->digits + L(",\"bullets\":") + pts + 1;
		return L("{\"sections\":") + w_list(sec, l) + 1;
	}
	case TACIT_TASK_ANSWER:
		return L("{\"answer\":") + w_str(l) + L(",\"cites\":") + w_cites(l) + 1;
	case TACIT_TASK_SUGGEST: {
		size_t sg = L("{\"kind\":\"follow_up\"") + L(",\"text\":") + w_str(l) + L(",\"cites\":") + w_cites(l) + 1;
		return L("{\"suggestions\":") + w_list(sg, l) + 1;
	}
	}
	return SIZE_MAX;
}

/* The limits search, for any schema whose worst length worst() tells. */
static bool limits_search(size_t (*worst)(const void *ctx, const struct grammar_limits *l), const void *ctx,
			  enum tacit_task task, size_t max_bytes, size_t n_segments, bool ascii, struct grammar_limits *out);

static size_t task_worst(const void *ctx, const struct grammar_limits *l)
{
	return grammar_worst_len(*(const enum tacit_task *)ctx, l);
}

bool grammar_limits_for(enum tacit_task task, size_t max_bytes, size_t n_segments, bool ascii,
			struct grammar_limits *out)
{
	return limits_search(task_worst, &task, task, max_bytes, n_segments, ascii, out);
}

static bool limits_search(size_t (*worst)(const void *ctx, const struct grammar_limits *l), const void *ctx,
			  enum tacit_task task, size_t max_bytes, size_t n_segments, bool ascii, struct grammar_limits *out)
{
	int digits = 1;
	for (size_t n = n_segments; n >= 10; n /= 10)
		digits++;
	/* prefer more items while strings can stay useful, then fewer items, longer strings */
	static const int min_str_for_items[] = { 0, 8, 40, 60, 80, 80, 80 };
	for (int cites = 3; cites >= 1; cites--) {
		for (int items = 6; items >= 1; items--) {
			for (int str = 240; str >= min_str_for_items[items]; str -= 4) {
				struct grammar_limits l = { items, str, task == TACIT_TASK_ANSWER ? cites + 2 : cites,
							    digits, ascii, (long long)n_segments };
				if (worst(ctx, &l) <= max_bytes) {
					*out = l;
					return true;
				}
			}
		}
	}
	return false;
}

/* "(", sep item "){0,n}" repeated up to n more times; nothing when n == 0. */
static void more(struct buf *out, const char *item, int n)
{
	if (n > 0)
		buf_addf(out, " (\",\" %s){0,%d}", item, n);
}

/* "num": a segment number from 1 to l->max_num, exactly (a cite the model cannot make
 * never needs dropping), else any number of l->digits digits. Numbers shorter than the
 * maximum are one alternative; those as long are the usual digit-by-digit split of the
 * range below it: for 2304, 1xxx | 2[0-2]xx | 230[0-4]. */
static void num_rule(const struct grammar_limits *l, struct buf *out)
{
	char top[24];
	int d = l->max_num > 0 ? snprintf(top, sizeof(top), "%lld", l->max_num) : 0;
	if (d <= 0 || d > 18) {
		buf_adds(out, "num ::= [1-9]");
		if (l->digits > 1)
			buf_addf(out, " [0-9]{0,%d}", l->digits - 1);
		buf_adds(out, "\n");
		return;
	}
	const char *sep = "";
	buf_adds(out, "num ::= ");
	if (d > 1) {
		buf_adds(out, "[1-9]");
		if (d > 2)
			buf_addf(out, " [0-9]{0,%d}", d - 2);
		sep = " | ";
	}
	for (int k = 0; k < d; k++) {
		int lo = k == 0 ? 1 : 0, hi = top[k] - '0' - (k < d - 1);
		if (hi < lo)
			continue;
		buf_adds(out, sep);
		sep = " | ";
		if (k > 0)
			buf_addf(out, "\"%.*s\" ", k, top);
		buf_addf(out, lo == hi ? "[%d]" : "[%d-%d]", lo, hi);
		if (k < d - 1)
			buf_addf(out, " [0-9]{%d}", d - 1 - k);
	}
	buf_adds(out, "\n");
}

/* The rules every schema shares: str, chr, num, cites, point, points. */
static void common_rules(const struct grammar_limits *l, struct buf *out)
{
	int k = l->max_items - 1;
	buf_addf(out, "str ::= \"\\\"\" chr{0,%d} \"\\\"\"\n", l->max_str);
	buf_adds(out, l->ascii ? GRAMMAR_CHR_ASCII : GRAMMAR_CHR_UTF8);
	num_rule(l, out);
	buf_adds(out, "cites ::= \"[\" num");
	more(out, "num", l->max_cites - 1);
	buf_adds(out, " \"]\"\n");
	buf_adds(out, "point ::= \"{\\\"text\\\":\" str \",\\\"cites\\\":\" cites \"}\"\n");
	buf_adds(out, "points ::= \"[\" (point");
	more(out, "point", k);
	buf_adds(out, ")? \"]\"\n");
}

void grammar_build(enum tacit_task task, const struct grammar_limits *l, struct buf *out)
{
	int k = l->max_items - 1;
	common_rules(l, out);
	switch (task) {
	case TACIT_TASK_SUMMARY:
		buf_adds(out, "root ::= \"{\\\"title\\\":\" str \",\\\"overview\\\":\" str \",\\\"key_points\\\":\" points "
			      "\",\\\"decisions\\\":\" points \",\\\"action_items\\\":\" actions "
			      "\",\\\"open_questions\\\":\" points \"}\"\n");
		buf_adds(out, "action ::= \"{\\\"owner\\\":\" str \",\\\"task\\\":\" str \",\\\"due\\\":\" str "
			      "\",\\\"cites\\\":\" cites \"}\"\n");
		buf_adds(out, "actions ::= \"[\" (action");
		more(out, "action", k);
		buf_adds(out, ")? \"]\"\n");
		break;
	case TACIT_TASK_NOTES:
		buf_adds(out, "root ::= \"{\\\"sections\\\":[\" section");
		more(out, "section", k);
		buf_adds(out, " \"]}\"\n");
		buf_adds(out, "section ::= \"{\\\"topic\\\":\" str \",\\\"start\\\":\" num \",\\\"end\\\":\" num "
			      "\",\\\"bullets\\\":[\" point");
		more(out, "point", k);
		buf_adds(out, " \"]}\"\n");
		break;
	case TACIT_TASK_ANSWER:
		buf_adds(out, "root ::= \"{\\\"answer\\\":\" str \",\\\"cites\\\":\" (\"[]\" | cites) \"}\"\n");
		break;
	case TACIT_TASK_SUGGEST:
		buf_adds(out, "root ::= \"{\\\"suggestions\\\":[\" (sug");
		more(out, "sug", k);
		buf_adds(out, ")? \"]}\"\n");
		buf_adds(out, "sug ::= \"{\\\"kind\\\":\" kind \",\\\"text\\\":\" str \",\\\"cites\\\":\" cites \"}\"\n");
		buf_adds(out, "kind ::= \"\\\"question\\\"\" | \"\\\"follow_up\\\"\" | \"\\\"risk\\\"\" | \"\\\"idea\\\"\"\n");
		break;
	}
}

/* ---- summaries shaped by a template ------------------------------------------------ */

/* Whether a speaker's name can be offered as a JSON string literal in the grammar. */
static bool name_usable(const char *name, bool ascii)
{
	size_t n = strlen(name);
	if (n == 0 || n > GRAMMAR_NAME_MAX)
		return false;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == '"' || *p == '\\' || *p == 0x7F || (ascii && *p > 0x7E))
			return false;
	return true;
}

size_t grammar_who_width(const char *const *names, size_t n, bool ascii)
{
	size_t w = sizeof("\"unassigned\"") - 1, used = 0;
	for (size_t i = 0; i < n; i++)
		if (name_usable(names[i], ascii)) {
			used++;
			if (strlen(names[i]) + 2 > w)
				w = strlen(names[i]) + 2;
		}
	return used ? w : 0;
}

struct tmpl_ctx {
	const struct template *tp;
	size_t who; /* width of an owner or speaker; 0 = any string */
};

static size_t kind_width(enum template_kind k, const struct grammar_limits *l, size_t who)
{
	size_t w_who = who ? who : w_str(l);
	switch (k) {
	case TEMPLATE_TEXT:
		return w_str(l);
	case TEMPLATE_LIST:
		return w_list(w_point(l), l);
	case TEMPLATE_SPEAKERS:
		return w_list(L("{\"speaker\":") + w_who + L(",\"text\":") + w_str(l) + L(",\"cites\":") + w_cites(l) + 1, l);
	case TEMPLATE_ACTIONS:
		return w_list(L("{\"owner\":") + w_who + L(",\"task\":") + L(",\"due\":") + 2 * w_str(l) + L(",\"cites\":") +
				      w_cites(l) + 1,
			      l);
	}
	return SIZE_MAX / 16;
}

static size_t tmpl_worst(const void *ctx, const struct grammar_limits *l)
{
	const struct tmpl_ctx *c = ctx;
	size_t n = L("{\"title\":") + w_str(l) + 1;
	for (size_t i = 0; i < c->tp->n; i++)
		n += L(",\"") + strlen(c->tp->s[i].key) + L("\":") + kind_width(c->tp->s[i].kind, l, c->who);
	return n;
}

size_t grammar_template_worst_len(const struct template *tp, size_t who_width, const struct grammar_limits *l)
{
	struct tmpl_ctx c = { tp, who_width };
	return tmpl_worst(&c, l);
}

bool grammar_template_limits(const struct template *tp, size_t who_width, size_t max_bytes, size_t n_segments,
			     bool ascii, struct grammar_limits *out)
{
	struct tmpl_ctx c = { tp, who_width };
	return limits_search(tmpl_worst, &c, TACIT_TASK_SUMMARY, max_bytes, n_segments, ascii, out);
}

void grammar_template_build(const struct template *tp, const char *const *names, size_t n_names,
			    const struct grammar_limits *l, struct buf *out)
{
	static const char *const rule[] = { "str", "points", "spoints", "actions" };
	bool used[4] = { false };
	int k = l->max_items - 1;
	bool who = grammar_who_width(names, n_names, l->ascii) > 0;
	common_rules(l, out);
	buf_adds(out, "root ::= \"{\\\"title\\\":\" str");
	for (size_t i = 0; i < tp->n; i++) {
		buf_addf(out, " \",\\\"%s\\\":\" %s", tp->s[i].key, rule[tp->s[i].kind]);
		used[tp->s[i].kind] = true;
	}
	buf_adds(out, " \"}\"\n");
	const char *owner = who ? "who" : "str";
	if (used[TEMPLATE_ACTIONS]) {
		buf_addf(out, "action ::= \"{\\\"owner\\\":\" %s \",\\\"task\\\":\" str \",\\\"due\\\":\" str "
			      "\",\\\"cites\\\":\" cites \"}\"\n",
			 owner);
		buf_adds(out, "actions ::= \"[\" (action");
		more(out, "action", k);
		buf_adds(out, ")? \"]\"\n");
	}
	if (used[TEMPLATE_SPEAKERS]) {
		buf_addf(out, "spoint ::= \"{\\\"speaker\\\":\" %s \",\\\"text\\\":\" str \",\\\"cites\\\":\" cites \"}\"\n",
			 owner);
		buf_adds(out, "spoints ::= \"[\" (spoint");
		more(out, "spoint", k);
		buf_adds(out, ")? \"]\"\n");
	}
	if (who && (used[TEMPLATE_ACTIONS] || used[TEMPLATE_SPEAKERS])) {
		buf_adds(out, "who ::= \"\\\"unassigned\\\"\"");
		for (size_t i = 0; i < n_names; i++) {
			bool dup = false;
			for (size_t j = 0; j < i && !dup; j++)
				dup = !strcmp(names[i], names[j]);
			if (!dup && name_usable(names[i], l->ascii) && strcmp(names[i], "unassigned"))
				buf_addf(out, " | \"\\\"%s\\\"\"", names[i]);
		}
		buf_adds(out, "\n");
	}
}
