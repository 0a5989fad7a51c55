/*
 * test_lang.c — the meeting's language: the stop-word detector on small French, Spanish,
 * German and English meetings (tests/data), the language each task is asked to write in,
 * the prompt lines (plain and firm), the language read from an answer's values, and the
 * retry when the model answers in another language (model calls replaced by canned
 * answers: stories260K cannot follow an instruction, so only the mechanics are tested).
 */
#include "internal.h"

#include "lang_detect.h"
#include "meeting.h"
#include "transcript.h"

#include "../check.h"

#include <unistd.h>

static struct tacit_transcript *load(const char *name)
{
	char path[256];
	struct tacit_transcript *t = NULL;
	snprintf(path, sizeof(path), "tests/data/%s", name);
	CHECK_EQ_INT(tacit_transcript_load(path, &t), TACIT_OK);
	return t;
}

static const char *detect_file(const char *name)
{
	struct tacit_transcript *t = load(name);
	const char *got = t ? meeting_output_language(TACIT_TASK_SUMMARY, NULL, t) : NULL;
	tacit_transcript_free(t);
	return got;
}

TEST(lang_detect_meetings)
{
	CHECK_STR(detect_file("meeting_fr.txt"), "fr");
	CHECK_STR(detect_file("meeting_es.txt"), "es");
	CHECK_STR(detect_file("meeting_de.txt"), "de");
	CHECK_STR(detect_file("meeting_en.txt"), "en");
	/* too little to tell, or two languages as close */
	CHECK(lang_detect("ok", 2, 0, NULL) == NULL);
	CHECK(lang_detect("", 0, 0, NULL) == NULL);
	const char *mixed = "the and is la les est der die das";
	CHECK(lang_detect(mixed, strlen(mixed), 0, NULL) == NULL);
	const char *fr = "Nous avons décidé que le budget est trop élevé pour la semaine prochaine.";
	int hits = 0;
	CHECK_STR(lang_detect(fr, strlen(fr), 0, &hits), "fr");
	CHECK(hits >= LANG_DETECT_MIN_HITS);
	/* max_bytes: only the start is read */
	CHECK(lang_detect(fr, strlen(fr), 10, NULL) == NULL);
	/* upper case, and long words are not a crash */
	char long_word[200];
	memset(long_word, 'a', sizeof(long_word) - 1);
	long_word[sizeof(long_word) - 1] = '\0';
	CHECK(lang_detect(long_word, strlen(long_word), 0, NULL) == NULL);
	const char *de = "DER Lieferant UND DIE Woche IST NICHT fertig";
	CHECK_STR(lang_detect(de, strlen(de), 0, NULL), "de");
	CHECK(lang_detect_knows("FR") && lang_detect_knows("en") && !lang_detect_knows("it") && !lang_detect_knows(NULL));
}

TEST(lang_output_language_and_prompt)
{
	struct tacit_transcript *fr = load("meeting_fr.txt");
	if (!fr)
		return;
	/* the stored language wins over the words; an explicit one over both */
	CHECK_STR(meeting_output_language(TACIT_TASK_NOTES, NULL, fr), "fr");
	CHECK_STR(meeting_output_language(TACIT_TASK_NOTES, "auto", fr), "fr");
	CHECK_STR(meeting_output_language(TACIT_TASK_NOTES, "es", fr), "es");
	CHECK(meeting_output_language(TACIT_TASK_ANSWER, NULL, fr) == NULL);
	CHECK_STR(meeting_output_language(TACIT_TASK_ANSWER, "de", fr), "de");
	snprintf(fr->language, sizeof(fr->language), "de");
	CHECK_STR(meeting_output_language(TACIT_TASK_SUMMARY, NULL, fr), "de");
	tacit_transcript_free(fr);

	struct buf b;
	buf_init(&b);
	meeting_language_line(TACIT_TASK_SUMMARY, "fr", false, &b);
	CHECK_STR(b.data, " Write in French. \xc3\x89" "cris en fran\xc3\xa7" "ais.");
	buf_reset(&b);
	meeting_language_line(TACIT_TASK_SUMMARY, "French", true, &b);
	CHECK_STR(b.data, " Important: write every text of the JSON in French, not in English; keep the JSON keys as they "
			  "are. R\xc3\xa9ponds uniquement en fran\xc3\xa7" "ais.");
	buf_reset(&b);
	meeting_language_line(TACIT_TASK_SUMMARY, "es", false, &b);
	CHECK_STR(b.data, " Write in Spanish. Escribe en espa\xc3\xb1ol.");
	buf_reset(&b);
	meeting_language_line(TACIT_TASK_SUMMARY, "de", true, &b);
	CHECK(strstr(b.data, "in German, not in English") && strstr(b.data, "Antworte nur auf Deutsch."));
	/* English and languages without a native line are as before */
	buf_reset(&b);
	meeting_language_line(TACIT_TASK_SUMMARY, "en", false, &b);
	CHECK_STR(b.data, " Write in English.");
	buf_reset(&b);
	meeting_language_line(TACIT_TASK_SUMMARY, "it", false, &b);
	CHECK_STR(b.data, " Write in Italian.");
	buf_reset(&b);
	meeting_language_line(TACIT_TASK_SUMMARY, NULL, false, &b);
	CHECK_STR(b.data, " Write in the language of the transcript.");
	buf_reset(&b);
	meeting_language_line(TACIT_TASK_ANSWER, NULL, false, &b);
	CHECK_STR(b.data, "");
	buf_release(&b);

	/* an answer's language: from its values, not its keys or names */
	const char *en = "{\"title\":\"Budget\",\"overview\":\"We need to negotiate with the supplier before the end of "
			 "the week.\",\"action_items\":[{\"owner\":\"Marc\",\"task\":\"call the supplier\",\"due\":\"\",\"cites\":[4]}]}";
	const char *fra = "{\"title\":\"Budget\",\"overview\":\"Il faut négocier avec le fournisseur avant la fin de la "
			  "semaine.\",\"action_items\":[{\"owner\":\"the and is are\",\"task\":\"appeler le fournisseur\","
			  "\"due\":\"\",\"cites\":[4]}]}";
	CHECK_STR(meeting_answer_language(en, NULL), "en");
	CHECK_STR(meeting_answer_language(fra, NULL), "fr");
	CHECK(meeting_answer_language("{\"title\":\"ok\"}", NULL) == NULL);
	CHECK(meeting_answer_language("not json", NULL) == NULL);
}

/* ---- the retry, with canned answers -------------------------------------------------- */

struct canned {
	const char *answers[3];
	int n_calls;
	bool strong_seen[3];
	bool native_seen[3];
};

static enum tacit_status fake_generate(const struct tacit_llm_request *req, char **out, struct tacit_llm_stats *stats,
				       void *user)
{
	struct canned *c = user;
	int i = c->n_calls < 2 ? c->n_calls : 2;
	const char *msg = req->messages[req->n_messages - 1].content;
	c->strong_seen[i] = strstr(msg, "Important: write every text of the JSON in French") != NULL;
	c->native_seen[i] = strstr(msg, "cris en fran\xc3\xa7" "ais.") != NULL;
	c->n_calls++;
	stats->finish = TACIT_FINISH_STOP;
	if (!c->answers[i])
		return tacit_fail(TACIT_ERR_LLM, "no canned answer");
	*out = strdup(c->answers[i]);
	return *out ? TACIT_OK : TACIT_ERR_NOMEM;
}

static const char EN_NOTES[] = "{\"sections\":[{\"topic\":\"Budget\",\"start\":1,\"end\":2,\"bullets\":[{\"text\":\"The "
			       "supplier offer is too expensive for us and we need to negotiate with them.\",\"cites\":[2]}]}]}";
static const char FR_NOTES[] = "{\"sections\":[{\"topic\":\"Budget\",\"start\":1,\"end\":2,\"bullets\":[{\"text\":\"L'offre "
			       "du fournisseur est trop chère pour nous et il faut la négocier.\",\"cites\":[2]}]}]}";

static const char *stories(void)
{
	static char path[4096];
	const char *shared = test_shared_dir();
	if (!shared)
		return NULL;
	snprintf(path, sizeof(path), "%s/models/stories260K.gguf", shared);
	return access(path, R_OK) == 0 ? path : NULL;
}

static enum tacit_status run_notes(struct tacit_llm *llm, struct canned *c, char **json)
{
	struct tacit_transcript *t = NULL;
	const char *text = "Claire: Le fournisseur a une nouvelle offre pour nous.\nMarc: Elle est trop ch\xc3\xa8re, il "
			   "faut la n\xc3\xa9gocier avec eux.\n";
	CHECK_EQ_INT(transcript_parse(text, strlen(text), "fr", &t), TACIT_OK);
	struct tacit_meeting_params mp = tacit_meeting_default_params();
	mp.task = TACIT_TASK_NOTES;
	mp.max_tokens = 160;
	meeting_set_generate_hook(fake_generate, c);
	struct meeting_outcome o;
	enum tacit_status st = meeting_run(llm, t, &mp, NULL, json, &o);
	meeting_set_generate_hook(NULL, NULL);
	if (st == TACIT_OK) {
		CHECK_EQ_INT(o.n_lang_retries, c->n_calls - 1);
		CHECK_STR(o.language, "fr");
	}
	tacit_transcript_free(t);
	return st;
}

TEST_MODEL(lang_retry_once_when_the_answer_differs)
{
	if (!stories())
		SKIP("no ../shared/models/stories260K.gguf");
	struct tacit_llm_params lp = tacit_llm_default_params();
	struct tacit_llm *llm = NULL;
	lp.model_path = stories();
	lp.n_ctx = 1024;
	lp.n_threads = 2;
	CHECK_EQ_INT(tacit_llm_open(&lp, &llm), TACIT_OK);
	if (!llm)
		return;
	char *json = NULL;

	/* English first: asked again, firmly, and the French answer is kept */
	struct canned c1 = { { EN_NOTES, FR_NOTES, NULL }, 0, { false }, { false } };
	CHECK_EQ_INT(run_notes(llm, &c1, &json), TACIT_OK);
	CHECK_EQ_INT(c1.n_calls, 2);
	CHECK(!c1.strong_seen[0] && c1.native_seen[0]);
	CHECK(c1.strong_seen[1]);
	CHECK(json && strstr(json, "trop ch\xc3\xa8re"));
	tacit_free(json);
	json = NULL;

	/* French at once: one call */
	struct canned c2 = { { FR_NOTES, NULL, NULL }, 0, { false }, { false } };
	CHECK_EQ_INT(run_notes(llm, &c2, &json), TACIT_OK);
	CHECK_EQ_INT(c2.n_calls, 1);
	tacit_free(json);
	json = NULL;

	/* English twice: asked again once only, the second answer kept */
	struct canned c3 = { { EN_NOTES, EN_NOTES, EN_NOTES }, 0, { false }, { false } };
	CHECK_EQ_INT(run_notes(llm, &c3, &json), TACIT_OK);
	CHECK_EQ_INT(c3.n_calls, 2);
	tacit_free(json);
	json = NULL;

	/* the retry fails: the first answer stands */
	struct canned c4 = { { EN_NOTES, NULL, NULL }, 0, { false }, { false } };
	CHECK_EQ_INT(run_notes(llm, &c4, &json), TACIT_OK);
	CHECK_EQ_INT(c4.n_calls, 2);
	CHECK(json && strstr(json, "too expensive"));
	tacit_free(json);
	tacit_llm_close(llm);
}
