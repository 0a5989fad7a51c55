/*
 * store.h — what the session store shares with its neighbours (import, export, custom
 * models, recording.c): a batch transaction for bulk writes, the clock, rows for the
 * export, and the rows behind recording files. Only the store's own files (store.c,
 * store_*.c, sharing store_int.h) include sqlite3.h; no SQLite type appears here.
 */
#ifndef TACIT_STORE_H
#define TACIT_STORE_H

#include <stdint.h>
#include <sys/types.h>

/* Groups the following writes into one transaction (nests). store_batch_end() commits
 * when st is TACIT_OK and the outermost batch ends, else rolls everything back; it
 * returns st, or the commit's failure. */
enum tacit_status store_batch_begin(struct tacit_store *s);
enum tacit_status store_batch_end(struct tacit_store *s, enum tacit_status st);

/* How long a write waits for another connection's lock before it fails (ms). */
#define STORE_BUSY_MS 5000

/* Sets how long this handle's statements wait for another connection's lock (ms; 0:
 * fail at once) and returns the previous wait. Writers that must never stall (a live
 * meeting's audio and segments) try with a short wait and retry later. */
int store_set_busy_ms(struct tacit_store *s, int ms);
/* Whether the handle's last failure was another connection holding the lock (SQLite's
 * BUSY or LOCKED): the same write may succeed later. Read it right after the failure. */
bool store_was_busy(const struct tacit_store *s);

/* A pragma's value on the store's own connection, as text (caller frees); tests read
 * the per-connection settings with it, which no other connection can see. */
enum tacit_status store_pragma(struct tacit_store *s, const char *name, char **out);

/* Unix time in milliseconds. */
int64_t store_now_ms(void);

/* The version of the SQLite library loaded at run time (static storage). */
const char *store_sqlite_version(void);

/* Calls fn for each speaker of a session (label, given name or NULL) in order of first
 * appearance; session_id 0: every session's, in id order, in one statement (History's
 * listing reads them so, whatever the number of meetings). */
typedef void (*store_speaker_fn)(int64_t session_id, const char *label, const char *name, void *user);
enum tacit_status store_speakers(struct tacit_store *s, int64_t session_id, store_speaker_fn fn, void *user);

/* For each session with a summary or a rolling summary, in one statement: whether it has
 * a summary (any template), and the "overview" string of its newest summary (else of its
 * newest rolling summary), or NULL when that one has none (or no valid JSON). */
typedef void (*store_overview_fn)(int64_t session_id, bool summarized, const char *overview, void *user);
enum tacit_status store_overviews(struct tacit_store *s, store_overview_fn fn, void *user);

/* How many statements the store has prepared in this process, on every connection: tests
 * check that a listing's cost does not grow with the number of meetings. */
unsigned long store_statements_prepared(void);
/* How many times this process has opened a store (each open runs its quick check, tens
 * of ms on a store of many meetings): tests hold a request to one open. */
unsigned long store_opens(void);

/* Whether a handle may serve another request as it is (the web server keeps a few open,
 * rather than paying the open's quick check per request): no transaction is open on it,
 * no statement is left mid-way (holding an old snapshot), and its path still names the
 * file it opened (a store moved away or restored from a copy is opened afresh, with its
 * checks). */
bool store_reusable(const struct tacit_store *s);

/* Sets a session's language code ("en"): a live meeting learns it from its speech. */
enum tacit_status store_session_set_language(struct tacit_store *s, int64_t id, const char *language);

/* The database's path as the store was opened (":memory:" for one in memory): another
 * thread opens its own handle on it. Valid until the store is closed. */
const char *store_db_path(const struct tacit_store *s);

/* The device's default summary template (the setting summary.template; tacit_free()), or
 * NULL when none was chosen or it cannot be read (a task then uses "general"). */
char *store_default_template(struct tacit_store *s);

/* The session's settings JSON (caller frees). */
enum tacit_status store_session_settings(struct tacit_store *s, int64_t session_id, char **out);

/* Rows of the session's artifacts, chat and suggestions, for the JSON export. Each call
 * of fn gets the columns as strings (NULL for SQL NULL) in the order the kind lists. */
enum store_rows {
	STORE_ROWS_ARTIFACTS,   /* kind, json, markdown, model, prompt_version, created_ms, template */
	STORE_ROWS_CHAT,        /* role, text, model, created_ms */
	STORE_ROWS_SUGGESTIONS, /* at_ms, kind, text, model, created_ms */
};
typedef void (*store_row_fn)(const char *const *cols, int n_cols, void *user);
enum tacit_status store_rows(struct tacit_store *s, int64_t session_id, enum store_rows kind,
			     store_row_fn fn, void *user);

/* Custom models (`tacit add`): one row per name. info is a JSON object (the header facts
 * custom.c needs); strings in a row handed to a callback are valid during the call only. */
struct store_custom_row {
	const char *name;
	const char *path;
	int64_t file_bytes;
	int64_t mtime_ns;
	const char *info;
	int64_t added_ms; /* 0 = now (put) */
};
/* Inserts, or replaces the row of the same name. */
enum tacit_status store_custom_put(struct tacit_store *s, const struct store_custom_row *r);
/* TACIT_ERR_NOT_FOUND when no row has that name. */
enum tacit_status store_custom_delete(struct tacit_store *s, const char *name);
/* Calls fn for each row by name; a non-zero return stops the walk. */
typedef int (*store_custom_fn)(const struct store_custom_row *r, void *user);
enum tacit_status store_custom_list(struct tacit_store *s, store_custom_fn fn, void *user);

/* Model state files (saved KV caches) recorded for a session. store_model_states() calls
 * fn with each one's path (session_id 0: those tied to no session), oldest first.
 * store_model_states_keep() removes the session's states whose path is not in keep:
 * their files (overwritten with zeros, then unlinked) and their rows. */
typedef void (*store_path_fn)(const char *path, void *user);
enum tacit_status store_model_states(struct tacit_store *s, int64_t session_id, store_path_fn fn, void *user);
enum tacit_status store_model_states_keep(struct tacit_store *s, int64_t session_id, const char *const *keep,
					  size_t n_keep);

/* Ranks the session's final segments against a question with the search index: its
 * words (common English words left out) any of which may match, stemmed; fn gets each
 * matching segment's id and score (BM25, higher is better), best first, at most 64
 * (session_id 0: across every meeting).
 * No call for a question without a usable word. */
typedef void (*store_score_fn)(int64_t segment_id, double score, void *user);
enum tacit_status store_segment_relevance(struct tacit_store *s, int64_t session_id, const char *question,
					  store_score_fn fn, void *user);

/* Which segments a question across meetings reads: 0 / NULL = no limit. */
struct store_filter {
	int64_t session_id;
	int64_t since_ms, until_ms; /* the meeting started in [since_ms, until_ms) */
	const char *speaker;        /* spoken by: a given name or a label, any case */
};

/* store_segment_relevance() within a filter. A question with no usable word under a
 * filter that names dates or a speaker ("what did Alice say yesterday?") gets the
 * filter's segments, newest meeting first, in transcript order, score 0. */
enum tacit_status store_segment_relevance_in(struct tacit_store *s, const struct store_filter *f, const char *question,
					     store_score_fn fn, void *user);

/* ---- vectors for search by meaning (store_vectors.c) ------------------------------ */

/* Counts the final segments with a vector of model (*have) and without one (*todo). */
enum tacit_status store_vectors_count(struct tacit_store *s, const char *model, int64_t *have, int64_t *todo);
/* Up to limit final segments after row after_id that have no vector of model, by row. */
typedef void (*store_text_fn)(int64_t segment_id, const char *text, void *user);
enum tacit_status store_vectors_todo(struct tacit_store *s, const char *model, int64_t after_id, int limit,
				     store_text_fn fn, void *user);
/* Stores n vectors of dim (embed_quantize()'s form, EMBED_Q_BYTES(dim) bytes each) for the
 * segments ids, in one transaction; a segment deleted meanwhile is skipped. */
enum tacit_status store_vectors_put(struct tacit_store *s, const char *model, const int64_t *ids, const void *vecs,
				    int dim, size_t n);
/* The k segments (within f) whose vector of model is nearest q (unit length, dim floats),
 * best first, their cosine as the score. */
enum tacit_status store_vectors_nearest(struct tacit_store *s, const struct store_filter *f, const char *model,
					const float *q, int dim, int k, store_score_fn fn, void *user);

/* Every distinct speaker name of every meeting (the given name, else the label). */
typedef void (*store_name_fn)(const char *name, void *user);
enum tacit_status store_speaker_names(struct tacit_store *s, store_name_fn fn, void *user);

/* ---- recording files (recording.c) ----------------------------------------------- */

/* Imported recordings (import_audio.c) are written to a temporary file in the store's
 * audio folder (locked while the import runs; a later store open removes one left by a
 * crash), then adopted as the session's next audio chunk: the WAV header is set from the
 * file's size, the file renamed into place and recorded closed with its sha256. The file
 * starts with WAV_HEADER (44) bytes the adoption overwrites. *out_path: free(). */
enum tacit_status store_audio_tmp(struct tacit_store *s, int *out_fd, char **out_path);
enum tacit_status store_audio_adopt(struct tacit_store *s, int64_t session_id, int fd, const char *path,
				    int sample_rate, int channels);

/* Writes all len bytes to fd (at offset `at`, or at the file position when at < 0),
 * retrying on EINTR; false with errno set on failure (EIO for a zero-byte write). */
bool store_write_all(int fd, const void *data, size_t len, off_t at);

/* ---- the store's side of recording files (store.c, store_audio.c) ---------------- */

/* The directory holding the database; NULL for :memory:, which keeps no files. */
const char *store_dir(const struct tacit_store *s);
/* rel resolved against the database's directory ("." for :memory:); NULL when out of
 * memory. Caller frees. */
char *store_abs_path(struct tacit_store *s, const char *rel);

/* Adds the row of the session's next audio chunk, committed before its file exists (a
 * crash in between leaves a row the next open marks missing, or repairs, never an audio
 * file no row knows about). Fills dir ("audio/ID") and rel (the chunk's path) and *id. */
enum tacit_status store_audio_add_chunk(struct tacit_store *s, int64_t session_id, int sample_rate, int channels,
					uint64_t bytes_durable, char dir[64], char rel[96], int64_t *id);
/* Records a chunk's durable bytes, and its state and sha256 where not NULL. */
enum tacit_status store_audio_set_progress(struct tacit_store *s, int64_t id, uint64_t bytes, const char *state,
					   const char *sha);
/* Calls fn for each chunk still in state 'recording' (at most 64 per call), after the
 * rows have been read, so fn may update them. Fails only when they cannot be read. */
typedef void (*store_audio_fn)(struct tacit_store *s, int64_t id, const char *rel, int sample_rate, int channels,
			       int64_t bytes_durable);
enum tacit_status store_audio_unfinished(struct tacit_store *s, store_audio_fn fn);

/* ---- final segments waiting for the store (store_journal.c) --------------------- */

/* A live meeting's journal of final segments that another writer's lock keeps out of the
 * store: created (locked, 0600) under <store dir>/live/; each append is fdatasync'ed
 * before it returns; clear() empties it once they are committed; close() removes an
 * empty one and keeps one with segments for the next open. */
struct tacit_segment;
struct store_journal;
enum tacit_status store_journal_open(struct tacit_store *s, int64_t session_id, struct store_journal **out);
enum tacit_status store_journal_append(struct store_journal *j, const struct tacit_segment *seg);
void store_journal_clear(struct store_journal *j);
void store_journal_close(struct store_journal *j);
/* Stores the segments of every journal no meeting holds (a crash left them) into their
 * sessions, in each journal's order, skipping those the session already has (same
 * times and text), and removes each journal once stored; *n_added (may be NULL) counts
 * the new segments. A failed journal stays for the next call (the first failure is
 * returned). tacit_store_open() calls it. */
enum tacit_status store_journal_replay(struct tacit_store *s, size_t *n_added);

/* Points the session's segment_no-th final segment (1-based, in insertion order, as live
 * events number them) at the speaker with this label, created when new (store_relabel.c).
 * Text and times are untouched. */
enum tacit_status store_segment_relabel(struct tacit_store *s, int64_t session_id, int64_t segment_no,
					const char *label);
/* Removes the session's unnamed speakers that no segment points at any more (the
 * "Them" a live meeting's labels replaced). */
enum tacit_status store_speakers_prune(struct tacit_store *s, int64_t session_id);

#endif
