/*
 * test_voices.c — remembered voices: off by default and refused while off; a meeting's
 * voiceprints go with the meeting, a remembered one stays (and its meeting link is
 * cleared); turning the feature off deletes meetings' voiceprints; a later meeting's
 * matching speaker is named "NAME (likely)", each voice at most once; exports never
 * carry a voiceprint.
 */
#include "internal.h"

#include "store.h"

#include "../check.h"

#define DIM 8

static int64_t meeting(struct tacit_store *s, const char *const *labels, int n)
{
	struct tacit_session_params p = tacit_session_default_params();
	int64_t sid = 0;
	p.started_ms = 1700000000000;
	CHECK_EQ_INT(tacit_store_session_create(s, &p, &sid), TACIT_OK);
	for (int i = 0; i < n; i++) {
		struct tacit_segment g = { .start_ms = i * 2000, .end_ms = i * 2000 + 1500, .speaker = labels[i],
					   .text = "we ship in May", .confidence = 0.9f };
		CHECK_EQ_INT(tacit_store_add_segment(s, sid, &g, NULL), TACIT_OK);
	}
	return sid;
}

/* A voice: one axis mostly, a little of the next (so unit vectors differ clearly). */
static void voice(float *v, int axis, float noise)
{
	for (int i = 0; i < DIM; i++)
		v[i] = 0;
	v[axis] = 3.0f;
	v[(axis + 1) % DIM] = noise;
}

struct names {
	char s[8][80];
	int n;
};

static bool take_voice(const struct tacit_voice_info *v, void *user)
{
	struct names *n = user;
	snprintf(n->s[n->n++], sizeof(n->s[0]), "%s:%d:%lld", v->name, v->dim, (long long)v->from_session);
	return n->n < 8;
}

static bool take_speaker(const struct tacit_speaker_info *sp, void *user)
{
	struct names *n = user;
	snprintf(n->s[n->n++], sizeof(n->s[0]), "%s=%s", sp->label, sp->name ? sp->name : "");
	return n->n < 8;
}

TEST(voices_off_by_default_and_refused)
{
	struct tacit_store *s = NULL;
	bool on = true;
	float v[DIM];
	static const char *const who[] = { "Speaker 1" };
	CHECK_EQ_INT(tacit_store_open(":memory:", &s), TACIT_OK);
	int64_t a = meeting(s, who, 1);
	CHECK_EQ_INT(tacit_store_voices_enabled(s, &on), TACIT_OK);
	CHECK(!on);
	voice(v, 0, 0.1f);
	CHECK_EQ_INT(tacit_store_speaker_voiceprint_set(s, a, "Speaker 1", v, DIM), TACIT_ERR_USAGE);
	CHECK(strstr(tacit_errmsg(), "biometric") != NULL);
	CHECK_EQ_INT(tacit_store_voice_remember(s, a, "Speaker 1", "Alice"), TACIT_ERR_USAGE);
	int n = -1;
	CHECK_EQ_INT(tacit_store_voices_label(s, a, &n), TACIT_OK);
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_INT(tacit_store_voices_enable(s, true), TACIT_OK);
	CHECK_EQ_INT(tacit_store_voices_enabled(s, &on), TACIT_OK);
	CHECK(on);
	/* not a vector, not a speaker, no voiceprint yet */
	CHECK_EQ_INT(tacit_store_speaker_voiceprint_set(s, a, "Speaker 1", v, 0), TACIT_ERR_USAGE);
	float zero[DIM] = { 0 };
	CHECK_EQ_INT(tacit_store_speaker_voiceprint_set(s, a, "Speaker 1", zero, DIM), TACIT_ERR_USAGE);
	CHECK_EQ_INT(tacit_store_speaker_voiceprint_set(s, a, "Speaker 9", v, DIM), TACIT_ERR_NOT_FOUND);
	CHECK_EQ_INT(tacit_store_voice_remember(s, a, "Speaker 1", "Alice"), TACIT_ERR_NOT_FOUND);
	CHECK(strstr(tacit_errmsg(), "has no voiceprint") != NULL);
	CHECK_EQ_INT(tacit_store_voice_forget(s, "Nobody", NULL), TACIT_ERR_NOT_FOUND);
	tacit_store_close(s);
}

TEST(voices_remember_match_forget)
{
	struct tacit_store *s = NULL;
	float v[DIM];
	struct names got = { .n = 0 };
	static const char *const two[] = { "Speaker 1", "Speaker 2", "Speaker 1" };
	static const char *const three[] = { "Speaker 1", "Speaker 2", "Speaker 3", "Me" };
	CHECK_EQ_INT(tacit_store_open(":memory:", &s), TACIT_OK);
	CHECK_EQ_INT(tacit_store_voices_enable(s, true), TACIT_OK);

	/* meeting a: Alice (renamed) and Bob */
	int64_t a = meeting(s, two, 3);
	voice(v, 0, 0.1f);
	CHECK_EQ_INT(tacit_store_speaker_voiceprint_set(s, a, "Speaker 1", v, DIM), TACIT_OK);
	voice(v, 2, 0.1f);
	CHECK_EQ_INT(tacit_store_speaker_voiceprint_set(s, a, "Speaker 2", v, DIM), TACIT_OK);
	CHECK_EQ_INT(tacit_store_speaker_rename(s, a, "Speaker 1", "Alice", NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_voice_remember(s, a, "alice", NULL), TACIT_OK);  /* by name: "Alice" */
	CHECK_EQ_INT(tacit_store_voice_remember(s, a, "Speaker 2", "Bob"), TACIT_OK);
	CHECK_EQ_INT(tacit_store_voice_remember(s, a, "Speaker 2", "Bob (likely)"), TACIT_ERR_USAGE);
	CHECK_EQ_INT(tacit_store_voices_list(s, take_voice, &got), TACIT_OK);
	CHECK_EQ_INT(got.n, 2);
	char want[80];
	snprintf(want, sizeof(want), "Alice:%d:%lld", DIM, (long long)a);
	CHECK_STR(got.s[0], want);

	/* meeting b: Alice's voice again (a little off), a stranger, Bob's, and "Me" unset */
	int64_t b = meeting(s, three, 4);
	voice(v, 0, 0.6f);
	CHECK_EQ_INT(tacit_store_speaker_voiceprint_set(s, b, "Speaker 1", v, DIM), TACIT_OK);
	voice(v, 5, 0.0f);
	CHECK_EQ_INT(tacit_store_speaker_voiceprint_set(s, b, "Speaker 2", v, DIM), TACIT_OK);
	voice(v, 2, 0.3f);
	CHECK_EQ_INT(tacit_store_speaker_voiceprint_set(s, b, "Speaker 3", v, DIM), TACIT_OK);
	int n = 0;
	CHECK_EQ_INT(tacit_store_voices_label(s, b, &n), TACIT_OK);
	CHECK_EQ_INT(n, 2);
	got.n = 0;
	CHECK_EQ_INT(tacit_store_speakers_list(s, b, take_speaker, &got), TACIT_OK);
	CHECK_EQ_INT(got.n, 4);
	CHECK_STR(got.s[0], "Speaker 1=Alice (likely)");
	CHECK_STR(got.s[1], "Speaker 2=");
	CHECK_STR(got.s[2], "Speaker 3=Bob (likely)");
	CHECK_STR(got.s[3], "Me=");

	/* remembering a "(likely)" speaker by its name drops the suffix */
	CHECK_EQ_INT(tacit_store_voice_remember(s, b, "Speaker 3", NULL), TACIT_OK);
	got.n = 0;
	CHECK_EQ_INT(tacit_store_voices_list(s, take_voice, &got), TACIT_OK);
	CHECK_EQ_INT(got.n, 2);
	snprintf(want, sizeof(want), "Bob:%d:%lld", DIM, (long long)b);
	CHECK_STR(got.s[1], want);

	/* exports never carry a voiceprint, in any format */
	for (int f = TACIT_FORMAT_MD; f <= TACIT_FORMAT_VTT; f++) {
		char *text = NULL;
		CHECK_EQ_INT(tacit_store_export(s, b, (enum tacit_format)f, &text), TACIT_OK);
		CHECK(text && !strstr(text, "voiceprint") && !strstr(text, "voices"));
		tacit_free(text);
	}

	/* deleting meeting a: its voiceprints go; Alice, remembered, stays (no meeting now) */
	CHECK_EQ_INT(tacit_store_session_delete(s, a), TACIT_OK);
	got.n = 0;
	CHECK_EQ_INT(tacit_store_voices_list(s, take_voice, &got), TACIT_OK);
	CHECK_EQ_INT(got.n, 2);
	snprintf(want, sizeof(want), "Alice:%d:0", DIM);
	CHECK_STR(got.s[0], want);
	char *cnt = NULL;
	CHECK_EQ_INT(store_pragma(s, "page_count", &cnt), TACIT_OK); /* the store still answers */
	tacit_free(cnt);

	/* off: meeting b's voiceprints are deleted, the remembered voices stay */
	CHECK_EQ_INT(tacit_store_voices_enable(s, false), TACIT_OK);
	CHECK_EQ_INT(tacit_store_voices_enable(s, true), TACIT_OK);
	CHECK_EQ_INT(tacit_store_voice_remember(s, b, "Speaker 2", "Carol"), TACIT_ERR_NOT_FOUND);
	CHECK_EQ_INT(tacit_store_voice_forget(s, "ALICE", &n), TACIT_OK);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(tacit_store_voice_forget(s, NULL, &n), TACIT_OK);
	CHECK_EQ_INT(n, 1);
	got.n = 0;
	CHECK_EQ_INT(tacit_store_voices_list(s, take_voice, &got), TACIT_OK);
	CHECK_EQ_INT(got.n, 0);
	tacit_store_close(s);
}
