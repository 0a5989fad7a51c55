/*
 * store_search.c — full-text search over final segments (the FTS5 index the schema keeps
 * in step by triggers): a user's query rewritten so that only quotes, parentheses, a
 * trailing '*' and AND/OR/NOT keep a meaning, and the ranking of a session's segments
 * against a question (its uncommon words OR'ed, BM25).
 */
#include "internal.h"

#include "store_int.h"

#include <ctype.h>
#include <strings.h>

struct tacit_search_params tacit_search_default_params(void)
{
	struct tacit_search_params p = { .speaker = NULL, .session_id = 0, .limit = 20 };
	return p;
}

/* Rewrites the user's query as an FTS5 expression in which every word is a quoted
 * string, so punctuation and FTS5 column syntax can never be misread; only quotes,
 * parentheses, a trailing '*' and the upper-case operators keep their meaning. */
static enum tacit_status fts_query(const char *q, struct buf *out)
{
	const char *p = q;
	int n_terms = 0;
	bool operand = false; /* the last thing emitted ends an operand: a term or ')' */
	while (*p) {
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p == '(' || *p == ')') {
			/* FTS5 wants an explicit AND between an operand and '(' */
			if (*p == '(' && operand)
				buf_adds(out, "AND ");
			operand = *p == ')';
			buf_addf(out, "%c ", *p++);
			continue;
		}
		const char *start, *end;
		if (*p == '"') {
			start = ++p;
			end = strchr(p, '"');
			if (!end)
				return tacit_fail(TACIT_ERR_USAGE, "unterminated quote in search query '%s'", q);
			p = end + 1;
		} else {
			start = p;
			while (*p && !isspace((unsigned char)*p) && *p != '"' && *p != '(' && *p != ')')
				p++;
			end = p;
			size_t n = (size_t)(end - start);
			if ((n == 3 && (!strncmp(start, "AND", 3) || !strncmp(start, "NOT", 3))) ||
			    (n == 2 && !strncmp(start, "OR", 2))) {
				buf_add(out, start, n);
				buf_adds(out, " ");
				operand = false;
				continue;
			}
		}
		bool prefix = false;
		if (*p == '*') {
			prefix = true;
			p++;
		}
		while (end > start && end[-1] == '*') {
			prefix = true;
			end--;
		}
		if (end == start)
			continue;
		if (operand)
			buf_adds(out, "AND ");
		buf_adds(out, "\"");
		buf_add(out, start, (size_t)(end - start));
		buf_adds(out, prefix ? "\"* " : "\" ");
		operand = true;
		n_terms++;
	}
	if (out->failed)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	if (!n_terms)
		return tacit_fail(TACIT_ERR_USAGE, "search query '%s' has no words to search for", q);
	return TACIT_OK;
}

enum tacit_status tacit_store_search(struct tacit_store *s, const char *query, const struct tacit_search_params *params,
				     tacit_search_fn fn, void *user)
{
	struct tacit_search_params p = params ? *params : tacit_search_default_params();
	sqlite3_stmt *st = NULL;
	struct buf q;
	int rc;

	if (!s || !query || !fn)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_search: store, query or fn is NULL");
	if (p.limit <= 0)
		p.limit = 20;
	buf_init(&q);
	enum tacit_status ret = fts_query(query, &q);
	if (ret == TACIT_OK)
		ret = prep(s,
			   "SELECT s.id, s.title, g.id, g.start_ms, g.end_ms, COALESCE(p.name, p.label, ''),"
			   " snippet(segments_fts, 0, '[', ']', '...', 16)"
			   " FROM segments_fts JOIN segments g ON g.id = segments_fts.rowid"
			   " JOIN sessions s ON s.id = g.session_id LEFT JOIN speakers p ON p.id = g.speaker_id"
			   " WHERE segments_fts MATCH ?1"
			   " AND (?2 IS NULL OR p.label = ?2 COLLATE NOCASE OR p.name = ?2 COLLATE NOCASE)"
			   " AND (?3 = 0 OR s.id = ?3)"
			   " ORDER BY rank, g.id LIMIT ?4",
			   &st);
	if (ret != TACIT_OK)
		goto out;
	sqlite3_bind_text(st, 1, q.data, (int)q.len, SQLITE_STATIC);
	bind_text_or_null(st, 2, p.speaker);
	sqlite3_bind_int64(st, 3, p.session_id);
	sqlite3_bind_int(st, 4, p.limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tacit_search_hit h = {
			.session_id = sqlite3_column_int64(st, 0),
			.session_title = col_text(st, 1),
			.segment_id = sqlite3_column_int64(st, 2),
			.start_ms = sqlite3_column_int64(st, 3),
			.end_ms = sqlite3_column_int64(st, 4),
			.speaker = col_text(st, 5),
			.snippet = col_text(st, 6),
		};
		if (!fn(&h, user)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		const char *msg = sqlite3_errmsg(s->db);
		if ((rc & 0xff) == SQLITE_ERROR && !strncmp(msg, "fts5:", 5))
			ret = tacit_fail(TACIT_ERR_USAGE, "cannot search for '%s': %s", query, msg);
		else
			ret = store_db_fail(s, rc, "search");
	}
out:
	sqlite3_finalize(st);
	buf_release(&q);
	return ret;
}

/* Words too common to say which part of a meeting a question is about. */
static const char *const stopwords[] = {
	"a",     "about", "after", "all",   "also",  "an",   "and",  "any",   "are",   "as",    "at",    "be",
	"been",  "but",   "by",    "can",   "could", "did",  "do",   "does",  "for",   "from",  "had",   "has",
	"have",  "he",    "her",   "his",   "how",   "i",    "if",   "in",    "into",  "is",    "it",    "its",
	"me",    "meeting", "my",  "no",    "not",   "of",   "on",   "or",    "our",   "she",   "so",    "some",
	"than",  "that",  "the",   "their", "them",  "then", "there", "these", "they", "this",  "to",    "up",
	"us",    "was",   "we",    "were",  "what",  "when", "where", "which", "who",  "whom",  "why",   "will",
	"with",  "would", "you",   "your",
};

static bool stopword(const char *w, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(stopwords); i++)
		if (strlen(stopwords[i]) == n && !strncasecmp(stopwords[i], w, n))
			return true;
	return false;
}

enum tacit_status store_segment_relevance(struct tacit_store *s, int64_t session_id, const char *question,
					  store_score_fn fn, void *user)
{
	struct store_filter f = { .session_id = session_id };
	return store_segment_relevance_in(s, &f, question, fn, user);
}

enum tacit_status store_segment_relevance_in(struct tacit_store *s, const struct store_filter *f, const char *question,
					     store_score_fn fn, void *user)
{
	sqlite3_stmt *st;
	struct buf q;
	int rc, n_terms = 0;
	if (!s || !f || !question || !fn)
		return tacit_fail(TACIT_ERR_USAGE, "store_segment_relevance: store, filter, question or fn is NULL");
	/* the question's words (letters, digits, any non-ASCII byte), each quoted, OR'ed */
	buf_init(&q);
	for (const char *p = question; *p && n_terms < 32;) {
		const unsigned char *w = (const unsigned char *)p;
		size_t n = 0;
		while (w[n] && (isalnum(w[n]) || w[n] >= 0x80))
			n++;
		if (!n) {
			p++;
			continue;
		}
		if (n > 1 && n < 64 && !stopword(p, n)) {
			buf_addf(&q, "%s\"%.*s\"", n_terms ? " OR " : "", (int)n, p);
			n_terms++;
		}
		p += n;
	}
	if (q.failed) {
		buf_release(&q);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	bool narrowed = f->since_ms || f->until_ms || f->speaker;
	if (!n_terms && !narrowed) {
		buf_release(&q);
		return TACIT_OK;
	}
	/* ?1 the words; the filter's ?2..?5 are the same in both forms */
	enum tacit_status ret = prep(s,
				     n_terms ? "SELECT g.id, bm25(segments_fts) FROM segments_fts"
					       " JOIN segments g ON g.id = segments_fts.rowid"
					       " JOIN sessions x ON x.id = g.session_id LEFT JOIN speakers p ON p.id = g.speaker_id"
					       " WHERE segments_fts MATCH ?1 AND (?2 = 0 OR g.session_id = ?2)"
					       " AND (?3 = 0 OR x.started_ms >= ?3) AND (?4 = 0 OR x.started_ms < ?4)"
					       " AND (?5 IS NULL OR COALESCE(p.name, p.label) = ?5 COLLATE NOCASE)"
					       " ORDER BY rank LIMIT 64"
					     : "SELECT g.id, 0.0 FROM segments g"
					       " JOIN sessions x ON x.id = g.session_id LEFT JOIN speakers p ON p.id = g.speaker_id"
					       " WHERE ?1 IS NULL AND g.final = 1 AND (?2 = 0 OR g.session_id = ?2)"
					       " AND (?3 = 0 OR x.started_ms >= ?3) AND (?4 = 0 OR x.started_ms < ?4)"
					       " AND (?5 IS NULL OR COALESCE(p.name, p.label) = ?5 COLLATE NOCASE)"
					       " ORDER BY x.started_ms DESC, g.start_ms, g.id LIMIT 64",
				     &st);
	if (ret == TACIT_OK) {
		if (n_terms)
			sqlite3_bind_text(st, 1, q.data, (int)q.len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, f->session_id);
		sqlite3_bind_int64(st, 3, f->since_ms);
		sqlite3_bind_int64(st, 4, f->until_ms);
		bind_text_or_null(st, 5, f->speaker);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			fn(sqlite3_column_int64(st, 0), -sqlite3_column_double(st, 1), user); /* bm25: lower is better */
		if (rc != SQLITE_DONE)
			ret = store_db_fail(s, rc, "rank segments");
		sqlite3_finalize(st);
	}
	buf_release(&q);
	return ret;
}
