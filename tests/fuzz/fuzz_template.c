/*
 * fuzz_template.c — custom summary templates are files a user (or anything that writes
 * to the configuration directory) edits: any bytes must parse or be refused with a
 * FILE:LINE message, and whatever parses must give a grammar, instructions and Markdown
 * without overrunning a bound.
 */
#include "internal.h"

#include "citations.h"
#include "grammar.h"
#include "template.h"

#include <assert.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct template tp;
	if (template_parse((const char *)data, size, "fuzz", "fuzz.tmpl", &tp) != TACIT_OK) {
		assert(!strncmp(tacit_errmsg(), "fuzz.tmpl", 9));
		return 0;
	}
	assert(tp.n >= 1 && tp.n <= TEMPLATE_MAX_SECTIONS);
	struct grammar_limits l;
	const char *names[] = { "Alice", "Bob" };
	struct buf g, ins, checked;
	buf_init(&g);
	buf_init(&ins);
	buf_init(&checked);
	if (grammar_template_limits(&tp, 12, 4000, 50, false, &l)) {
		grammar_template_build(&tp, names, 2, &l, &g);
		assert(strstr(g.data, "root ::=") && !g.failed);
	}
	template_instructions(&tp, &ins);
	/* an answer with every section empty or short */
	struct buf json;
	buf_init(&json);
	buf_adds(&json, "{\"title\":\"t\"");
	for (size_t i = 0; i < tp.n; i++)
		buf_addf(&json, ",\"%s\":%s", tp.s[i].key,
			 tp.s[i].kind == TEMPLATE_TEXT ? "\"x\"" : "[{\"text\":\"a\",\"speaker\":\"Bob\",\"owner\":\"Bob\",\"task\":\"b\",\"due\":\"\",\"cites\":[1]}]");
	buf_adds(&json, "}");
	if (citations_check_template(&tp, json.data, 3, &checked, NULL) == TACIT_OK) {
		char *md = tacit_meeting_markdown(TACIT_TASK_SUMMARY, checked.data, NULL);
		tacit_free(md);
	}
	buf_release(&json);
	buf_release(&checked);
	buf_release(&ins);
	buf_release(&g);
	return 0;
}
