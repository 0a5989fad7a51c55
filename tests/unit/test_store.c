/*
 * test_store.c — the session store: sessions and their records on :memory: and on
 * files, migrations from every earlier schema (built here by hand with the SQL each
 * version had), FTS5 search (stemming, phrases, speaker filter, bad queries), export
 * against golden files, recordings and their repair after a crash, secure delete,
 * injected write failures (RLIMIT_FSIZE), and the real QMSum transcripts.
 * Tests may use sqlite3 directly to build old databases and look at raw state.
 */
#include "internal.h"

#include "embed.h"
#include "hash.h"
#include "store.h"

#include "../check.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

static char *path_in(const char *dir, const char *name)
{
	static char p[4][4096];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static struct tacit_store *open_mem(void)
{
	struct tacit_store *s = NULL;
	CHECK_EQ_INT(tacit_store_open(":memory:", &s), TACIT_OK);
	return s;
}

static int64_t new_session(struct tacit_store *s, const char *title)
{
	struct tacit_session_params p = tacit_session_default_params();
	int64_t id = 0;
	p.title = title;
	p.started_ms = 1700000000000;
	CHECK_EQ_INT(tacit_store_session_create(s, &p, &id), TACIT_OK);
	return id;
}

static int64_t add_seg(struct tacit_store *s, int64_t sid, int64_t t, const char *speaker, const char *text)
{
	struct tacit_segment g = { .start_ms = t, .end_ms = t + 2000, .speaker = speaker, .text = text, .confidence = 0.9f };
	int64_t id = 0;
	CHECK_EQ_INT(tacit_store_add_segment(s, sid, &g, &id), TACIT_OK);
	return id;
}

static bool count_fn(const struct tacit_segment *g, void *user)
{
	(void)g;
	(*(int *)user)++;
	return true;
}

struct ids {
	int64_t id[8192];
	int n;
};

static bool collect_fn(const struct tacit_segment *g, void *user)
{
	struct ids *c = user;
	if (c->n < 8192)
		c->id[c->n++] = g->id;
	return true;
}

static bool has_id(const struct ids *c, int64_t id)
{
	for (int i = 0; i < c->n; i++)
		if (c->id[i] == id)
			return true;
	return false;
}

static int count_segments(struct tacit_store *s, int64_t sid, bool partial)
{
	int n = 0;
	CHECK_EQ_INT(tacit_store_segments(s, sid, partial, count_fn, &n), TACIT_OK);
	return n;
}

struct hits {
	int n;
	char first[512];
	char speaker[64];
	int64_t session;
};

static bool hit_fn(const struct tacit_search_hit *h, void *user)
{
	struct hits *c = user;
	if (!c->n++) {
		snprintf(c->first, sizeof(c->first), "%s", h->snippet);
		snprintf(c->speaker, sizeof(c->speaker), "%s", h->speaker);
		c->session = h->session_id;
	}
	return true;
}

static int search(struct tacit_store *s, const char *q, const char *speaker, struct hits *out)
{
	struct tacit_search_params p = tacit_search_default_params();
	struct hits local;
	if (!out)
		out = &local;
	memset(out, 0, sizeof(*out));
	p.speaker = speaker;
	p.limit = 1000;
	enum tacit_status st = tacit_store_search(s, q, &p, hit_fn, out);
	return st == TACIT_OK ? out->n : -(int)st;
}

TEST(store_sessions_and_records_in_memory)
{
	struct tacit_store *s = open_mem();
	struct tacit_session ss;
	struct tacit_session *list;
	size_t n;
	char *v, *j, *m;
	if (!s)
		return;
	CHECK_EQ_INT(tacit_store_schema_version(), 12);
	int64_t a = new_session(s, "Weekly sync");
	int64_t b = new_session(s, NULL);
	CHECK(a > 0 && b > a);
	CHECK_EQ_INT(tacit_store_session_get(s, b, &ss), TACIT_OK);
	CHECK(!strncmp(ss.title, "Meeting ", 8)); /* a default title from the date */

	add_seg(s, a, 0, "S1", "Hello everyone");
	add_seg(s, a, 2000, "S2", "Hi there");
	add_seg(s, a, 4000, "S1", "Let us begin");
	add_seg(s, a, 6000, NULL, "unattributed words");
	CHECK_EQ_INT(tacit_store_session_get(s, a, &ss), TACIT_OK);
	CHECK_EQ_INT(ss.n_segments, 4);
	CHECK_EQ_INT(ss.n_speakers, 2);
	CHECK_EQ_INT(ss.duration_ms, 8000);
	CHECK_STR(ss.title, "Weekly sync");

	/* partial segments: one per session, replaced, never counted as final */
	struct tacit_segment part = { .start_ms = 8000, .end_ms = 9000, .text = "and then", .confidence = -1 };
	CHECK_EQ_INT(tacit_store_set_partial(s, a, &part), TACIT_OK);
	part.text = "and then we";
	CHECK_EQ_INT(tacit_store_set_partial(s, a, &part), TACIT_OK);
	CHECK_EQ_INT(count_segments(s, a, true), 5);
	CHECK_EQ_INT(count_segments(s, a, false), 4);
	CHECK_EQ_INT(search(s, "then", NULL, NULL), 0);
	add_seg(s, a, 8000, "S2", "and then we vote");
	CHECK_EQ_INT(count_segments(s, a, true), 5); /* the final one replaced the partial */

	CHECK_EQ_INT(tacit_store_session_list(s, &list, &n), TACIT_OK);
	CHECK_EQ_INT(n, 2);
	if (n == 2)
		CHECK(list[0].id == b || list[0].id == a);
	tacit_free(list);

	CHECK_EQ_INT(tacit_store_session_rename(s, a, "Budget review"), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_get(s, a, &ss), TACIT_OK);
	CHECK_STR(ss.title, "Budget review");
	CHECK_EQ_INT(tacit_store_session_end(s, a, 1700000600000), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_get(s, a, &ss), TACIT_OK);
	CHECK(ss.ended_ms == 1700000600000);

	CHECK_EQ_INT(tacit_store_speaker_name(s, a, "S1", "Alice"), TACIT_OK);
	CHECK_EQ_INT(tacit_store_speaker_name(s, a, "S9", "Zed"), TACIT_ERR_NOT_FOUND);

	struct tacit_artifact art = { .kind = "summary", .json = "{\"points\":[\"a\"]}", .markdown = "- a\n",
				      .model = "m", .prompt_version = "v1" };
	CHECK_EQ_INT(tacit_store_add_artifact(s, a, &art, NULL), TACIT_OK);
	art.markdown = "- b\n";
	art.created_ms = store_now_ms() + 1;
	CHECK_EQ_INT(tacit_store_add_artifact(s, a, &art, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_get_artifact(s, a, "summary", &j, &m), TACIT_OK);
	CHECK_STR(m, "- b\n");
	CHECK_STR(j, "{\"points\":[\"a\"]}");
	tacit_free(j);
	tacit_free(m);
	CHECK_EQ_INT(tacit_store_get_artifact(s, a, "notes", &j, &m), TACIT_ERR_NOT_FOUND);
	art.json = "{not json";
	CHECK_EQ_INT(tacit_store_add_artifact(s, a, &art, NULL), TACIT_ERR_USAGE);
	art.json = NULL;
	art.kind = "Bad Kind";
	CHECK_EQ_INT(tacit_store_add_artifact(s, a, &art, NULL), TACIT_ERR_USAGE);

	struct tacit_chat_record msg = { .role = "user", .text = "what was decided?" };
	CHECK_EQ_INT(tacit_store_add_chat(s, a, &msg, NULL), TACIT_OK);
	msg.role = "robot";
	CHECK_EQ_INT(tacit_store_add_chat(s, a, &msg, NULL), TACIT_ERR_USAGE);
	struct tacit_suggestion sug = { .at_ms = 4000, .kind = "question", .text = "Ask about costs" };
	CHECK_EQ_INT(tacit_store_add_suggestion(s, a, &sug, NULL), TACIT_OK);

	/* per-device settings */
	CHECK_EQ_INT(tacit_store_setting_get(s, "model.llm", &v), TACIT_ERR_NOT_FOUND);
	CHECK_EQ_INT(tacit_store_setting_set(s, "model.llm", "qwen3-1.7b"), TACIT_OK);
	CHECK_EQ_INT(tacit_store_setting_set(s, "suggestions.auto", "off"), TACIT_OK);
	CHECK_EQ_INT(tacit_store_setting_set(s, "model.llm", "qwen3-4b"), TACIT_OK);
	CHECK_EQ_INT(tacit_store_setting_get(s, "model.llm", &v), TACIT_OK);
	CHECK_STR(v, "qwen3-4b");
	tacit_free(v);
	CHECK_EQ_INT(tacit_store_setting_set(s, "model.llm", NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_setting_get(s, "model.llm", &v), TACIT_ERR_NOT_FOUND);
	CHECK_EQ_INT(tacit_store_setting_set(s, "Bad Key", "x"), TACIT_ERR_USAGE);

	/* unknown ids and bad arguments */
	struct tacit_segment g = { .start_ms = 0, .end_ms = 1, .text = "x" };
	CHECK_EQ_INT(tacit_store_add_segment(s, 999, &g, NULL), TACIT_ERR_NOT_FOUND);
	CHECK(strstr(tacit_errmsg(), "no session 999") != NULL);
	CHECK_EQ_INT(tacit_store_session_get(s, 999, &ss), TACIT_ERR_NOT_FOUND);
	CHECK_EQ_INT(tacit_store_session_rename(s, 999, "x"), TACIT_ERR_NOT_FOUND);
	CHECK_EQ_INT(tacit_store_session_delete(s, 999), TACIT_ERR_NOT_FOUND);
	CHECK_EQ_INT(tacit_store_add_chat(s, 999, &msg, NULL), TACIT_ERR_USAGE);
	msg.role = "assistant";
	CHECK_EQ_INT(tacit_store_add_chat(s, 999, &msg, NULL), TACIT_ERR_NOT_FOUND);
	CHECK_EQ_INT(tacit_store_segments(s, 999, false, count_fn, &(int){ 0 }), TACIT_ERR_NOT_FOUND);
	g.end_ms = -5;
	CHECK_EQ_INT(tacit_store_add_segment(s, a, &g, NULL), TACIT_ERR_USAGE);
	g.end_ms = 1;
	g.text = NULL;
	CHECK_EQ_INT(tacit_store_add_segment(s, a, &g, NULL), TACIT_ERR_USAGE);
	struct tacit_session_params sp = tacit_session_default_params();
	sp.settings_json = "[1,2]";
	CHECK_EQ_INT(tacit_store_session_create(s, &sp, NULL), TACIT_ERR_USAGE);
	struct tacit_recording *rec;
	CHECK_EQ_INT(tacit_recording_open(s, a, 16000, 1, &rec), TACIT_ERR_UNSUPPORTED);

	CHECK_EQ_INT(tacit_store_session_delete(s, a), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_get(s, a, &ss), TACIT_ERR_NOT_FOUND);
	CHECK_EQ_INT(search(s, "vote", NULL, NULL), 0);
	CHECK_EQ_INT(tacit_store_check(s), TACIT_OK);
	tacit_store_close(s);
}

TEST(store_bad_paths)
{
	struct tacit_store *s = NULL;
	const char *dir = test_tmpdir();
	CHECK_EQ_INT(tacit_store_open("/nonexistent/dir/tacit.db", &s), TACIT_ERR_IO);
	CHECK(s == NULL);
	CHECK(strstr(tacit_errmsg(), "/nonexistent/dir/tacit.db") != NULL);
	CHECK_EQ_INT(tacit_store_open("", &s), TACIT_ERR_USAGE);
	/* a file that is not a database */
	const char *junk = test_write_file(dir, "junk.db", "this is not a database, just text, long enough to be a header......"
					   "................................................................", 130);
	CHECK_EQ_INT(tacit_store_open(junk, &s), TACIT_ERR_INTEGRITY);
	CHECK(s == NULL);
	/* the default location honours TACIT_HOME (set by the test runner) */
	CHECK_EQ_INT(tacit_store_open(NULL, &s), TACIT_OK);
	tacit_store_close(s);
	char *data;
	CHECK_EQ_INT(tacit_dir_path(TACIT_DIR_DATA, &data), TACIT_OK);
	struct stat sb;
	CHECK(stat(path_in(data, "tacit.db"), &sb) == 0);
	CHECK((sb.st_mode & 077) == 0); /* private */
	tacit_free(data);
}

/* ---- migrations ------------------------------------------------------------------ */

/* The schema as version 1 shipped it, kept here verbatim. */
static const char v1_sql[] =
	"CREATE TABLE sessions (id INTEGER PRIMARY KEY, title TEXT NOT NULL DEFAULT '', started_ms INTEGER NOT NULL,"
	"  ended_ms INTEGER, language TEXT NOT NULL DEFAULT '', models TEXT NOT NULL DEFAULT '',"
	"  settings TEXT NOT NULL DEFAULT '{}');"
	"CREATE TABLE speakers (id INTEGER PRIMARY KEY,"
	"  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, label TEXT NOT NULL, name TEXT,"
	"  UNIQUE (session_id, label));"
	"CREATE TABLE segments (id INTEGER PRIMARY KEY,"
	"  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, start_ms INTEGER NOT NULL,"
	"  end_ms INTEGER NOT NULL, speaker_id INTEGER REFERENCES speakers(id) ON DELETE SET NULL,"
	"  text TEXT NOT NULL, final INTEGER NOT NULL DEFAULT 1, confidence REAL);"
	"CREATE INDEX segments_by_session ON segments (session_id, final, start_ms);"
	"CREATE INDEX speakers_by_session ON speakers (session_id);"
	"CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	"INSERT INTO sessions (id, title, started_ms) VALUES (1, 'Old meeting', 1600000000000);"
	"INSERT INTO speakers (id, session_id, label, name) VALUES (1, 1, 'S1', 'Carol');"
	"INSERT INTO segments (session_id, start_ms, end_ms, speaker_id, text) VALUES"
	"  (1, 0, 1000, 1, 'The quarterly budgets were approved'),"
	"  (1, 1000, 2000, NULL, 'Remote controls are expensive');"
	"INSERT INTO segments (session_id, start_ms, end_ms, text, final) VALUES (1, 2000, 2500, 'half a senten', 0);"
	"INSERT INTO settings VALUES ('model.asr', 'whisper-base.en');"
	"PRAGMA user_version = 1;";

/* What version 2 added. */
static const char v2_sql[] =
	"CREATE TABLE artifacts (id INTEGER PRIMARY KEY,"
	"  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, kind TEXT NOT NULL, json TEXT,"
	"  markdown TEXT, model TEXT NOT NULL DEFAULT '', prompt_version TEXT NOT NULL DEFAULT '',"
	"  created_ms INTEGER NOT NULL);"
	"CREATE INDEX artifacts_by_session ON artifacts (session_id, kind);"
	"CREATE TABLE chat_messages (id INTEGER PRIMARY KEY,"
	"  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')), text TEXT NOT NULL, model TEXT,"
	"  created_ms INTEGER NOT NULL);"
	"CREATE INDEX chat_by_session ON chat_messages (session_id);"
	"CREATE TABLE suggestions (id INTEGER PRIMARY KEY,"
	"  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, at_ms INTEGER NOT NULL,"
	"  kind TEXT NOT NULL DEFAULT '', text TEXT NOT NULL, model TEXT, created_ms INTEGER NOT NULL);"
	"CREATE INDEX suggestions_by_session ON suggestions (session_id);"
	"CREATE TABLE audio_files (id INTEGER PRIMARY KEY,"
	"  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, chunk INTEGER NOT NULL,"
	"  path TEXT NOT NULL, sample_rate INTEGER NOT NULL, channels INTEGER NOT NULL,"
	"  bytes_durable INTEGER NOT NULL DEFAULT 0, sha256 TEXT, state TEXT NOT NULL DEFAULT 'recording'"
	"  CHECK (state IN ('recording', 'closed', 'repaired', 'missing')), UNIQUE (session_id, chunk));"
	"CREATE TABLE model_states (id INTEGER PRIMARY KEY,"
	"  session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE, model TEXT NOT NULL DEFAULT '',"
	"  path TEXT NOT NULL UNIQUE, sha256 TEXT NOT NULL, bytes INTEGER NOT NULL, created_ms INTEGER NOT NULL);"
	"INSERT INTO artifacts (session_id, kind, markdown, created_ms) VALUES (1, 'summary', 'Approved.', 1600000001000);"
	"PRAGMA user_version = 2;";

static void make_db(const char *path, const char *sql1, const char *sql2)
{
	sqlite3 *db;
	CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	if (sql1)
		CHECK_EQ_INT(sqlite3_exec(db, sql1, NULL, NULL, NULL), SQLITE_OK);
	if (sql2)
		CHECK_EQ_INT(sqlite3_exec(db, sql2, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int user_version(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_open(path, &db) == SQLITE_OK && sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return v;
}

/* SQLite's plan for sql on the database at path, its details joined by " | ". */
static void query_plan(const char *path, const char *sql, char *out, size_t n)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char q[1024];
	size_t len = 0;
	out[0] = '\0';
	snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_open(path, &db) == SQLITE_OK && sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW && len < n)
			len += (size_t)snprintf(out + len, n - len, "%s | ", (const char *)sqlite3_column_text(st, 3));
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
}

/* History's listing reads each meeting's length and speakers by index, never by reading
 * its lines (migration 10), and every meeting's summary by two index seeks (issue #20). */
TEST(store_listing_queries_use_indexes)
{
	const char *path = path_in(test_tmpdir(), "plans.db");
	struct tacit_store *s = NULL;
	char plan[2048];
	CHECK_EQ_INT(tacit_store_open(path, &s), TACIT_OK);
	tacit_store_close(s);
	query_plan(path, "SELECT COALESCE(MAX(g.end_ms), 0) FROM segments g WHERE g.session_id = 1 AND g.final = 1", plan,
		   sizeof(plan));
	CHECK(strstr(plan, "COVERING INDEX segments_by_session_end") != NULL);
	query_plan(path, "SELECT session_id, label, name FROM speakers ORDER BY session_id, id", plan, sizeof(plan));
	CHECK(strstr(plan, "USING INDEX speakers_by_session") && !strstr(plan, "TEMP B-TREE"));
	query_plan(path,
		   "SELECT id FROM artifacts WHERE session_id = 1 AND kind = 'summary' ORDER BY created_ms DESC, id DESC"
		   " LIMIT 1",
		   plan, sizeof(plan));
	CHECK(strstr(plan, "INDEX artifacts_by_session (session_id=? AND kind=?)") != NULL);
	unlink(path);
}

static int count_row(const struct store_custom_row *r, void *user)
{
	(void)r;
	(*(int *)user)++;
	return 0;
}

static int n_custom_rows(struct tacit_store *s)
{
	int n = 0;
	CHECK_EQ_INT(store_custom_list(s, count_row, &n), TACIT_OK);
	return n;
}

TEST(store_custom_models)
{
	struct tacit_store *s = open_mem();
	if (!s)
		return;
	struct store_custom_row a = { .name = "b-model", .path = "/x/b.gguf", .file_bytes = 10, .mtime_ns = 7,
				      .info = "{\"arch\":\"llama\"}" };
	struct store_custom_row b = { .name = "a-model", .path = "/x/a.gguf", .file_bytes = 20, .info = NULL };
	CHECK_EQ_INT(store_custom_put(s, &a), TACIT_OK);
	CHECK_EQ_INT(store_custom_put(s, &b), TACIT_OK);
	a.path = "/y/b.gguf"; /* the same name again replaces the row */
	CHECK_EQ_INT(store_custom_put(s, &a), TACIT_OK);
	CHECK_EQ_INT(n_custom_rows(s), 2);
	b.info = "[1]";
	CHECK_EQ_INT(store_custom_put(s, &b), TACIT_ERR_USAGE);
	CHECK_EQ_INT(store_custom_delete(s, "a-model"), TACIT_OK);
	CHECK_EQ_INT(store_custom_delete(s, "a-model"), TACIT_ERR_NOT_FOUND);
	CHECK_EQ_INT(n_custom_rows(s), 1);
	tacit_store_close(s);
}

static void first_todo(int64_t segment_id, const char *text, void *user)
{
	(void)text;
	*(int64_t *)user = segment_id;
}

static void check_migrated(const char *path, bool from_v2)
{
	struct tacit_store *s = NULL;
	struct tacit_session ss;
	struct hits h;
	char *v, *m;
	CHECK_EQ_INT(tacit_store_open(path, &s), TACIT_OK);
	if (!s)
		return;
	CHECK_EQ_INT(user_version(path), tacit_store_schema_version());
	CHECK_EQ_INT(tacit_store_session_get(s, 1, &ss), TACIT_OK);
	CHECK_STR(ss.title, "Old meeting");
	CHECK_EQ_INT(ss.n_segments, 2);
	CHECK(!ss.times_synthesized);
	/* rows written before the index existed are searchable, with stemming and names */
	CHECK_EQ_INT(search(s, "budget", NULL, &h), 1);
	CHECK_STR(h.speaker, "Carol");
	CHECK_EQ_INT(search(s, "remote control", NULL, NULL), 1);
	CHECK_EQ_INT(search(s, "senten", NULL, NULL), 0); /* the partial stays out of the index */
	CHECK_EQ_INT(tacit_store_setting_get(s, "model.asr", &v), TACIT_OK);
	CHECK_STR(v, "whisper-base.en");
	tacit_free(v);
	if (from_v2) {
		CHECK_EQ_INT(tacit_store_get_artifact(s, 1, "summary", NULL, &m), TACIT_OK);
		CHECK_STR(m, "Approved.");
		tacit_free(m);
	}
	/* version 5: the rebuilt sessions table kept every row, its id and what refers to it
	 * (checked above), foreign keys are on again, and a deleted id is not given out again */
	char *fk = NULL;
	CHECK_EQ_INT(store_pragma(s, "foreign_keys", &fk), TACIT_OK);
	CHECK(fk && !strcmp(fk, "1"));
	tacit_free(fk);
	int64_t added = new_session(s, "After the upgrade");
	CHECK_EQ_INT(added, 2);
	CHECK_EQ_INT(tacit_store_session_delete(s, added), TACIT_OK);
	CHECK_EQ_INT(new_session(s, "Next"), 3);
	/* version 4: the custom-model references, empty after the upgrade and usable */
	CHECK_EQ_INT(n_custom_rows(s), 0);
	struct store_custom_row r = { .name = "mine", .path = "/m/mine.gguf", .file_bytes = 5, .info = "{}" };
	CHECK_EQ_INT(store_custom_put(s, &r), TACIT_OK);
	CHECK_EQ_INT(n_custom_rows(s), 1);
	/* version 12: lines get vectors for search by meaning, and lose them with the line */
	int64_t first_id = 0, have = -1, todo = -1;
	CHECK_EQ_INT(store_vectors_todo(s, "m.gguf:1", 0, 1, first_todo, &first_id), TACIT_OK);
	CHECK(first_id > 0);
	float unit[4] = { 0, 1, 0, 0 };
	unsigned char q[EMBED_Q_BYTES(4)];
	embed_quantize(unit, 4, q);
	CHECK_EQ_INT(store_vectors_put(s, "m.gguf:1", &first_id, q, 4, 1), TACIT_OK);
	CHECK_EQ_INT(store_vectors_count(s, "m.gguf:1", &have, &todo), TACIT_OK);
	CHECK(have == 1 && todo >= 1);
	/* and the migrated store works like a new one */
	add_seg(s, 1, 3000, "S1", "Budget meeting adjourned");
	CHECK_EQ_INT(search(s, "budget", "carol", NULL), 2);
	CHECK_EQ_INT(tacit_store_session_delete(s, 1), TACIT_OK);
	CHECK_EQ_INT(search(s, "budget", NULL, NULL), 0);
	CHECK_EQ_INT(tacit_store_check(s), TACIT_OK);
	tacit_store_close(s);
	/* opening again changes nothing */
	CHECK_EQ_INT(tacit_store_open(path, &s), TACIT_OK);
	tacit_store_close(s);
}

/* A deleted meeting's id is never given to another one, the last one included (SQLite
 * reuses the largest rowid without AUTOINCREMENT), also across a reopen. */
TEST(store_session_ids_never_reused)
{
	const char *dir = test_tmpdir();
	struct tacit_store *s = open_mem();
	if (!s)
		return;
	int64_t a = new_session(s, "a"), b = new_session(s, "b");
	CHECK_EQ_INT(tacit_store_session_delete(s, b), TACIT_OK);
	int64_t c = new_session(s, "c");
	CHECK(c > b);
	CHECK_EQ_INT(tacit_store_session_delete(s, a), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_delete(s, c), TACIT_OK);
	CHECK(new_session(s, "d") > c);
	tacit_store_close(s);

	const char *path = path_in(dir, "ids.db");
	s = NULL;
	CHECK_EQ_INT(tacit_store_open(path, &s), TACIT_OK);
	if (!s)
		return;
	b = new_session(s, "b");
	CHECK_EQ_INT(tacit_store_session_delete(s, b), TACIT_OK);
	tacit_store_close(s);
	s = NULL;
	CHECK_EQ_INT(tacit_store_open(path, &s), TACIT_OK);
	if (!s)
		return;
	CHECK(new_session(s, "c") > b);
	tacit_store_close(s);
}

TEST(store_migrates_from_every_version)
{
	const char *dir = test_tmpdir();
	struct tacit_store *s = NULL;

	/* version 0: an empty file */
	make_db(path_in(dir, "v0.db"), NULL, NULL);
	CHECK_EQ_INT(tacit_store_open(path_in(dir, "v0.db"), &s), TACIT_OK);
	tacit_store_close(s);
	CHECK_EQ_INT(user_version(path_in(dir, "v0.db")), tacit_store_schema_version());

	make_db(path_in(dir, "v1.db"), v1_sql, NULL);
	CHECK_EQ_INT(user_version(path_in(dir, "v1.db")), 1);
	check_migrated(path_in(dir, "v1.db"), false);

	make_db(path_in(dir, "v2.db"), v1_sql, v2_sql);
	CHECK_EQ_INT(user_version(path_in(dir, "v2.db")), 2);
	check_migrated(path_in(dir, "v2.db"), true);

	/* a store from a newer tacit is left alone */
	make_db(path_in(dir, "v99.db"), "PRAGMA user_version = 99;", NULL);
	s = NULL;
	CHECK_EQ_INT(tacit_store_open(path_in(dir, "v99.db"), &s), TACIT_ERR_UNSUPPORTED);
	CHECK(s == NULL);
	CHECK(strstr(tacit_errmsg(), "newer") != NULL);
	CHECK_EQ_INT(user_version(path_in(dir, "v99.db")), 99);
}

/* A pragma's value on the store's own connection: synchronous, foreign_keys and the busy
 * timeout belong to a connection, so another one cannot see them. */
static void check_pragma(struct tacit_store *s, const char *name, const char *want)
{
	char *v = NULL;
	CHECK_EQ_INT(store_pragma(s, name, &v), TACIT_OK);
	if (!v || strcmp(v, want) != 0)
		fprintf(stderr, "  PRAGMA %s is '%s', the store promises '%s'\n", name, v ? v : "(none)", want);
	CHECK_STR(v, want);
	free(v);
}

/* Threads that open one new store at once (a fresh `tacit serve` whose first page asks
 * several things together): each waits for the others' upgrade instead of running the
 * same migration again ("table sessions already exists"), and reads the schema again
 * when a migration changed it under its quick check (SQLITE_SCHEMA: "vtable constructor
 * failed: segments_fts"). */
struct opener {
	const char *path;
	pthread_barrier_t *go;
	enum tacit_status st;
	char msg[256];
};

static void *open_at_once(void *arg)
{
	struct opener *o = arg;
	struct tacit_store *s = NULL;
	pthread_barrier_wait(o->go);
	o->st = tacit_store_open(o->path, &s);
	snprintf(o->msg, sizeof(o->msg), "%s", o->st == TACIT_OK ? "" : tacit_errmsg());
	tacit_store_close(s);
	return NULL;
}

TEST(store_new_file_opened_by_many_at_once)
{
	enum { N_THREADS = 6, N_ROUNDS = 24 }; /* the schema race below failed 3 to 7 runs in 40 at 8 */
	for (int round = 0; round < N_ROUNDS; round++) {
		char name[32];
		snprintf(name, sizeof(name), "race%d.db", round);
		const char *path = path_in(test_tmpdir(), name);
		pthread_barrier_t go;
		pthread_t th[N_THREADS];
		struct opener o[N_THREADS];
		pthread_barrier_init(&go, NULL, N_THREADS);
		for (int i = 0; i < N_THREADS; i++) {
			o[i] = (struct opener){ .path = path, .go = &go };
			CHECK_EQ_INT(pthread_create(&th[i], NULL, open_at_once, &o[i]), 0);
		}
		for (int i = 0; i < N_THREADS; i++) {
			pthread_join(th[i], NULL);
			if (o[i].st != TACIT_OK)
				fprintf(stderr, "round %d, thread %d: %s\n", round, i, o[i].msg);
			CHECK_EQ_INT(o[i].st, TACIT_OK);
		}
		pthread_barrier_destroy(&go);
	}
}

TEST(store_file_pragmas)
{
	const char *dir = test_tmpdir();
	char db[4096];
	snprintf(db, sizeof(db), "%s/t.db", dir);
	struct tacit_store *s = NULL;
	CHECK_EQ_INT(tacit_store_open(db, &s), TACIT_OK);
	int64_t id = new_session(s, "x");
	add_seg(s, id, 0, "S1", "durable words");
	/* a second handle (another thread's) sees the commit at once */
	struct tacit_store *s2 = NULL;
	CHECK_EQ_INT(tacit_store_open(db, &s2), TACIT_OK);
	CHECK_EQ_INT(count_segments(s2, id, false), 1);
	add_seg(s2, id, 2000, "S2", "from the other handle");
	CHECK_EQ_INT(count_segments(s, id, false), 2);
	/* every pragma the store promises on a file database, on each handle's connection
	 * (Debian's SQLite defaults to synchronous FULL and secure delete, so there those two
	 * hold even without the store's pragmas; other builds default to less) */
	char busy[32];
	snprintf(busy, sizeof(busy), "%d", STORE_BUSY_MS);
	struct tacit_store *handles[] = { s, s2 };
	for (size_t i = 0; i < ARRAY_SIZE(handles); i++) {
		check_pragma(handles[i], "journal_mode", "wal");
		check_pragma(handles[i], "synchronous", "2"); /* FULL */
		check_pragma(handles[i], "foreign_keys", "1");
		check_pragma(handles[i], "secure_delete", "1");
		check_pragma(handles[i], "busy_timeout", busy);
	}
	char *v = NULL;
	CHECK_EQ_INT(store_pragma(s, "no_such_pragma", &v), TACIT_ERR_NOT_FOUND);
	CHECK_EQ_INT(store_pragma(s, "user_version; DROP TABLE sessions", &v), TACIT_ERR_USAGE);
	CHECK(v == NULL);
	tacit_store_close(s2);
	tacit_store_close(s);

	sqlite3 *raw;
	sqlite3_stmt *st;
	CHECK_EQ_INT(sqlite3_open(db, &raw), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_step(st), SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(raw);
}

/* ---- search ------------------------------------------------------------------------ */

TEST(store_search_stemming_phrases_speakers)
{
	struct tacit_store *s = open_mem();
	struct hits h;
	if (!s)
		return;
	int64_t a = new_session(s, "Design review");
	int64_t b = new_session(s, "Kick-off");
	add_seg(s, a, 0, "PM", "We need to cut the budgets for the remote control project");
	add_seg(s, a, 2000, "ID", "The control of the remote is on the left");
	add_seg(s, a, 4000, "ID", "Batteries are running low");
	add_seg(s, b, 0, "PM", "Welcome to the kick-off meeting");
	add_seg(s, b, 2000, "UI", "Budgeting starts next week, café included");
	CHECK_EQ_INT(tacit_store_speaker_name(s, a, "ID", "David"), TACIT_OK);

	/* stemming: budget ~ budgets ~ budgeting; running ~ run */
	CHECK_EQ_INT(search(s, "budget", NULL, NULL), 2);
	CHECK_EQ_INT(search(s, "budgeted", NULL, NULL), 2);
	CHECK_EQ_INT(search(s, "run", NULL, NULL), 1);
	/* phrases are adjacent words in order; bare words just all appear */
	CHECK_EQ_INT(search(s, "\"remote control\"", NULL, &h), 1);
	CHECK(strstr(h.first, "[remote control]") != NULL);
	CHECK_EQ_INT(search(s, "remote control", NULL, NULL), 2);
	CHECK_EQ_INT(search(s, "\"control remote\"", NULL, NULL), 0);
	/* punctuation inside a word is a phrase; diacritics fold */
	CHECK_EQ_INT(search(s, "kick-off", NULL, &h), 1);
	CHECK(h.session == b);
	CHECK_EQ_INT(search(s, "cafe", NULL, NULL), 1);
	/* prefix, OR, NOT */
	CHECK_EQ_INT(search(s, "batt*", NULL, NULL), 1);
	CHECK_EQ_INT(search(s, "batteries OR welcome", NULL, NULL), 2);
	CHECK_EQ_INT(search(s, "remote NOT budget", NULL, NULL), 1);
	CHECK_EQ_INT(search(s, "(budget OR batteries) AND remote", NULL, NULL), 1);
	/* speaker filter by label or given name, any case */
	CHECK_EQ_INT(search(s, "remote", "PM", NULL), 1);
	CHECK_EQ_INT(search(s, "remote", "david", &h), 1);
	CHECK_STR(h.speaker, "David");
	CHECK_EQ_INT(search(s, "remote", "nobody", NULL), 0);
	/* session filter */
	struct tacit_search_params p = tacit_search_default_params();
	p.session_id = b;
	memset(&h, 0, sizeof(h));
	CHECK_EQ_INT(tacit_store_search(s, "budget", &p, hit_fn, &h), TACIT_OK);
	CHECK_EQ_INT(h.n, 1);
	/* FTS5 syntax the user did not mean is quoted away: column filters, operators in words */
	CHECK_EQ_INT(search(s, "text:budget", NULL, NULL), 0);
	CHECK_EQ_INT(search(s, "NEAR(remote control)", NULL, NULL), 0);
	CHECK_EQ_INT(search(s, "^remote", NULL, NULL), 2);
	/* malformed queries are usage errors with a reason, never a crash */
	CHECK_EQ_INT(search(s, "\"unterminated", NULL, NULL), -TACIT_ERR_USAGE);
	CHECK(strstr(tacit_errmsg(), "unterminated quote") != NULL);
	CHECK_EQ_INT(search(s, "", NULL, NULL), -TACIT_ERR_USAGE);
	CHECK_EQ_INT(search(s, "   ", NULL, NULL), -TACIT_ERR_USAGE);
	CHECK_EQ_INT(search(s, "budget OR", NULL, NULL), -TACIT_ERR_USAGE);
	CHECK_EQ_INT(search(s, "(budget", NULL, NULL), -TACIT_ERR_USAGE);
	CHECK_EQ_INT(search(s, "AND", NULL, NULL), -TACIT_ERR_USAGE);
	CHECK_EQ_INT(search(s, ")", NULL, NULL), -TACIT_ERR_USAGE);
	CHECK_EQ_INT(search(s, "*", NULL, NULL), -TACIT_ERR_USAGE);
	tacit_store_close(s);
}

/* ---- export -------------------------------------------------------------------------- */

static char *read_all(const char *path)
{
	struct buf b;
	buf_init(&b);
	if (!read_small_file(path, &b, 1 << 24)) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

TEST(store_export_matches_golden_files)
{
	static const char *const fmts[] = { "md", "json", "txt", "srt", "vtt" };
	const char *dir = test_tmpdir();
	struct tacit_store *s = NULL;
	CHECK_EQ_INT(tacit_store_open(path_in(dir, "golden.db"), &s), TACIT_OK);
	if (!s)
		return;
	struct tacit_session_params p = tacit_session_default_params();
	p.title = "Remote control kick-off";
	p.language = "en";
	p.models = "whisper-base.en, qwen3-1.7b";
	p.settings_json = "{\"suggestions\":\"off\"}";
	p.started_ms = 1700000000000;
	int64_t id;
	CHECK_EQ_INT(tacit_store_session_create(s, &p, &id), TACIT_OK);
	struct tacit_segment g[] = {
		{ .start_ms = 0, .end_ms = 2500, .speaker = "S1", .text = "Welcome, everyone.", .confidence = 0.91f },
		{ .start_ms = 2500, .end_ms = 6250, .speaker = "S2", .text = "Costs must stay <25 & simple.", .confidence = 0.8f },
		{ .start_ms = 3723004, .end_ms = 3725000, .speaker = NULL, .text = "(inaudible)", .confidence = -1 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(g); i++)
		CHECK_EQ_INT(tacit_store_add_segment(s, id, &g[i], NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_speaker_name(s, id, "S1", "Laura"), TACIT_OK);
	struct tacit_artifact sum = { .kind = "summary", .json = "{\"decisions\":[\"keep it simple\"]}",
				      .markdown = "The team agreed to keep costs low.\n", .model = "qwen3-1.7b",
				      .prompt_version = "summary-v1", .created_ms = 1700000700000 };
	struct tacit_artifact notes = { .kind = "notes", .markdown = "- Costs under 25\n- Next: design", .model = "qwen3-1.7b",
					.prompt_version = "notes-v1", .created_ms = 1700000700001 };
	struct tacit_chat_record q = { .role = "user", .text = "What is the budget?", .created_ms = 1700000800000 };
	struct tacit_chat_record r = { .role = "assistant", .text = "Under 25.", .model = "qwen3-1.7b",
					.created_ms = 1700000800500 };
	struct tacit_suggestion sg = { .at_ms = 6000, .kind = "question", .text = "Ask who owns the design.",
				       .model = "qwen3-1.7b", .created_ms = 1700000006500 };
	CHECK_EQ_INT(tacit_store_add_artifact(s, id, &sum, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_add_artifact(s, id, &notes, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_add_chat(s, id, &q, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_add_chat(s, id, &r, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_add_suggestion(s, id, &sg, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_end(s, id, 1700003725000), TACIT_OK);

	bool update = getenv("TACIT_UPDATE_GOLDEN") != NULL;
	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++) {
		enum tacit_format f;
		char *text = NULL, golden[128];
		CHECK_EQ_INT(tacit_format_parse(fmts[i], &f), TACIT_OK);
		CHECK_EQ_INT(tacit_store_export(s, id, f, &text), TACIT_OK);
		snprintf(golden, sizeof(golden), "tests/golden/session.%s", fmts[i]);
		if (update && text)
			test_write_file("tests/golden", strchr(golden + 6, '/') + 1, text, strlen(text));
		char *want = read_all(golden);
		CHECK(want != NULL);
		if (want && text && strcmp(want, text) != 0) {
			fprintf(stderr, "  export %s differs from %s (TACIT_UPDATE_GOLDEN=1 rewrites it):\n%s\n", fmts[i],
				golden, text);
			CHECK(!"export matches golden file");
		}
		free(want);
		tacit_free(text);
	}
	enum tacit_format f;
	char *text;
	CHECK_EQ_INT(tacit_format_parse("docx", &f), TACIT_ERR_USAGE);
	CHECK_EQ_INT(tacit_format_parse(NULL, &f), TACIT_ERR_USAGE);
	CHECK_EQ_INT(tacit_store_export(s, id + 1, TACIT_FORMAT_MD, &text), TACIT_ERR_NOT_FOUND);
	tacit_store_close(s);
}

/* ---- recordings ---------------------------------------------------------------------- */

static uint32_t le32_at(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* true when the WAV's size fields agree with the file's length */
static bool wav_consistent(const char *path, uint32_t *data_bytes)
{
	unsigned char h[44];
	struct stat sb;
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	bool ok = fread(h, 1, 44, f) == 44 && fstat(fileno(f), &sb) == 0;
	fclose(f);
	if (!ok || memcmp(h, "RIFF", 4) || memcmp(h + 8, "WAVEfmt ", 8) || memcmp(h + 36, "data", 4))
		return false;
	*data_bytes = le32_at(h + 40);
	return le32_at(h + 4) == 36 + *data_bytes && (off_t)(44 + *data_bytes) == sb.st_size;
}

static void fill_pcm(int16_t *pcm, size_t n, size_t offset)
{
	for (size_t i = 0; i < n; i++)
		pcm[i] = (int16_t)((offset + i) * 37 % 65536 - 32768);
}

TEST(store_recording_close_and_repair)
{
	const char *dir = test_tmpdir();
	char db[4096];
	snprintf(db, sizeof(db), "%s/rec.db", dir);
	struct tacit_store *s = NULL;
	struct tacit_recording *rec = NULL;
	struct tacit_audio_file *files;
	size_t n;
	int16_t pcm[1600];
	uint32_t data;

	CHECK_EQ_INT(tacit_store_open(db, &s), TACIT_OK);
	if (!s)
		return;
	int64_t id = new_session(s, "rec");
	CHECK_EQ_INT(tacit_recording_open(s, id, 16000, 1, &rec), TACIT_OK);
	for (int i = 0; i < 25; i++) { /* 2.5 s */
		fill_pcm(pcm, 1600, (size_t)i * 1600);
		CHECK_EQ_INT(tacit_recording_write(rec, pcm, 1600), TACIT_OK);
	}
	/* at most half a second is ever pending */
	CHECK(tacit_recording_durable_bytes(rec) >= 2 * 16000 * 2);
	CHECK_EQ_INT(tacit_recording_close(rec), TACIT_OK);
	CHECK_EQ_INT(tacit_store_audio_files(s, id, &files, &n), TACIT_OK);
	CHECK_EQ_INT(n, 1);
	if (n == 1) {
		char hex[65];
		CHECK_STR(files[0].state, "closed");
		CHECK_EQ_INT(files[0].data_bytes, 25 * 1600 * 2);
		CHECK(wav_consistent(files[0].path, &data));
		CHECK_EQ_INT(data, 25 * 1600 * 2);
		CHECK_EQ_INT(sha256_file(files[0].path, hex), TACIT_OK);
		CHECK_STR(files[0].sha256, hex);
	}
	tacit_free(files);

	/* a writer that dies without closing: the next open repairs the header */
	pid_t pid = fork();
	if (pid == 0) {
		struct tacit_store *cs = NULL;
		struct tacit_recording *cr = NULL;
		if (tacit_store_open(db, &cs) != TACIT_OK || tacit_recording_open(cs, id, 16000, 2, &cr) != TACIT_OK)
			_exit(1);
		for (int i = 0; i < 7; i++) {
			fill_pcm(pcm, 1600, (size_t)i * 1600);
			if (tacit_recording_write(cr, pcm, 800) != TACIT_OK)
				_exit(1);
		}
		/* and a torn frame at the end, as a crash mid-write leaves */
		int fd = open(path_in(dir, "audio/1/chunk-001.wav"), O_WRONLY | O_APPEND);
		if (fd < 0 || write(fd, "\x01\x02\x03", 3) != 3)
			_exit(1);
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(!wav_consistent(path_in(dir, "audio/1/chunk-001.wav"), &data));
	tacit_store_close(s);
	CHECK_EQ_INT(tacit_store_open(db, &s), TACIT_OK);
	CHECK_EQ_INT(tacit_store_audio_files(s, id, &files, &n), TACIT_OK);
	CHECK_EQ_INT(n, 2);
	if (n == 2) {
		CHECK_STR(files[1].state, "repaired");
		CHECK_EQ_INT(files[1].chunk, 1);
		CHECK_EQ_INT(files[1].channels, 2);
		CHECK(wav_consistent(files[1].path, &data));
		CHECK_EQ_INT(data, 7 * 800 * 4);
		CHECK_EQ_INT(files[1].data_bytes, 7 * 800 * 4);
		CHECK(strlen(files[1].sha256) == 64);
	}
	tacit_free(files);
	CHECK_EQ_INT(tacit_store_check(s), TACIT_OK);
	struct tacit_recording *bad;
	CHECK_EQ_INT(tacit_recording_open(s, id, 16000, 0, &bad), TACIT_ERR_USAGE);
	CHECK_EQ_INT(tacit_recording_open(s, 999, 16000, 1, &bad), TACIT_ERR_NOT_FOUND);
	tacit_store_close(s);
}

/* ---- secure delete ------------------------------------------------------------------- */

static bool file_contains(const char *path, const char *needle)
{
	char *data;
	struct buf b;
	buf_init(&b);
	bool found = false;
	if (read_small_file(path, &b, 1 << 26)) {
		data = b.data;
		size_t n = strlen(needle);
		for (size_t i = 0; i + n <= b.len && !found; i++)
			found = !memcmp(data + i, needle, n);
	}
	buf_release(&b);
	return found;
}

TEST(store_delete_leaves_nothing_behind)
{
	const char *dir = test_tmpdir();
	char db[4096];
	snprintf(db, sizeof(db), "%s/del.db", dir);
	struct tacit_store *s = NULL;
	struct tacit_recording *rec = NULL;
	int16_t pcm[1600];
	struct stat sb;

	CHECK_EQ_INT(tacit_store_open(db, &s), TACIT_OK);
	if (!s)
		return;
	int64_t keep = new_session(s, "keep me");
	int64_t gone = new_session(s, "Zanzibarquux strategy");
	add_seg(s, keep, 0, "S1", "ordinary words stay");
	for (int i = 0; i < 50; i++)
		add_seg(s, gone, i * 1000, "Xylophonist", "the secret word is zanzibarquux and more");
	struct tacit_chat_record m = { .role = "user", .text = "zanzibarquux chat" };
	CHECK_EQ_INT(tacit_store_add_chat(s, gone, &m, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_recording_open(s, gone, 16000, 1, &rec), TACIT_OK);
	fill_pcm(pcm, 1600, 0);
	CHECK_EQ_INT(tacit_recording_write(rec, pcm, 1600), TACIT_OK);
	CHECK_EQ_INT(tacit_recording_close(rec), TACIT_OK);
	const char *state = test_write_file(dir, "cache/kv-1.bin", "zanzibarquux kv state", 21);
	CHECK_EQ_INT(tacit_store_add_model_state(s, gone, "qwen", state, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_add_model_state(s, gone, "qwen", path_in(dir, "nope.bin"), NULL), TACIT_ERR_IO);
	CHECK_EQ_INT(search(s, "zanzibarquux", NULL, NULL), 50);

	CHECK_EQ_INT(tacit_store_session_delete(s, gone), TACIT_OK);
	CHECK_EQ_INT(search(s, "zanzibarquux", NULL, NULL), 0);
	CHECK_EQ_INT(search(s, "ordinary", NULL, NULL), 1);
	CHECK(stat(path_in(dir, "audio/2/chunk-000.wav"), &sb) != 0);
	CHECK(stat(path_in(dir, "audio/2"), &sb) != 0);
	CHECK(stat(state, &sb) != 0);
	tacit_store_close(s);
	/* neither the database nor its WAL holds the words any more */
	CHECK(!file_contains(db, "zanzibarquux"));
	CHECK(!file_contains(db, "Zanzibarquux"));
	CHECK(!file_contains(db, "Xylophonist"));
	CHECK(!file_contains(path_in(dir, "del.db-wal"), "zanzibarquux"));
	CHECK(file_contains(db, "ordinary words stay")); /* the check can see text */

}

/* ---- injected write failures --------------------------------------------------------- */

/* In a child with a file size limit (SIGXFSZ ignored, so writes fail with EFBIG as on a
 * full disk): add segments until one fails, reporting each acknowledged id on a pipe.
 * The parent then checks every acknowledged segment is there and the failed one is not. */
TEST(store_write_failure_acknowledges_nothing_unstored)
{
	const char *dir = test_tmpdir();
	char db[4096];
	snprintf(db, sizeof(db), "%s/full.db", dir);
	struct tacit_store *s = NULL;
	int fds[2];
	int64_t sid;

	CHECK_EQ_INT(tacit_store_open(db, &s), TACIT_OK);
	if (!s)
		return;
	sid = new_session(s, "full disk");
	tacit_store_close(s);
	CHECK(pipe(fds) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		char text[3000], line[64];
		struct tacit_store *cs = NULL;
		struct tacit_recording *cr = NULL;
		int16_t pcm[16000];
		close(fds[0]);
		signal(SIGXFSZ, SIG_IGN);
		if (tacit_store_open(db, &cs) != TACIT_OK)
			_exit(3);
		struct rlimit rl = { 1 << 20, 1 << 20 };
		setrlimit(RLIMIT_FSIZE, &rl);
		for (int i = 0;; i++) {
			int64_t id;
			memset(text, 'a' + i % 26, sizeof(text) - 1);
			text[sizeof(text) - 1] = '\0';
			snprintf(text, 32, "marker%05d ", i);
			text[strlen(text)] = 'x';
			struct tacit_segment g = { .start_ms = i, .end_ms = i + 1, .text = text, .confidence = -1 };
			enum tacit_status st = tacit_store_add_segment(cs, sid, &g, &id);
			if (st != TACIT_OK) {
				int n = snprintf(line, sizeof(line), "F %d %d\n", i, (int)st);
				if (write(fds[1], line, (size_t)n) != n)
					_exit(4);
				break;
			}
			int n = snprintf(line, sizeof(line), "A %d %lld\n", i, (long long)id);
			if (write(fds[1], line, (size_t)n) != n)
				_exit(4);
			if (i > 5000)
				_exit(5);
		}
		/* the recording fails the same way, and says so */
		enum tacit_status st = tacit_recording_open(cs, sid, 16000, 1, &cr);
		for (int i = 0; st == TACIT_OK && i < 100; i++)
			st = tacit_recording_write(cr, pcm, 16000);
		int n = snprintf(line, sizeof(line), "R %d\n", (int)st);
		if (write(fds[1], line, (size_t)n) != n)
			_exit(4);
		_exit(0); /* no clean close: as after a crash */
	}
	close(fds[1]);
	FILE *f = fdopen(fds[0], "r");
	char line[128];
	int n_acked = 0, failed_at = -1, fail_status = 0, rec_status = -1;
	int64_t acked[6000];
	while (f && fgets(line, sizeof(line), f)) {
		int i, st2;
		long long id;
		if (sscanf(line, "A %d %lld", &i, &id) == 2 && n_acked < 6000)
			acked[n_acked++] = id;
		else if (sscanf(line, "F %d %d", &i, &st2) == 2)
			failed_at = i, fail_status = st2;
		else if (sscanf(line, "R %d", &st2) == 1)
			rec_status = st2;
	}
	if (f)
		fclose(f);
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(n_acked > 10);
	CHECK(failed_at == n_acked);
	CHECK(fail_status == TACIT_ERR_NO_SPACE || fail_status == TACIT_ERR_IO);
	CHECK(rec_status == TACIT_ERR_NO_SPACE || rec_status == TACIT_ERR_IO);

	CHECK_EQ_INT(tacit_store_open(db, &s), TACIT_OK);
	if (!s)
		return;
	CHECK_EQ_INT(tacit_store_check(s), TACIT_OK);
	CHECK_EQ_INT(count_segments(s, sid, false), n_acked);
	static struct ids ids;
	ids.n = 0;
	CHECK_EQ_INT(tacit_store_segments(s, sid, false, collect_fn, &ids), TACIT_OK);
	for (int i = 0; i < n_acked; i++)
		CHECK(has_id(&ids, acked[i]));
	char q[32];
	snprintf(q, sizeof(q), "marker%05d", failed_at);
	CHECK_EQ_INT(search(s, q, NULL, NULL), 0);
	snprintf(q, sizeof(q), "marker%05d", n_acked - 1);
	CHECK_EQ_INT(search(s, q, NULL, NULL), 1);
	/* the store still works once there is room again */
	add_seg(s, sid, 0, NULL, "room again");
	tacit_store_close(s);
}

/* ---- import ------------------------------------------------------------------------------ */

TEST(store_import_text_and_bad_files)
{
	const char *dir = test_tmpdir();
	struct tacit_store *s = open_mem();
	struct tacit_session ss;
	int64_t id = 0;
	if (!s)
		return;
	const char txt[] = "Alice: Hello {vocalsound} there, everyone.\n"
			   "Bob: Thanks Alice. Let us look at the budget for\n"
			   "the next quarter, which is tight.\n"
			   "\n"
			   "Alice:    one two three four five six seven eight nine ten\n";
	const char *p = test_write_file(dir, "standup.txt", txt, sizeof(txt) - 1);
	CHECK_EQ_INT(tacit_store_import(s, p, NULL, &id), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_get(s, id, &ss), TACIT_OK);
	CHECK_STR(ss.title, "standup");
	CHECK_EQ_INT(ss.n_segments, 4);
	CHECK_EQ_INT(ss.n_speakers, 2);
	CHECK(ss.times_synthesized);
	/* 10 words at 150 wpm = 4 s; short turns last at least a second */
	CHECK_EQ_INT(ss.duration_ms, 1200 + 3600 + 2400 + 4000);
	struct hits h;
	CHECK_EQ_INT(search(s, "quarter", "bob", &h), 1);
	CHECK_EQ_INT(search(s, "vocalsound", NULL, NULL), 0);

	struct tacit_import_params ip = tacit_import_default_params();
	ip.title = "Fast talkers";
	ip.words_per_minute = 300;
	CHECK_EQ_INT(tacit_store_import(s, p, &ip, &id), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_get(s, id, &ss), TACIT_OK);
	CHECK_STR(ss.title, "Fast talkers");
	CHECK_EQ_INT(ss.duration_ms, 1000 + 1800 + 1200 + 2000);

	struct tacit_session *list;
	size_t n_before, n_after;
	CHECK_EQ_INT(tacit_store_session_list(s, &list, &n_before), TACIT_OK);
	tacit_free(list);
	CHECK_EQ_INT(tacit_store_import(s, path_in(dir, "missing.json"), NULL, &id), TACIT_ERR_IO);
	CHECK(strstr(tacit_errmsg(), "missing.json") != NULL);
	const char riff[] = "RIFF\x24\0\0\0WAVEfmt ";
	/* A recording is transcribed: without a speech model that fails naming 'tacit pull';
	 * with one (another test of this run may have chosen one) the cut file fails to decode. */
	enum tacit_status st = tacit_store_import(s, test_write_file(dir, "talk.bin", riff, sizeof(riff) - 1), NULL, &id);
	CHECK(st == TACIT_ERR_NOT_FOUND || st == TACIT_ERR_FORMAT);
	if (st == TACIT_ERR_NOT_FOUND)
		CHECK(strstr(tacit_errmsg(), "tacit pull") != NULL);
	st = tacit_store_import(s, test_write_file(dir, "x.mp3", "abc", 3), NULL, &id);
	CHECK(st == TACIT_ERR_NOT_FOUND || st == TACIT_ERR_FORMAT);
	CHECK_EQ_INT(tacit_store_import(s, test_write_file(dir, "e.txt", "\n\n  \n", 5), NULL, &id), TACIT_ERR_FORMAT);
	CHECK_EQ_INT(tacit_store_import(s, test_write_file(dir, "b.txt", "a\0b", 3), NULL, &id), TACIT_ERR_FORMAT);
	CHECK_EQ_INT(tacit_store_import(s, test_write_file(dir, "j.json", "{\"a\":1}", 7), NULL, &id), TACIT_ERR_FORMAT);
	CHECK_EQ_INT(tacit_store_import(s, test_write_file(dir, "k.json", "{\"a\":", 5), NULL, &id), TACIT_ERR_FORMAT);
	const char bad_turn[] = "{\"meeting_transcripts\":[{\"speaker\":\"A\",\"content\":\"ok\"},{\"speaker\":\"B\"}]}";
	CHECK_EQ_INT(tacit_store_import(s, test_write_file(dir, "t.json", bad_turn, sizeof(bad_turn) - 1), NULL, &id),
		     TACIT_ERR_FORMAT);
	/* a failed import leaves no half session behind */
	CHECK_EQ_INT(tacit_store_session_list(s, &list, &n_after), TACIT_OK);
	tacit_free(list);
	CHECK_EQ_INT(n_after, n_before);
	tacit_store_close(s);
}

TEST(store_import_qmsum_sample)
{
	static const struct {
		const char *name;
		int n_segments;
		int n_speakers;
		const char *phrase;
	} meetings[] = {
		{ "Bmr003", 1831, 5, "transcribe" },
		{ "ES2002a", 256, 4, "\"remote control\"" },
		{ "ES2002b", 597, 4, "\"functional design\"" },
		{ "IS1000a", 372, 4, "\"remote control\"" },
		{ "TS3005d", 1518, 4, "budget" },
		{ "education_1", 91, 8, "\"Welsh Government\"" },
	};
	const char *shared = test_shared_dir();
	char dir[4096];
	if (!shared)
		SKIP("../shared is absent: no QMSum transcripts to import");
	snprintf(dir, sizeof(dir), "%s/data/qmsum-sample", shared);
	struct stat sb;
	if (stat(dir, &sb) != 0)
		SKIP("../shared/data/qmsum-sample is absent");
	struct tacit_store *s = NULL;
	CHECK_EQ_INT(tacit_store_open(path_in(test_tmpdir(), "q.db"), &s), TACIT_OK);
	if (!s)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(meetings); i++) {
		char file[4200];
		int64_t id = 0;
		struct tacit_session ss;
		struct tacit_search_params p = tacit_search_default_params();
		struct hits h = { 0 };
		snprintf(file, sizeof(file), "%s/%s.json", dir, meetings[i].name);
		CHECK_EQ_INT(tacit_store_import(s, file, NULL, &id), TACIT_OK);
		CHECK_EQ_INT(tacit_store_session_get(s, id, &ss), TACIT_OK);
		CHECK_STR(ss.title, meetings[i].name);
		CHECK_EQ_INT(ss.n_segments, meetings[i].n_segments);
		CHECK_EQ_INT(ss.n_speakers, meetings[i].n_speakers);
		CHECK(ss.times_synthesized);
		CHECK(ss.duration_ms > 60000);
		p.session_id = id;
		CHECK_EQ_INT(tacit_store_search(s, meetings[i].phrase, &p, hit_fn, &h), TACIT_OK);
		if (!h.n)
			fprintf(stderr, "  no hit for %s in %s\n", meetings[i].phrase, meetings[i].name);
		CHECK(h.n > 0);
	}
	/* across all meetings, filtered by speaker */
	CHECK(search(s, "\"remote control\"", "Project Manager", NULL) > 5);
	CHECK(search(s, "\"remote control\"", "Grad A", NULL) == 0);
	CHECK_EQ_INT(tacit_store_check(s), TACIT_OK);
	tacit_store_close(s);
}

static bool copy_text(const struct tacit_segment *seg, void *user)
{
	snprintf(user, 64, "%s|%s", seg->speaker ? seg->speaker : "", seg->text);
	return false; /* the first is enough */
}

/* A library caller may hand the store any bytes: what is stored is always UTF-8 (a
 * title with a Windows-1252 byte broke the History list and every JSON answer). */
TEST(store_keeps_only_utf8_text)
{
	struct tacit_store *s = NULL;
	struct tacit_session ss;
	struct tacit_session_params p = tacit_session_default_params();
	int64_t id = 0;
	char got[64] = "";
	CHECK_EQ_INT(tacit_store_open(":memory:", &s), TACIT_OK);
	if (!s)
		return;
	p.title = "caf\xe9 review";
	CHECK_EQ_INT(tacit_store_session_create(s, &p, &id), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_get(s, id, &ss), TACIT_OK);
	CHECK_STR(ss.title, "caf\xef\xbf\xbd review");
	CHECK_EQ_INT(tacit_store_session_rename(s, id, "bad \xff\xfe end"), TACIT_OK);
	CHECK_EQ_INT(tacit_store_session_get(s, id, &ss), TACIT_OK);
	CHECK_STR(ss.title, "bad \xef\xbf\xbd\xef\xbf\xbd end");
	struct tacit_segment seg = { .start_ms = 0, .end_ms = 1000, .speaker = "Jos\xe9", .text = "half \xe2\x82" };
	CHECK_EQ_INT(tacit_store_add_segment(s, id, &seg, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_segments(s, id, false, copy_text, got), TACIT_OK);
	CHECK_STR(got, "Jos\xef\xbf\xbd|half \xef\xbf\xbd");
	tacit_store_close(s);
}

/* ---- a busy store: segments wait in a journal, recordings go on ---------------------- */

struct texts {
	char s[16][32];
	int n;
};

static bool text_fn(const struct tacit_segment *g, void *user)
{
	struct texts *t = user;
	if (t->n < 16)
		snprintf(t->s[t->n++], sizeof(t->s[0]), "%s", g->text);
	return true;
}

static int count_journals(const char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "ls '%s/live' 2>/dev/null | grep -c 'pending-.*\\.jsonl$'", dir);
	FILE *p = popen(cmd, "r");
	int n = -1;
	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

TEST(store_journal_replay_keeps_order_without_duplicates)
{
	const char *dir = test_tmpdir();
	char *db = path_in(dir, "journal.db");
	struct tacit_store *s = NULL;
	struct store_journal *j = NULL;
	size_t added = 99;
	CHECK_EQ_INT(tacit_store_open(db, &s), TACIT_OK);
	if (!s)
		return;
	int64_t sid = new_session(s, "journal");
	struct tacit_segment g[4] = {
		{ .start_ms = 0, .end_ms = 900, .speaker = "Me", .text = "one", .confidence = 0.5f },
		{ .start_ms = 1000, .end_ms = 1900, .speaker = "Them", .text = "two", .confidence = -1 },
		{ .start_ms = 2000, .end_ms = 2900, .text = "three \"quoted\"\nline", .confidence = 0.9f },
		{ .start_ms = 3000, .end_ms = 3900, .speaker = "Me", .text = "four", .confidence = 0.9f },
	};
	/* "one" was committed before a crash emptied the journal: it is not stored twice */
	CHECK_EQ_INT(tacit_store_add_segment(s, sid, &g[0], NULL), TACIT_OK);
	CHECK_EQ_INT(store_journal_open(s, sid, &j), TACIT_OK);
	if (!j)
		return;
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(store_journal_append(j, &g[i]), TACIT_OK);
	/* held by its meeting: left alone */
	CHECK_EQ_INT(store_journal_replay(s, &added), TACIT_OK);
	CHECK_EQ_INT(added, 0);
	CHECK_EQ_INT(count_segments(s, sid, false), 1);
	store_journal_close(j); /* as a crash leaves it: not empty, unlocked */
	CHECK_EQ_INT(count_journals(dir), 1);
	CHECK_EQ_INT(store_journal_replay(s, &added), TACIT_OK);
	CHECK_EQ_INT(added, 2);
	CHECK_EQ_INT(count_journals(dir), 0);
	CHECK_EQ_INT(store_journal_replay(s, &added), TACIT_OK);
	CHECK_EQ_INT(added, 0);

	/* the next store open replays a journal; an emptied one is removed at close */
	CHECK_EQ_INT(store_journal_open(s, sid, &j), TACIT_OK);
	if (j) {
		CHECK_EQ_INT(store_journal_append(j, &g[3]), TACIT_OK);
		store_journal_close(j);
	}
	CHECK_EQ_INT(store_journal_open(s, sid, &j), TACIT_OK);
	if (j) {
		CHECK_EQ_INT(store_journal_append(j, &g[3]), TACIT_OK);
		store_journal_clear(j);
		store_journal_close(j);
	}
	CHECK_EQ_INT(count_journals(dir), 1);
	tacit_store_close(s);
	CHECK_EQ_INT(tacit_store_open(db, &s), TACIT_OK);
	if (!s)
		return;
	CHECK_EQ_INT(count_journals(dir), 0);
	struct texts t = { .n = 0 };
	CHECK_EQ_INT(tacit_store_segments(s, sid, false, text_fn, &t), TACIT_OK);
	CHECK_EQ_INT(t.n, 4);
	CHECK_STR(t.s[0], "one");
	CHECK_STR(t.s[1], "two");
	CHECK_STR(t.s[2], "three \"quoted\"\nline");
	CHECK_STR(t.s[3], "four");

	/* a journal whose session was deleted is dropped */
	CHECK_EQ_INT(store_journal_open(s, sid, &j), TACIT_OK);
	if (j) {
		CHECK_EQ_INT(store_journal_append(j, &g[1]), TACIT_OK);
		store_journal_close(j);
	}
	CHECK_EQ_INT(tacit_store_session_delete(s, sid), TACIT_OK);
	CHECK_EQ_INT(store_journal_replay(s, &added), TACIT_OK);
	CHECK_EQ_INT(count_journals(dir), 0);
	tacit_store_close(s);
}

TEST(store_busy_fails_fast_and_recording_goes_on)
{
	const char *dir = test_tmpdir();
	char *db = path_in(dir, "busy.db");
	struct tacit_store *s = NULL;
	struct tacit_recording *rec = NULL;
	struct tacit_audio_file *files = NULL;
	size_t n = 0;
	int16_t pcm[1600];
	sqlite3 *other = NULL;
	CHECK_EQ_INT(tacit_store_open(db, &s), TACIT_OK);
	if (!s)
		return;
	int64_t sid = new_session(s, "busy");
	CHECK_EQ_INT(tacit_recording_open(s, sid, 16000, 1, &rec), TACIT_OK);
	CHECK_EQ_INT(sqlite3_open(db, &other), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);

	/* a write that may not wait fails at once and says the store was busy */
	int old = store_set_busy_ms(s, 0);
	CHECK_EQ_INT(old, STORE_BUSY_MS);
	struct tacit_segment g = { .start_ms = 0, .end_ms = 900, .text = "held", .confidence = -1 };
	double t0 = (double)store_now_ms();
	CHECK(tacit_store_add_segment(s, sid, &g, NULL) != TACIT_OK);
	CHECK(store_was_busy(s));
	store_set_busy_ms(s, old);

	/* audio never waits: 2 s of writes and syncs neither fail nor block */
	for (int i = 0; rec && i < 20; i++) {
		fill_pcm(pcm, 1600, (size_t)i * 1600);
		CHECK_EQ_INT(tacit_recording_write(rec, pcm, 1600), TACIT_OK);
	}
	CHECK_EQ_INT(tacit_recording_sync(rec), TACIT_OK);
	CHECK((double)store_now_ms() - t0 < 2000);
	CHECK_EQ_INT(tacit_recording_durable_bytes(rec), 20 * 1600 * 2);
	/* a close the lock blocks keeps the file; the next open finishes its row (a short
	 * busy wait keeps the test quick) */
	store_set_busy_ms(s, 100);
	CHECK_EQ_INT(tacit_recording_close(rec), TACIT_OK);
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	tacit_store_close(s);
	CHECK_EQ_INT(tacit_store_open(db, &s), TACIT_OK);
	if (!s)
		return;
	CHECK_EQ_INT(tacit_store_audio_files(s, sid, &files, &n), TACIT_OK);
	CHECK_EQ_INT(n, 1);
	if (n == 1) {
		uint32_t data = 0;
		CHECK_STR(files[0].state, "repaired");
		CHECK_EQ_INT(files[0].data_bytes, 20 * 1600 * 2);
		CHECK(wav_consistent(files[0].path, &data));
		CHECK_EQ_INT(data, 20 * 1600 * 2);
	}
	tacit_free(files);
	tacit_store_close(s);
}

struct reuse_probe {
	struct tacit_store *s;
	int n, n_reusable;
};

static bool probe_reusable(const struct tacit_segment *g, void *user)
{
	struct reuse_probe *p = user;
	(void)g;
	p->n++;
	p->n_reusable += store_reusable(p->s);
	return true;
}

/* A handle the web server may keep for the next request: not inside a transaction, not
 * with a statement left mid-way (its snapshot would hide newer writes), and only while
 * its path names the file it opened. */
/* A handle whose file was replaced while it was open (the web server's idle connection)
 * closes without deleting the new store's log, which has the name its own had (SQLite
 * sees the file was renamed; this holds it to that). */
TEST(store_close_keeps_a_replacing_stores_log)
{
	const char *dir = test_tmpdir();
	struct tacit_store *s = NULL, *again = NULL;
	CHECK_EQ_INT(tacit_store_open(path_in(dir, "k.db"), &s), TACIT_OK);
	if (!s)
		return;
	new_session(s, "old");
	CHECK(rename(path_in(dir, "k.db"), path_in(dir, "k-moved.db")) == 0);
	rename(path_in(dir, "k.db-wal"), path_in(dir, "k-moved.db-wal"));
	rename(path_in(dir, "k.db-shm"), path_in(dir, "k-moved.db-shm"));
	CHECK_EQ_INT(tacit_store_open(path_in(dir, "k.db"), &again), TACIT_OK);
	if (again)
		new_session(again, "new");
	CHECK(access(path_in(dir, "k.db-wal"), F_OK) == 0);
	tacit_store_close(s);
	CHECK(access(path_in(dir, "k.db-wal"), F_OK) == 0);
	tacit_store_close(again);
}

TEST(store_reusable_only_at_rest_on_its_own_file)
{
	const char *dir = test_tmpdir();
	struct tacit_store *s = NULL, *again = NULL;
	CHECK_EQ_INT(tacit_store_open(path_in(dir, "r.db"), &s), TACIT_OK);
	if (!s)
		return;
	CHECK(store_reusable(s));
	int64_t sid = new_session(s, "reuse");
	add_seg(s, sid, 0, "S0", "one");
	add_seg(s, sid, 2000, "S0", "two");
	struct reuse_probe p = { .s = s };
	CHECK_EQ_INT(tacit_store_segments(s, sid, false, probe_reusable, &p), TACIT_OK);
	CHECK(p.n == 2 && p.n_reusable == 0); /* the segments' statement is mid-way */
	CHECK(store_reusable(s));
	CHECK_EQ_INT(store_batch_begin(s), TACIT_OK);
	CHECK(!store_reusable(s));
	CHECK_EQ_INT(store_batch_end(s, TACIT_OK), TACIT_OK);
	CHECK(store_reusable(s));
	/* moved away (with its log), and another store made at its path */
	CHECK(rename(path_in(dir, "r.db"), path_in(dir, "moved.db")) == 0);
	rename(path_in(dir, "r.db-wal"), path_in(dir, "moved.db-wal"));
	rename(path_in(dir, "r.db-shm"), path_in(dir, "moved.db-shm"));
	CHECK(!store_reusable(s));
	CHECK_EQ_INT(tacit_store_open(path_in(dir, "r.db"), &again), TACIT_OK);
	CHECK(!store_reusable(s));
	CHECK(again && store_reusable(again));
	tacit_store_close(again);
	tacit_store_close(s);
	CHECK(store_reusable(NULL) == false);
}
