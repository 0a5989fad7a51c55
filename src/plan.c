/*
 * plan.c — windows for map→reduce. Every segment lands in at least one window, windows
 * advance by at least one segment (so planning ends), and no window exceeds the budget.
 */
#include "internal.h"

#include "plan.h"

#include <ctype.h>

enum tacit_status plan_windows(const int *seg_tokens, size_t n, int budget, int overlap, struct plan *out)
{
	size_t alloc = 0;
	out->w = NULL;
	out->n = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		int sum = 0;
		while (j < n && sum + seg_tokens[j] <= budget)
			sum += seg_tokens[j++];
		if (j == i) {
			plan_release(out);
			return tacit_fail(TACIT_ERR_CONTEXT_FULL,
					  "segment S%zu alone has %d tokens but only %d fit the context with the answer "
					  "(use a model with a larger context or lower --max-tokens)",
					  i + 1, seg_tokens[i], budget);
		}
		if (out->n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			struct window *w = realloc(out->w, alloc * sizeof(*w));
			if (!w) {
				plan_release(out);
				return tacit_fail(TACIT_ERR_NOMEM, "out of memory planning windows");
			}
			out->w = w;
		}
		out->w[out->n++] = (struct window){ i, j - 1, sum };
		if (j == n)
			break;
		/* step back over the last segments for the overlap, but always move forward */
		size_t k = j;
		int o = 0;
		while (k - 1 > i && o + seg_tokens[k - 1] <= overlap)
			o += seg_tokens[--k];
		i = k;
	}
	return TACIT_OK;
}

void plan_release(struct plan *p)
{
	free(p->w);
	p->w = NULL;
	p->n = 0;
}

int plan_estimate_tokens(const char *text)
{
	int words = 0;
	bool in = false;
	for (const char *p = text; *p; p++) {
		bool sp = isspace((unsigned char)*p);
		if (!sp && !in)
			words++;
		in = !sp;
	}
	return (words * 27 + 19) / 20 + 6;
}
