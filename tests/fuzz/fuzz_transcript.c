/*
 * fuzz_transcript.c — outside input of the meeting tasks: transcript files (JSON segments,
 * QMSum turns, Speaker: lines) and the model's JSON going through the citation check and
 * Markdown rendering, and renumbered as a live window's cites are. Nothing may crash; a
 * parsed transcript always has text.
 */
#include "internal.h"

#include "citations.h"
#include "transcript.h"

#include <assert.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tacit_transcript *t = NULL;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (transcript_parse(text, size, "fuzz", &t) == TACIT_OK) {
		assert(t->n > 0);
		struct buf line;
		buf_init(&line);
		for (size_t i = 0; i < t->n; i++)
			transcript_line(t, i, &line);
		buf_release(&line);
	}
	for (int task = 0; task <= TACIT_TASK_SUGGEST; task++) {
		struct buf out;
		buf_init(&out);
		if (citations_check((enum tacit_task)task, text, 7, &out, NULL) == TACIT_OK) {
			static const long long to[] = { 3, 4, 5, 1, 1, 9, 2 }; /* a window, then a recap */
			char *md = tacit_meeting_markdown((enum tacit_task)task, out.data, t);
			assert(md != NULL);
			free(md);
			enum tacit_status st = citations_renumber(&out, to, 7);
			assert(st == TACIT_OK || st == TACIT_ERR_NOMEM);
		}
		buf_release(&out);
		free(tacit_meeting_markdown((enum tacit_task)task, text, t));
	}
	tacit_transcript_free(t);
	free(text);
	return 0;
}
