/*
 * store_voices.c — remembered voices (tacit.h, "remembered voices"): opt-in per device
 * (setting "voices.remember"), because a voiceprint is biometric data. A meeting's
 * speaker may carry a voiceprint (speakers.voiceprint: gone with the meeting); only a
 * voice the user remembers by name is copied into voices, the device's. Voiceprints are
 * L2-normalised float vectors in native byte order (they never leave the device).
 */
#include "internal.h"

#include "store_int.h"

#include <math.h>

#define SETTING "voices.remember"

enum tacit_status tacit_store_voices_enabled(struct tacit_store *s, bool *on)
{
	char *v = NULL;
	if (!s || !on)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_voices_enabled: store or on is NULL");
	*on = false;
	enum tacit_status st = tacit_store_setting_get(s, SETTING, &v);
	if (st == TACIT_ERR_NOT_FOUND)
		return TACIT_OK;
	if (st == TACIT_OK)
		*on = !strcmp(v, "on");
	tacit_free(v);
	return st;
}

enum tacit_status tacit_store_voices_enable(struct tacit_store *s, bool on)
{
	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_voices_enable: store is NULL");
	enum tacit_status st = store_batch_begin(s);
	if (st != TACIT_OK)
		return st;
	st = tacit_store_setting_set(s, SETTING, on ? "on" : "off");
	/* off: no meeting keeps a voiceprint; remembered voices stay until forgotten */
	if (st == TACIT_OK && !on)
		st = exec(s, "UPDATE speakers SET voiceprint = NULL WHERE voiceprint IS NOT NULL", "forget voiceprints");
	return store_batch_end(s, st);
}

static enum tacit_status need_on(struct tacit_store *s)
{
	bool on = false;
	enum tacit_status st = tacit_store_voices_enabled(s, &on);
	if (st == TACIT_OK && !on)
		st = tacit_fail(TACIT_ERR_USAGE,
				"remembered voices are off on this device (a voiceprint is biometric data; turn them "
				"on with 'tacit voices on')");
	return st;
}

/* v normalised into out (dim floats); false for a vector of zeros or not finite. */
static bool normalise(const float *v, int dim, float *out)
{
	double sum = 0;
	for (int i = 0; i < dim; i++) {
		if (!isfinite(v[i]))
			return false;
		sum += (double)v[i] * v[i];
	}
	if (!(sum > 0) || !isfinite(sum))
		return false;
	double inv = 1.0 / sqrt(sum);
	for (int i = 0; i < dim; i++)
		out[i] = (float)(v[i] * inv);
	return true;
}

enum tacit_status tacit_store_speaker_voiceprint_set(struct tacit_store *s, int64_t session_id, const char *label,
						     const float *vp, int dim)
{
	sqlite3_stmt *st = NULL;
	float *norm = NULL;
	enum tacit_status ret;
	if (!s || !label || !vp)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_speaker_voiceprint_set: store, label or voiceprint missing");
	if (dim < 1 || dim > TACIT_VOICE_DIM_MAX)
		return tacit_fail(TACIT_ERR_USAGE, "a voiceprint has 1 to %d values, not %d", TACIT_VOICE_DIM_MAX, dim);
	if ((ret = need_on(s)) != TACIT_OK || (ret = store_session_exists(s, session_id)) != TACIT_OK)
		return ret;
	if (!(norm = malloc((size_t)dim * sizeof(float))))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	if (!normalise(vp, dim, norm)) {
		ret = tacit_fail(TACIT_ERR_USAGE, "a voiceprint of zeros or of values not finite cannot be stored");
		goto out;
	}
	if ((ret = prep(s, "UPDATE speakers SET voiceprint = ?1 WHERE session_id = ?2 AND label = ?3", &st)) != TACIT_OK)
		goto out;
	sqlite3_bind_blob(st, 1, norm, dim * (int)sizeof(float), SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, session_id);
	bind_text_utf8(st, 3, label);
	ret = step_done(s, st, "store a voiceprint");
	if (ret == TACIT_OK && sqlite3_changes(s->db) == 0)
		ret = tacit_fail(TACIT_ERR_NOT_FOUND, "meeting %lld has no speaker '%s' (see 'tacit speakers %lld')",
				 (long long)session_id, label, (long long)session_id);
out:
	free(norm);
	return ret;
}

/* A name given by voice ends in TACIT_VOICE_LIKELY; a remembered name never does. */
static bool ends_likely(const char *name)
{
	size_t n = strlen(name), k = strlen(TACIT_VOICE_LIKELY);
	return n >= k && !strcmp(name + n - k, TACIT_VOICE_LIKELY);
}

enum tacit_status tacit_store_voice_remember(struct tacit_store *s, int64_t session_id, const char *who,
					     const char *name)
{
	sqlite3_stmt *st = NULL;
	char *as = NULL;
	int rc;
	enum tacit_status ret;
	if (!s || !who || !*who)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_voice_remember: store or speaker missing");
	if (name && strlen(name) > TACIT_SPEAKER_NAME_MAX)
		return tacit_fail(TACIT_ERR_USAGE, "a voice's name is at most %d bytes", TACIT_SPEAKER_NAME_MAX);
	if ((ret = need_on(s)) != TACIT_OK || (ret = store_session_exists(s, session_id)) != TACIT_OK)
		return ret;
	/* the speaker as a rename finds it: by label, else by a name given before */
	ret = prep(s,
		   "SELECT label, name, voiceprint FROM speakers WHERE session_id = ?1 AND (label = ?2 OR (name = ?2 COLLATE"
		   " NOCASE AND NOT EXISTS (SELECT 1 FROM speakers WHERE session_id = ?1 AND label = ?2))) ORDER BY id LIMIT 1",
		   &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	bind_text_utf8(st, 2, who);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		ret = rc == SQLITE_DONE ? tacit_fail(TACIT_ERR_NOT_FOUND, "meeting %lld has no speaker '%s' (see 'tacit speakers %lld')",
						     (long long)session_id, who, (long long)session_id)
					: store_db_fail(s, rc, "read a speaker");
		goto out;
	}
	int bytes = sqlite3_column_bytes(st, 2);
	if (sqlite3_column_type(st, 2) != SQLITE_BLOB || bytes <= 0 || bytes % (int)sizeof(float)) {
		ret = tacit_fail(TACIT_ERR_NOT_FOUND,
				 "speaker '%s' of meeting %lld has no voiceprint (one is kept only for meetings "
				 "diarized while remembered voices were on)",
				 who, (long long)session_id);
		goto out;
	}
	/* the name: given, else the speaker's own (without " (likely)"), else its label */
	if (name && *name)
		as = strdup(name);
	else if (sqlite3_column_type(st, 1) != SQLITE_NULL && *col_text(st, 1))
		as = strdup(col_text(st, 1));
	else
		as = strdup(col_text(st, 0));
	if (!as) {
		ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (!(name && *name) && ends_likely(as))
		as[strlen(as) - strlen(TACIT_VOICE_LIKELY)] = '\0';
	if (!*as || ends_likely(as)) {
		ret = tacit_fail(TACIT_ERR_USAGE, "'%s' cannot name a voice (it ends in '%s')", as, TACIT_VOICE_LIKELY);
		goto out;
	}
	sqlite3_stmt *ins = NULL;
	ret = prep(s,
		   "INSERT INTO voices (name, dim, voiceprint, from_session, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)"
		   " ON CONFLICT (name) DO UPDATE SET name = excluded.name, dim = excluded.dim,"
		   " voiceprint = excluded.voiceprint, from_session = excluded.from_session, created_ms = excluded.created_ms",
		   &ins);
	if (ret != TACIT_OK)
		goto out;
	bind_text_utf8(ins, 1, as);
	sqlite3_bind_int(ins, 2, bytes / (int)sizeof(float));
	sqlite3_bind_blob(ins, 3, sqlite3_column_blob(st, 2), bytes, SQLITE_TRANSIENT);
	sqlite3_bind_int64(ins, 4, session_id);
	sqlite3_bind_int64(ins, 5, store_now_ms());
	ret = step_done(s, ins, "remember a voice");
out:
	free(as);
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status tacit_store_voices_list(struct tacit_store *s, tacit_voice_info_fn fn, void *user)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !fn)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_voices_list: store or callback missing");
	enum tacit_status ret = prep(s,
				     "SELECT name, dim, created_ms, COALESCE(from_session, 0) FROM voices"
				     " ORDER BY name COLLATE NOCASE",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tacit_voice_info v = { col_text(st, 0), sqlite3_column_int(st, 1), sqlite3_column_int64(st, 2),
					      sqlite3_column_int64(st, 3) };
		if (!fn(&v, user))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, "read remembered voices");
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status tacit_store_voice_forget(struct tacit_store *s, const char *name, int *n_forgotten)
{
	sqlite3_stmt *st;
	if (n_forgotten)
		*n_forgotten = 0;
	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_voice_forget: store is NULL");
	enum tacit_status ret = prep(s, "DELETE FROM voices WHERE ?1 IS NULL OR name = ?1", &st);
	if (ret != TACIT_OK)
		return ret;
	bind_text_utf8(st, 1, name);
	ret = step_done(s, st, "forget a voice");
	int n = ret == TACIT_OK ? sqlite3_changes(s->db) : 0;
	if (ret == TACIT_OK && name && n == 0)
		ret = tacit_fail(TACIT_ERR_NOT_FOUND, "no remembered voice '%s' (see 'tacit voices')", name);
	if (n_forgotten)
		*n_forgotten = n;
	return ret;
}

/* The rows of a query as (id or name, vector) pairs of one length. */
struct prints {
	char **names;
	int64_t *ids;
	float *v;
	size_t n;
	int dim;
};

static void prints_release(struct prints *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->names[i]);
	free(p->names);
	free(p->ids);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* Reads (id, text, blob) rows; those whose length differs from the first are left out
 * (a voice from another embedding model cannot be compared). */
static enum tacit_status prints_read(struct tacit_store *s, sqlite3_stmt *st, struct prints *p)
{
	int rc;
	size_t cap = 0;
	enum tacit_status ret = TACIT_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int bytes = sqlite3_column_bytes(st, 2), dim = bytes / (int)sizeof(float);
		if (sqlite3_column_type(st, 2) != SQLITE_BLOB || dim < 1 || bytes % (int)sizeof(float) ||
		    (p->dim && dim != p->dim))
			continue;
		if (p->n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			char **nn = realloc(p->names, nc * sizeof(*nn));
			if (nn)
				p->names = nn;
			int64_t *ni = nn ? realloc(p->ids, nc * sizeof(*ni)) : NULL;
			if (ni)
				p->ids = ni;
			float *nv = ni ? realloc(p->v, nc * (size_t)dim * sizeof(float)) : NULL;
			if (!nv) {
				ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
				break;
			}
			p->v = nv;
			cap = nc;
		}
		if (!(p->names[p->n] = strdup(col_text(st, 1)))) {
			ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			break;
		}
		p->dim = dim;
		p->ids[p->n] = sqlite3_column_int64(st, 0);
		memcpy(p->v + p->n * (size_t)dim, sqlite3_column_blob(st, 2), (size_t)bytes);
		p->n++;
	}
	if (ret == TACIT_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, "read voiceprints");
	sqlite3_finalize(st);
	return ret;
}

static float cosine(const float *a, const float *b, int dim)
{
	double d = 0;
	for (int i = 0; i < dim; i++)
		d += (double)a[i] * b[i];
	return (float)d; /* both are L2-normalised */
}

enum tacit_status tacit_store_voices_label(struct tacit_store *s, int64_t session_id, int *n_named)
{
	struct prints known = { 0 }, spk = { 0 };
	sqlite3_stmt *st = NULL;
	bool on = false;
	enum tacit_status ret;
	if (n_named)
		*n_named = 0;
	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_voices_label: store is NULL");
	if ((ret = tacit_store_voices_enabled(s, &on)) != TACIT_OK || !on)
		return ret;
	if ((ret = store_session_exists(s, session_id)) != TACIT_OK)
		return ret;
	if ((ret = prep(s, "SELECT id, name, voiceprint FROM voices ORDER BY id", &st)) != TACIT_OK ||
	    (ret = prints_read(s, st, &known)) != TACIT_OK || known.n == 0)
		goto out;
	ret = prep(s,
		   "SELECT id, label, voiceprint FROM speakers WHERE session_id = ?1 AND voiceprint IS NOT NULL"
		   " AND (name IS NULL OR name = '') ORDER BY id",
		   &st);
	if (ret != TACIT_OK)
		goto out;
	sqlite3_bind_int64(st, 1, session_id);
	spk.dim = known.dim;
	if ((ret = prints_read(s, st, &spk)) != TACIT_OK)
		goto out;
	/* the closest pair first, each voice and each speaker used once: two speakers of
	 * one meeting are two people, so one remembered voice cannot name both */
	bool *vused = calloc(known.n + 1, 1), *sused = calloc(spk.n + 1, 1);
	int named = 0;
	if (!vused || !sused)
		ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	while (ret == TACIT_OK) {
		float best = TACIT_VOICE_MATCH;
		size_t bv = 0, bs = 0;
		bool found = false;
		for (size_t i = 0; i < spk.n; i++)
			for (size_t j = 0; j < known.n && !sused[i]; j++) {
				float c = vused[j] ? -2.0f : cosine(spk.v + i * (size_t)spk.dim, known.v + j * (size_t)known.dim, spk.dim);
				if (c >= best) {
					best = c;
					bs = i;
					bv = j;
					found = true;
				}
			}
		if (!found)
			break;
		sused[bs] = vused[bv] = true;
		char name[TACIT_SPEAKER_NAME_MAX + sizeof(TACIT_VOICE_LIKELY)];
		snprintf(name, sizeof(name), "%s%s", known.names[bv], TACIT_VOICE_LIKELY);
		if ((ret = tacit_store_speaker_name(s, session_id, spk.names[bs], name)) == TACIT_OK)
			named++;
		tacit_log(TACIT_LOG_INFO, "'%s' of meeting %lld sounds like remembered voice '%s' (similarity %.2f)",
			  spk.names[bs], (long long)session_id, known.names[bv], best);
	}
	free(vused);
	free(sused);
	if (n_named)
		*n_named = named;
out:
	prints_release(&known);
	prints_release(&spk);
	return ret;
}
