/*
 * models.c — model resolution: what a user typed after --model (a path, a catalog id,
 * a custom model's name, or nothing) becomes one model file. The only place that
 * decides "which model"; commands, the live pipeline and the web app all ask here.
 */
#include "internal.h"

#include "custom.h"
#include "models.h"
#include "probe.h"

#include <sys/stat.h>

static const char *kind_name(enum tacit_model_kind kind)
{
	switch (kind) {
	case TACIT_MODEL_LLM: return "language";
	case TACIT_MODEL_ASR: return "speech";
	case TACIT_MODEL_VAD: return "voice activity";
	case TACIT_MODEL_SPEAKER: return "speaker embedding";
	case TACIT_MODEL_EMBED: return "text embedding";
	}
	return "?";
}

static const char *setting_key(enum tacit_model_kind kind)
{
	switch (kind) {
	case TACIT_MODEL_LLM: return "model.llm";
	case TACIT_MODEL_ASR: return "model.asr";
	case TACIT_MODEL_VAD: return "model.vad";
	case TACIT_MODEL_SPEAKER: return "model.speaker";
	case TACIT_MODEL_EMBED: return "model.embed";
	}
	return "model.llm";
}

/* The catalog id a user is pointed at when nothing of this kind is downloaded: the one
 * recommendation (tacit_models_recommend()) for this machine, as `tacit setup` picks it.
 * The static id serves only when the machine or the catalog cannot be read. */
static void suggested_id(enum tacit_model_kind kind, const struct tacit_catalog *cat, char *buf, size_t len)
{
	struct tacit_probe_params pp = tacit_probe_default_params();
	struct tacit_system sys;
	const struct tacit_model_info *m = NULL;
	struct errsave e;

	errsave_push(&e); /* a hint must not replace the failure it is part of */
	pp.bandwidth = kind == TACIT_MODEL_LLM ? 1 : 0;
	pp.devices = kind == TACIT_MODEL_LLM || kind == TACIT_MODEL_ASR;
	if (system_probe_recent(&pp, &sys) == TACIT_OK)
		m = tacit_models_recommend(&sys, cat, kind);
	errsave_pop(&e, TACIT_OK);
	snprintf(buf, len, "%s",
		 m ? m->id : kind == TACIT_MODEL_LLM ? "qwen3.5-2b" : kind == TACIT_MODEL_ASR ? "whisper-base.en"
					 : kind == TACIT_MODEL_SPEAKER ? "wespeaker-resnet34"
					 : kind == TACIT_MODEL_EMBED   ? "granite-embedding-30m"
								       : "silero-vad-v6.2.0");
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
		st = tacit_fail_errno(TACIT_ERR_IO, "cannot create the models folder '%s'", dir);
		tacit_free(dir);
		return st;
	}
	*out_path = dir;
	return TACIT_OK;
}

bool tacit_model_downloaded(const char *models_dir, const struct tacit_model_info *m)
{
	char *path = models_dir && m ? join_path(models_dir, m->file_name) : NULL;
	bool yes = path && is_file(path);
	free(path);
	return yes;
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

/* A custom model's file by name; *found says whether a custom model has that name (when
 * not, nothing else is set). */
static enum tacit_status custom_file(struct tacit_store *store, enum tacit_model_kind kind, const char *name,
				     char **out, bool *found)
{
	struct tacit_custom_models *list = NULL;
	const struct tacit_custom_model *c;
	enum tacit_status st = custom_list_in(store, &list);
	*found = false;
	if (st != TACIT_OK)
		return st;
	if ((c = tacit_custom_find(list, name))) {
		*found = true;
		if (kind != TACIT_MODEL_LLM)
			st = tacit_fail(TACIT_ERR_USAGE, "custom model '%s' is a language model, not a %s model", name,
					kind_name(kind));
		else if (c->missing)
			st = tacit_fail(TACIT_ERR_NOT_FOUND, "custom model '%s' is unusable: %s", name, c->problem);
		else if (!(*out = strdup(c->path)))
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	tacit_custom_list_free(list);
	return st;
}

/* Resolves an explicit name (never the setting): path, catalog id, custom model. */
static enum tacit_status resolve_named(struct tacit_store *store, enum tacit_model_kind kind, const char *name,
				       const struct tacit_catalog *cat, const char *dir, char **out)
{
	const struct tacit_model_info *m;
	enum tacit_status st;

	if (strchr(name, '/') || is_file(name)) {
		if (!is_file(name))
			return tacit_fail(TACIT_ERR_NOT_FOUND, "model file '%s' does not exist", name);
		*out = strdup(name);
		return *out ? TACIT_OK : tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	if ((m = tacit_catalog_find(cat, name))) {
		if (m->kind != kind)
			return tacit_fail(TACIT_ERR_USAGE, "'%s' is not a %s model", name, kind_name(kind));
		if ((*out = catalog_file(dir, m)))
			return TACIT_OK;
		/* archived entries stay usable while downloaded, but are not offered again */
		if (m->archived)
			return tacit_fail(TACIT_ERR_NOT_FOUND,
					  "model '%s' is archived and not downloaded: use its successor ('tacit pull %s')",
					  name, m->replaced_by);
		return tacit_fail(TACIT_ERR_NOT_FOUND, "model '%s' is not downloaded: run 'tacit pull %s'", name, name);
	}
	bool found;
	if ((st = custom_file(store, kind, name, out, &found)) != TACIT_OK || found)
		return st;
	return tacit_fail(TACIT_ERR_NOT_FOUND,
			  "no model named '%s': 'tacit models' lists the catalog and custom models; a file needs its "
			  "path",
			  name);
}

/* The per-device choice, or NULL when unset (or the store cannot be read: the choice is
 * then simply unknown, and the fallback below still applies). From the caller's store
 * when it has one open. */
static char *chosen_setting(struct tacit_store *given, enum tacit_model_kind kind)
{
	struct tacit_store *store = given;
	char *value = NULL;

	if (!store && tacit_store_open(NULL, &store) != TACIT_OK)
		return NULL;
	if (tacit_store_setting_get(store, setting_key(kind), &value) != TACIT_OK)
		value = NULL;
	if (store != given)
		tacit_store_close(store);
	if (value && !*value) {
		tacit_free(value);
		value = NULL;
	}
	return value;
}

/* Quality order among downloaded language models, as the picker's Recommended: a
 * non-slow Great fit first, then anything listed, then the rest; within a class more
 * stars, more parameters read per token, then less memory. */
static int llm_class(const struct tacit_fit *f)
{
	return f->listed && f->verdict == TACIT_FIT_GREAT && !f->slow ? 0 : f->listed ? 1 : 2;
}

static bool llm_better(const struct tacit_model_info *a, const struct tacit_fit *fa, const struct tacit_model_info *b,
		       const struct tacit_fit *fb)
{
	if (llm_class(fa) != llm_class(fb))
		return llm_class(fa) < llm_class(fb);
	if (a->stars != b->stars)
		return a->stars > b->stars;
	uint64_t pa = a->layout.params_active ? a->layout.params_active : a->layout.params_total;
	uint64_t pb = b->layout.params_active ? b->layout.params_active : b->layout.params_total;
	if (pa != pb)
		return pa > pb;
	return fa->mem_needed < fb->mem_needed;
}

/* Nothing named, nothing chosen: the best downloaded model of this kind for this
 * machine. Language models by the fit scorer (then a usable custom model); speech
 * models the largest that keeps up live (tacit_speech_score(): a live meeting on a
 * 2-core CPU never gets large-v3-turbo), else the fastest; VAD the first downloaded. Says what it chose in the log. */
static enum tacit_status pick_downloaded(struct tacit_store *store, enum tacit_model_kind kind,
					 const struct tacit_catalog *cat, const char *dir, char **out)
{
	struct tacit_probe_params pp = tacit_probe_default_params();
	struct tacit_system sys;
	const struct tacit_model_info *best = NULL;
	struct tacit_fit best_fit, fit;
	bool have_sys;

	pp.bandwidth = kind == TACIT_MODEL_LLM ? 1 : 0;
	pp.devices = kind == TACIT_MODEL_LLM;
	have_sys = system_probe_recent(&pp, &sys) == TACIT_OK;
	memset(&best_fit, 0, sizeof(best_fit));
	for (size_t i = 0; i < tacit_catalog_count(cat); i++) {
		const struct tacit_model_info *m = tacit_catalog_get(cat, i);
		char *path;
		if (m->kind != kind || !(path = catalog_file(dir, m)))
			continue;
		tacit_free(path);
		if (kind == TACIT_MODEL_LLM) {
			if (!have_sys || tacit_fit_score(&sys, &m->layout, NULL, &fit) != TACIT_OK)
				memset(&fit, 0, sizeof(fit));
			if (!best || llm_better(m, &fit, best, &best_fit)) {
				best = m;
				best_fit = fit;
			}
		} else if (kind == TACIT_MODEL_ASR) {
			/* the largest that keeps up live here (speech scorer), else the fastest */
			struct tacit_speech_fit sf, bf;
			bool ok = have_sys && tacit_speech_score(&sys, m, &sf) == TACIT_OK;
			bool bok = best && have_sys && tacit_speech_score(&sys, best, &bf) == TACIT_OK;
			bool live = ok && sf.verdict == TACIT_SPEECH_LIVE, blive = bok && bf.verdict == TACIT_SPEECH_LIVE;
			if (!best || (live && !blive) ||
			    (live == blive && (live ? m->file_bytes > best->file_bytes
						    : (ok && bok ? sf.est_rtf < bf.est_rtf : m->file_bytes < best->file_bytes))))
				best = m;
		} else if (!best) {
			best = m;
		}
	}
	if (best) {
		if (!(*out = catalog_file(dir, best)))
			return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		if (kind == TACIT_MODEL_LLM)
			tacit_log(TACIT_LOG_INFO, "no language model chosen (setting model.llm): using '%s', the best "
						  "downloaded one for this machine (%s%s)",
				  best->id, tacit_fit_verdict_str(best_fit.verdict), best_fit.slow ? " + Slow" : "");
		else
			tacit_log(TACIT_LOG_INFO, "no %s model chosen (setting %s): using '%s'%s", kind_name(kind),
				  setting_key(kind), best->id,
				  kind == TACIT_MODEL_ASR ? ", the largest downloaded one that keeps up live here" : "");
		return TACIT_OK;
	}
	if (kind == TACIT_MODEL_LLM) {
		struct tacit_custom_models *list = NULL;
		if (custom_list_in(store, &list) == TACIT_OK) {
			for (size_t i = 0; i < tacit_custom_count(list) && !*out; i++) {
				const struct tacit_custom_model *c = tacit_custom_get(list, i);
				if (!c->missing && (*out = strdup(c->path)))
					tacit_log(TACIT_LOG_INFO, "no language model downloaded or chosen: using custom model '%s'",
						  c->name);
			}
		}
		tacit_custom_list_free(list);
		if (*out)
			return TACIT_OK;
	}
	char hint[128];
	suggested_id(kind, cat, hint, sizeof(hint));
	return tacit_fail(TACIT_ERR_NOT_FOUND, "no %s model is downloaded: run 'tacit setup', or 'tacit pull %s'",
			  kind_name(kind), hint);
}

enum tacit_status tacit_model_resolve(enum tacit_model_kind kind, const char *name, char **out_path)
{
	return models_resolve_in(NULL, kind, name, out_path);
}

enum tacit_status models_resolve_in(struct tacit_store *store, enum tacit_model_kind kind, const char *name,
				    char **out_path)
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
		st = resolve_named(store, kind, name, cat, dir, out_path);
		goto out;
	}
	if ((chosen = chosen_setting(store, kind))) {
		st = resolve_named(store, kind, chosen, cat, dir, out_path);
		if (st != TACIT_OK) {
			struct errsave e; /* tacit_fail() must not read the message it overwrites */
			errsave_push(&e);
			st = tacit_fail(st, "the chosen %s model (setting %s) is unusable: %s", kind_name(kind),
					setting_key(kind), e.msg);
		}
		goto out;
	}
	st = pick_downloaded(store, kind, cat, dir, out_path);
out:
	tacit_free(chosen);
	tacit_free(dir);
	tacit_catalog_free(cat);
	return st;
}

const struct tacit_model_info *tacit_catalog_lookup(const struct tacit_catalog *cat, const char *text)
{
	const struct tacit_model_info *m;
	if (!cat || !text)
		return NULL;
	if ((m = tacit_catalog_find(cat, text)))
		return m;
	for (size_t i = 0; i < tacit_catalog_count(cat); i++) {
		m = tacit_catalog_get(cat, i);
		if (!strcasecmp(m->id, text) || !strcasecmp(m->name, text))
			return m;
	}
	return NULL;
}
