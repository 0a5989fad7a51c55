/*
 * api_custom.c — custom models from the Models page: list them (scored by the same fit
 * scorer as the catalog, with the state of their file), add a GGUF by its absolute path
 * (the library's strict check and load probe decide), and forget one (the file is never
 * touched). Fields are checked here before the library is called; adds run one at a
 * time across the server, since each starts a probe process.
 */
#include "api.h"

#include "custom.h"
#include "utf8.h"

#include <limits.h>
#include <sys/stat.h>

#include <yyjson.h>

static pthread_mutex_t one_add_at_a_time = PTHREAD_MUTEX_INITIALIZER;

static const char *verdict_key(enum tacit_fit_verdict v)
{
	return v == TACIT_FIT_GREAT ? "great" : v == TACIT_FIT_TIGHT ? "tight" : "none";
}

/* "ok", "missing" (gone, or no longer a regular file) or "changed" (another size or
 * time than when it was checked); the library's problem text says what to do. */
static const char *file_status(const struct tacit_custom_model *m)
{
	struct stat sb;
	if (!m->missing)
		return "ok";
	return stat(m->path, &sb) == 0 && S_ISREG(sb.st_mode) ? "changed" : "missing";
}

/* One entry: the record, its file's state and its fit on this machine (null when the
 * file is not usable, or its layout cannot be scored: "reason" says why). */
static void add_entry(struct api *api, yyjson_mut_doc *doc, yyjson_mut_val *o, const struct tacit_custom_model *m,
		      const char *chosen)
{
	struct tacit_fit_params fp = tacit_fit_default_params();
	struct tacit_fit f;
	bool scored = !m->missing && tacit_fit_score(api_system(api), &m->layout, &fp, &f) == TACIT_OK;

	yyjson_mut_obj_add_strcpy(doc, o, "name", m->name);
	struct buf path; /* a path added from the command line need not be text */
	buf_init(&path);
	utf8_escape_buf(&path, m->path, strlen(m->path));
	yyjson_mut_obj_add_strncpy(doc, o, "path", path.data, path.len);
	buf_release(&path);
	yyjson_mut_obj_add_strcpy(doc, o, "arch", m->arch);
	yyjson_mut_obj_add_strcpy(doc, o, "quant", m->quant);
	yyjson_mut_obj_add_uint(doc, o, "disk_bytes", m->file_bytes);
	yyjson_mut_obj_add_uint(doc, o, "params_total", m->layout.params_total);
	yyjson_mut_obj_add_int(doc, o, "n_layers", m->layout.n_layers);
	yyjson_mut_obj_add_uint(doc, o, "n_ctx_train", m->n_ctx_train);
	yyjson_mut_obj_add_int(doc, o, "stars", tacit_stars_for_params(m->layout.params_total));
	yyjson_mut_obj_add_int(doc, o, "added_ms", m->added_ms);
	yyjson_mut_obj_add_str(doc, o, "status", file_status(m));
	/* the language model in use: the setting model.llm names it, or its file */
	yyjson_mut_obj_add_bool(doc, o, "in_use", chosen && (!strcmp(chosen, m->name) || !strcmp(chosen, m->path)));
	if (m->missing)
		yyjson_mut_obj_add_strcpy(doc, o, "problem", m->problem);
	else
		yyjson_mut_obj_add_null(doc, o, "problem");
	if (scored) {
		yyjson_mut_obj_add_str(doc, o, "verdict", verdict_key(f.verdict));
		yyjson_mut_obj_add_str(doc, o, "verdict_text", tacit_fit_verdict_str(f.verdict));
		yyjson_mut_obj_add_bool(doc, o, "slow", f.slow);
		yyjson_mut_obj_add_bool(doc, o, "listed", f.listed);
		yyjson_mut_obj_add_uint(doc, o, "ram_at_load_bytes", f.mem_needed);
		yyjson_mut_obj_add_real(doc, o, "tokens_per_s", f.est_tokens_per_s);
		yyjson_mut_obj_add_strcpy(doc, o, "reason", f.reason);
	} else {
		yyjson_mut_obj_add_null(doc, o, "verdict");
		yyjson_mut_obj_add_strcpy(doc, o, "reason", m->missing ? m->problem : tacit_errmsg());
		tacit_clear_error();
	}
}

/* The setting model.llm (caller frees), or NULL: an entry names it "in_use". */
static char *chosen_llm(struct tacit_store *store)
{
	char *chosen = NULL;
	if (!store || tacit_store_setting_get(store, "model.llm", &chosen) != TACIT_OK)
		tacit_clear_error(); /* listed without the mark */
	return chosen;
}

static void list_custom(struct api_call *c, struct api_response *res)
{
	struct tacit_custom_models *list = NULL;
	struct tacit_store *store = api_store(c->api, res);
	if (!store)
		return;
	enum tacit_status st = custom_list_in(store, &list);
	char *chosen = st == TACIT_OK ? chosen_llm(store) : NULL;
	api_store_put(c->api, store);
	if (st != TACIT_OK) {
		tacit_free(chosen);
		api_error(res, st);
		return;
	}
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *root = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, root);
	yyjson_mut_obj_add_uint(doc, root, "n_ctx", tacit_fit_default_params().n_ctx);
	yyjson_mut_val *arr = yyjson_mut_obj_add_arr(doc, root, "custom");
	for (size_t i = 0; i < tacit_custom_count(list); i++)
		add_entry(c->api, doc, yyjson_mut_arr_add_obj(doc, arr), tacit_custom_get(list, i), chosen);
	tacit_custom_list_free(list);
	tacit_free(chosen);
	api_json(res, 200, doc);
}

/* Text without NUL or control characters, 1 to max bytes (yyjson has checked UTF-8). */
static bool plain_text(yyjson_val *v, size_t max)
{
	if (!yyjson_is_str(v))
		return false;
	const char *s = yyjson_get_str(v);
	size_t n = yyjson_get_len(v);
	if (n == 0 || n > max || strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* Why name cannot be taken by the file at abs (a 409 message), or false when it can. */
static bool name_taken(const struct tacit_catalog *cat, const char *name, const char *abs, char *why, size_t cap,
		       bool *refresh)
{
	struct tacit_custom_models *list = NULL;
	bool taken = false;
	*refresh = false;
	if (tacit_catalog_find(cat, name)) {
		snprintf(why, cap, "'%s' is a catalog model's name: choose another name", name);
		return true;
	}
	if (tacit_custom_list(&list) != TACIT_OK) {
		tacit_clear_error();
		return false; /* the library will say what is wrong with the store */
	}
	const struct tacit_custom_model *old = tacit_custom_find(list, name);
	if (old && strcmp(old->path, abs) != 0 && !old->missing) {
		snprintf(why, cap, "'%s' already names '%s': choose another name, or forget '%s' first", name,
			 old->path, name);
		taken = true;
	}
	*refresh = old && !strcmp(old->path, abs);
	tacit_custom_list_free(list);
	return taken;
}

static int add_status(enum tacit_status st)
{
	switch (st) {
	case TACIT_ERR_NOT_FOUND: return 404;
	case TACIT_ERR_FORMAT:
	case TACIT_ERR_UNSUPPORTED:
	case TACIT_ERR_MODEL: /* llama.cpp refused the file in the probe */
	case TACIT_ERR_IO:    /* it cannot be read: the file, not the server, is the problem */
		return 422;
	case TACIT_ERR_USAGE: return 400;
	case TACIT_ERR_NOMEM: return 503;
	default: return 500;
	}
}

/* POST /api/custom {"path": "/abs/file.gguf", "name"?: "n"}: 201 with the entry (200
 * when the same file was already there under that name: checked again). */
static void add_custom(struct api_call *c, struct api_response *res)
{
	yyjson_doc *doc = api_body_object(c, res);
	struct tacit_custom_models *list = NULL;
	char abs[PATH_MAX], derived[CUSTOM_NAME_MAX + 1], why[PATH_MAX + 200], *name = NULL;
	struct stat sb;
	yyjson_val *root, *k, *v, *path = NULL, *want = NULL;
	size_t i, n;
	bool refresh = false;

	if (!doc)
		return;
	root = yyjson_doc_get_root(doc);
	yyjson_obj_foreach(root, i, n, k, v) {
		if (!strcmp(yyjson_get_str(k), "path") && yyjson_get_len(k) == 4) {
			path = v;
		} else if (!strcmp(yyjson_get_str(k), "name") && yyjson_get_len(k) == 4) {
			want = v;
		} else {
			api_error_msg(res, 400,
				      "unknown field '%.64s': send {\"path\": \"/abs/file.gguf\", \"name\"?: \"name\"}",
				      yyjson_get_str(k));
			goto out;
		}
	}
	if (!plain_text(path, PATH_MAX - 1) || yyjson_get_str(path)[0] != '/') {
		api_error_msg(res, 400, "\"path\" must be the absolute path of a GGUF file (1 to %d bytes, no control "
					"characters)",
			      PATH_MAX - 1);
		goto out;
	}
	if (yyjson_is_null(want))
		want = NULL;
	if (want && (!plain_text(want, CUSTOM_NAME_MAX) || !custom_name_ok(yyjson_get_str(want)))) {
		api_error_msg(res, 400, "\"name\" must be 1 to %d of a-z, 0-9, '.', '-', '_' (not starting with '.' or "
					"'-')",
			      CUSTOM_NAME_MAX);
		goto out;
	}
	const char *p = yyjson_get_str(path);
	if (!realpath(p, abs)) {
		bool gone = errno == ENOENT || errno == ENOTDIR;
		api_error_http(res, gone ? 404 : 422,
			       tacit_fail_errno(gone ? TACIT_ERR_NOT_FOUND : TACIT_ERR_IO, "cannot open '%s'", p));
		goto out;
	}
	/* a directory, FIFO or device is refused before anything opens it */
	if (stat(abs, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		api_error_msg(res, 422, "'%s' is not a regular file: give the path of a .gguf model file", p);
		goto out;
	}
	if (want) {
		snprintf(derived, sizeof(derived), "%s", yyjson_get_str(want));
	} else {
		custom_name_from_path(abs, derived, sizeof(derived));
		if (!custom_name_ok(derived)) {
			api_error_msg(res, 400, "the file's name gives no usable model name: give a \"name\"");
			goto out;
		}
	}

	pthread_mutex_lock(&one_add_at_a_time);
	if (name_taken(api_catalog(c->api), derived, abs, why, sizeof(why), &refresh)) {
		pthread_mutex_unlock(&one_add_at_a_time);
		api_error_http(res, 409, tacit_fail(TACIT_ERR_USAGE, "%s", why));
		goto out;
	}
	struct tacit_custom_params cp = tacit_custom_default_params();
	cp.name = derived;
	enum tacit_status st = tacit_custom_add(abs, &cp, &name);
	pthread_mutex_unlock(&one_add_at_a_time);
	if (st != TACIT_OK) {
		api_error_http(res, add_status(st), st);
		goto out;
	}
	const struct tacit_custom_model *m = NULL;
	if (tacit_custom_list(&list) == TACIT_OK)
		m = tacit_custom_find(list, name);
	if (!m) {
		api_error(res, tacit_fail(TACIT_ERR_DB, "custom model '%s' was added but cannot be listed", name));
		goto out;
	}
	yyjson_mut_doc *out = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = yyjson_mut_obj(out);
	yyjson_mut_doc_set_root(out, o);
	struct tacit_store *store = api_store(c->api, NULL);
	char *chosen = chosen_llm(store);
	if (store)
		api_store_put(c->api, store);
	add_entry(c->api, out, o, m, chosen);
	tacit_free(chosen);
	api_json(res, refresh ? 200 : 201, out);
out:
	tacit_custom_list_free(list);
	tacit_free(name);
	yyjson_doc_free(doc);
}

/* DELETE /api/custom/NAME: the reference only; the file is left alone. */
static void forget_custom(struct api_response *res, const char *name)
{
	enum tacit_status st = tacit_custom_forget(name);
	if (st != TACIT_OK) {
		api_error(res, st);
		return;
	}
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *root = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, root);
	yyjson_mut_obj_add_strcpy(doc, root, "forgot", name);
	api_json(res, 200, doc);
}

bool api_custom_route(struct api_call *c, struct api_response *res)
{
	const char *m = c->req->method;
	bool get = !strcmp(m, "GET") || !strcmp(m, "HEAD");

	if (c->n_seg < 2 || strcmp(c->seg[1], "custom"))
		return false;
	if (c->n_seg == 2) {
		if (get)
			list_custom(c, res);
		else if (!strcmp(m, "POST"))
			add_custom(c, res);
		else
			api_error_msg(res, 405, "no %s on /api/custom (GET lists, POST adds)", m);
	} else if (c->n_seg == 3) {
		if (!custom_name_ok(c->seg[2]))
			api_error_msg(res, 400, "'%.80s' is not a custom model name", c->seg[2]);
		else if (!strcmp(m, "DELETE"))
			forget_custom(res, c->seg[2]);
		else
			api_error_msg(res, 405, "no %s on a custom model (DELETE forgets it)", m);
	} else {
		api_error_msg(res, 404, "no such custom model call");
	}
	return true;
}
