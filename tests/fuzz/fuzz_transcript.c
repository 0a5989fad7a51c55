/*
 * fuzz_transcript.c — outside input of the meeting tasks: transcript files (JSON segments,
 * QMSum turns, Speaker: lines) and the model's JSON going through the citation check and
 * Markdown rendering. Nothing may crash; a parsed transcript always has text.
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
			char *md = tacit_meeting_markdown((enum tacit_task)task, out.data, t);
			assert(md != NULL);
			free(md);
		}
		buf_release(&out);
		free(tacit_meeting_markdown((enum tacit_task)task, text, t));
	}
	tacit_transcript_free(t);
	free(text);
	return 0;
}
