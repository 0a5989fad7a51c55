/*
 * grammar.c — hand-written GBNF for the four task schemas. JSON is compact (no optional
 * whitespace) and strings exclude quotes, backslashes and control characters, so every
 * string is valid JSON without escapes and the worst-case length is exact arithmetic.
 */
#include "internal.h"

#include "grammar.h"

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

bool grammar_limits_for(enum tacit_task task, size_t max_bytes, size_t n_segments, bool ascii,
			struct grammar_limits *out)
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
							    digits, ascii };
				if (grammar_worst_len(task, &l) <= max_bytes) {
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

void grammar_build(enum tacit_task task, const struct grammar_limits *l, struct buf *out)
{
	int k = l->max_items - 1;
	buf_addf(out, "str ::= \"\\\"\" chr{0,%d} \"\\\"\"\n", l->max_str);
	if (l->ascii)
		buf_adds(out, "chr ::= [\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]\n");
	else
		buf_adds(out, "chr ::= [^\"\\\\\\x7F\\x00-\\x1F]\n");
	buf_adds(out, "num ::= [1-9]");
	if (l->digits > 1)
		buf_addf(out, " [0-9]{0,%d}", l->digits - 1);
	buf_adds(out, "\ncites ::= \"[\" num");
	more(out, "num", l->max_cites - 1);
	buf_adds(out, " \"]\"\n");
	buf_adds(out, "point ::= \"{\\\"text\\\":\" str \",\\\"cites\\\":\" cites \"}\"\n");
	buf_adds(out, "points ::= \"[\" (point");
	more(out, "point", k);
	buf_adds(out, ")? \"]\"\n");
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
