/*
 * models.c — model resolution: what a user typed after --model (a path, a catalog id,
 * a custom model's name, or nothing) becomes one model file. The only place that
 * decides "which model"; commands, the live pipeline and the web app all ask here.
 */
#include "internal.h"

#include <sys/stat.h>

static const char *kind_name(enum tacit_model_kind kind)
{
	switch (kind) {
	case TACIT_MODEL_LLM: return "language";
	case TACIT_MODEL_ASR: return "speech";
	case TACIT_MODEL_VAD: return "voice activity";
	}
	return "?";
}

static const char *setting_key(enum tacit_model_kind kind)
{
	switch (kind) {
	case TACIT_MODEL_LLM: return "model.llm";
	case TACIT_MODEL_ASR: return "model.asr";
	case TACIT_MODEL_VAD: return "model.vad";
	}
	return "model.llm";
}

/* The catalog id a user is pointed at when nothing of this kind is downloaded. */
static const char *suggested_id(enum tacit_model_kind kind)
{
	switch (kind) {
	case TACIT_MODEL_LLM: return "qwen3.5-2b";
	case TACIT_MODEL_ASR: return "whisper-base.en";
	case TACIT_MODEL_VAD: return "silero-vad-v6.2.0";
	}
	return "";
}

/* A new string "a/b", or NULL when out of memory. */
static char *join_path(const char *a, const char *b)
{
	char *p;
	return asprintf(&p, "%s/%s", a, b) < 0 ? NULL : p;
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

enum tacit_status tacit_models_dir(char **out_path)
{
	char *data = NULL, *dir;
	enum tacit_status st;

	if (!out_path)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_models_dir: out_path is NULL");
	*out_path = NULL;
	if ((st = tacit_dir_path(TACIT_DIR_DATA, &data)) != TACIT_OK)
		return st;
	dir = join_path(data, "models");
	tacit_free(data);
	if (!dir)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		st = tacit_fail(TACIT_ERR_IO, "cannot create the models folder '%s': %s", dir, strerror(errno));
		tacit_free(dir);
		return st;
	}
	*out_path = dir;
	return TACIT_OK;
}

/* The downloaded file of catalog entry m, or NULL (not downloaded, or out of memory). */
static char *catalog_file(const char *dir, const struct tacit_model_info *m)
{
	char *path = join_path(dir, m->file_name);
	if (path && !is_file(path)) {
		tacit_free(path);
		path = NULL;
	}
	return path;
}

/* Resolves an explicit name (never the setting): path, catalog id, custom model. */
static enum tacit_status resolve_named(enum tacit_model_kind kind, const char *name, const struct tacit_catalog *cat,
				       const char *dir, char **out)
{
	const struct tacit_model_info *m;

	if (strchr(name, '/') || is_file(name)) {
		if (!is_file(name))
			return tacit_fail(TACIT_ERR_NOT_FOUND, "model file '%s' does not exist", name);
		*out = strdup(name);
		return *out ? TACIT_OK : tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	if ((m = tacit_catalog_find(cat, name))) {
		if (m->kind != kind)
			return tacit_fail(TACIT_ERR_USAGE, "'%s' is not a %s model", name, kind_name(kind));
		if (!(*out = catalog_file(dir, m)))
			return tacit_fail(TACIT_ERR_NOT_FOUND, "model '%s' is not downloaded: run 'tacit pull %s'", name,
					  name);
		return TACIT_OK;
	}
	return tacit_fail(TACIT_ERR_NOT_FOUND,
			  "no model named '%s': 'tacit models' lists the catalog; a file needs its path", name);
}

/* The per-device choice, or NULL when unset (or the store cannot be read: the choice is
 * then simply unknown, and the fallback below still applies). */
static char *chosen_setting(enum tacit_model_kind kind)
{
	struct tacit_store *store = NULL;
	char *value = NULL;

	if (tacit_store_open(NULL, &store) != TACIT_OK)
		return NULL;
	if (tacit_store_setting_get(store, setting_key(kind), &value) != TACIT_OK)
		value = NULL;
	tacit_store_close(store);
	if (value && !*value) {
		tacit_free(value);
		value = NULL;
	}
	return value;
}

enum tacit_status tacit_model_resolve(enum tacit_model_kind kind, const char *name, char **out_path)
{
	struct tacit_catalog *cat = NULL;
	char *dir = NULL, *chosen = NULL;
	enum tacit_status st;

	if (!out_path)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_model_resolve: out_path is NULL");
	*out_path = NULL;
	if ((st = tacit_catalog_load(&cat)) != TACIT_OK)
		return st;
	if ((st = tacit_models_dir(&dir)) != TACIT_OK)
		goto out;
	if (name && *name) {
		st = resolve_named(kind, name, cat, dir, out_path);
		goto out;
	}
	if ((chosen = chosen_setting(kind))) {
		st = resolve_named(kind, chosen, cat, dir, out_path);
		if (st != TACIT_OK)
			st = tacit_fail(st, "the chosen %s model (setting %s) is unusable: %s", kind_name(kind),
					setting_key(kind), tacit_errmsg());
		goto out;
	}
	/* Nothing chosen: the first downloaded entry of this kind in catalog order (the
	 * catalog lists each kind from the lightest up, active entries before archived). */
	for (size_t i = 0; i < tacit_catalog_count(cat) && !*out_path; i++) {
		const struct tacit_model_info *m = tacit_catalog_get(cat, i);
		if (m->kind == kind)
			*out_path = catalog_file(dir, m);
	}
	st = *out_path ? TACIT_OK
		       : tacit_fail(TACIT_ERR_NOT_FOUND, "no %s model is downloaded: run 'tacit pull %s' or pass --model FILE",
				    kind_name(kind), suggested_id(kind));
out:
	tacit_free(chosen);
	tacit_free(dir);
	tacit_catalog_free(cat);
	return st;
}
