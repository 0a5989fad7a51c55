/*
 * index.c — search by meaning: tacit_index() gives the meetings' final segments vectors
 * from an embedding model (embed_client.c), a batch at a time, each batch stored in one
 * transaction, so a stop or a crash keeps what was done and the next run does the rest;
 * index_question() gives a question the same model's vector for retrieve_in(). The
 * store keys vectors by the model file's name and size (index_model_key()), so a store indexed
 * with one model is never searched with another's vectors.
 */
#include "internal.h"

#include "embed.h"
#include "retrieve.h"
#include "store.h"

#include <sys/stat.h>
#include <time.h>

#define INDEX_BATCH 256 /* segments per worker round and per transaction */

struct tacit_index_params tacit_index_default_params(void)
{
	return (struct tacit_index_params){ 0 };
}

void index_model_key(const char *path, char out[INDEX_KEY_MAX])
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	struct stat sb;
	long long size = path && stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
	snprintf(out, INDEX_KEY_MAX, "%.256s:%lld", slash ? slash + 1 : path ? path : "", size);
}

struct todo {
	int64_t id[INDEX_BATCH];
	char *text[INDEX_BATCH];
	int n;
	bool nomem;
};

static void on_todo(int64_t segment_id, const char *text, void *user)
{
	struct todo *t = user;
	if (t->n == INDEX_BATCH)
		return;
	t->id[t->n] = segment_id;
	if (!(t->text[t->n] = strdup(text)))
		t->nomem = true;
	t->n++;
}

static void todo_clear(struct todo *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->text[i]);
	t->n = 0;
}

enum tacit_status tacit_index(struct tacit_store *store, const struct tacit_index_params *params, int64_t *out_indexed)
{
	struct tacit_index_params p = params ? *params : tacit_index_default_params();
	struct embedder *e = NULL;
	struct todo t = { 0 };
	float *vec = NULL;
	unsigned char *q8 = NULL;
	int64_t have = 0, total = 0, done = 0, after = 0;
	enum tacit_status st;

	if (out_indexed)
		*out_indexed = 0;
	if (!store || !p.embed_model || !*p.embed_model)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_index needs a store and an embedding model");
	char key[INDEX_KEY_MAX];
	index_model_key(p.embed_model, key);
	if ((st = store_vectors_count(store, key, &have, &total)) != TACIT_OK)
		return st;
	if (p.on_progress)
		p.on_progress(0, total, p.user);
	if (!total)
		return TACIT_OK;
	if ((st = embedder_open(p.embed_model, p.n_threads, &e)) != TACIT_OK)
		return st;
	int dim = embedder_dim(e);
	if (!(vec = malloc((size_t)INDEX_BATCH * (size_t)dim * sizeof(*vec))) ||
	    !(q8 = malloc((size_t)INDEX_BATCH * EMBED_Q_BYTES(dim)))) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		if (p.cancel && *p.cancel) {
			st = tacit_fail(TACIT_ERR_CANCELLED, "indexing was stopped after %lld of %lld segments (what was "
							     "done is kept; run it again to finish)",
					(long long)done, (long long)total);
			break;
		}
		todo_clear(&t);
		if ((st = store_vectors_todo(store, key, after, INDEX_BATCH, on_todo, &t)) != TACIT_OK)
			break;
		if (t.nomem) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			break;
		}
		if (!t.n)
			break;
		if ((st = embedder_run(e, (const char *const *)t.text, (size_t)t.n, NULL, vec)) != TACIT_OK)
			break;
		for (int i = 0; i < t.n; i++)
			embed_quantize(vec + (size_t)i * (size_t)dim, dim, q8 + (size_t)i * EMBED_Q_BYTES(dim));
		if ((st = store_vectors_put(store, key, t.id, q8, dim, (size_t)t.n)) != TACIT_OK)
			break;
		after = t.id[t.n - 1];
		done += t.n;
		if (out_indexed)
			*out_indexed = done;
		if (p.on_progress)
			p.on_progress(done < total ? done : total, total, p.user);
	}
out:
	todo_clear(&t);
	free(q8);
	free(vec);
	embedder_close(e);
	return st;
}

enum tacit_status index_question(struct tacit_store *store, const char *model_path, const char *question, int n_threads,
				 float **out_q, int *out_dim)
{
	struct embedder *e = NULL;
	int64_t have = 0, todo = 0;
	char key[INDEX_KEY_MAX];
	enum tacit_status st;

	*out_q = NULL;
	*out_dim = 0;
	index_model_key(model_path, key);
	if ((st = store_vectors_count(store, key, &have, &todo)) != TACIT_OK)
		return st;
	if (!have) {
		tacit_log(TACIT_LOG_WARN, "search by meaning: no meeting is indexed with '%s' yet ('tacit index' does it); "
					  "searching by words only",
			  model_path);
		return TACIT_OK;
	}
	if (todo)
		tacit_log(TACIT_LOG_INFO, "search by meaning: %lld of %lld segments are not indexed yet ('tacit index')",
			  (long long)todo, (long long)(have + todo));
	if ((st = embedder_open(model_path, n_threads, &e)) != TACIT_OK)
		return st;
	int dim = embedder_dim(e);
	float *q = malloc((size_t)dim * sizeof(*q));
	if (!q)
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	else if ((st = embedder_run(e, &question, 1, NULL, q)) != TACIT_OK)
		free(q);
	else {
		*out_q = q;
		*out_dim = dim;
	}
	embedder_close(e);
	return st;
}
