/*
 * cmd_models.c — `tacit models [--json] [--all] [--speech] [--profile NAME] [--ctx N]`:
 * the model picker. Every catalog LLM scored against this machine (or a built-in
 * profile), sorted by RAM at load, then stars; models that cannot run well are listed
 * only with --all. --speech scores the speech and VAD models instead.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yyjson.h>

static const char usage_text[] =
	"usage: tacit models [--json] [--all] [--speech] [--profile NAME] [--ctx N]\n"
	"  --json          print the scores as JSON\n"
	"  --speech        the speech and voice-activity models: disk, RAM, languages and\n"
	"                  the estimated real-time factor here ('keeps up live', 'recordings\n"
	"                  only', 'too slow')\n"
	"  --all           also show models that would not run well, with the reason\n"
	"  --profile NAME  score against a built-in machine instead of this one\n"
	"                  (--profile list shows the names)\n"
	"  --ctx N         context length to plan for (default 8192)\n";

struct row {
	const struct tacit_model_info *m;
	const struct tacit_fit *f;
	bool downloaded;
};

struct custom_row {
	const struct tacit_custom_model *c;
	struct tacit_fit f;
	bool scored; /* false when the layout cannot be scored (the reason says why) */
};

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->f->mem_needed != y->f->mem_needed)
		return x->f->mem_needed < y->f->mem_needed ? -1 : 1;
	return x->m->stars - y->m->stars;
}

static const char *verdict_key(enum tacit_fit_verdict v)
{
	return v == TACIT_FIT_GREAT ? "great" : v == TACIT_FIT_TIGHT ? "tight" : "none";
}

static void add_fit_json(yyjson_mut_doc *doc, yyjson_mut_val *o, const struct tacit_fit *f)
{
	yyjson_mut_obj_add_uint(doc, o, "ram_at_load_bytes", f->mem_needed);
	yyjson_mut_obj_add_str(doc, o, "verdict", verdict_key(f->verdict));
	yyjson_mut_obj_add_str(doc, o, "verdict_text", tacit_fit_verdict_str(f->verdict));
	yyjson_mut_obj_add_bool(doc, o, "slow", f->slow);
	yyjson_mut_obj_add_real(doc, o, "tokens_per_s", f->est_tokens_per_s);
	yyjson_mut_obj_add_int(doc, o, "n_gpu_layers", f->n_gpu_layers);
	yyjson_mut_obj_add_int(doc, o, "n_layers", f->n_layers);
	yyjson_mut_obj_add_str(doc, o, "reason", f->reason);
}

static void add_custom_json(yyjson_mut_doc *doc, yyjson_mut_val *root, const struct custom_row *cr, size_t n)
{
	yyjson_mut_val *arr = yyjson_mut_obj_add_arr(doc, root, "custom");
	for (size_t i = 0; i < n; i++) {
		const struct tacit_custom_model *c = cr[i].c;
		yyjson_mut_val *o = yyjson_mut_arr_add_obj(doc, arr);
		yyjson_mut_obj_add_str(doc, o, "name", c->name);
		yyjson_mut_obj_add_str(doc, o, "path", c->path);
		yyjson_mut_obj_add_str(doc, o, "arch", c->arch);
		yyjson_mut_obj_add_str(doc, o, "quant", c->quant);
		yyjson_mut_obj_add_uint(doc, o, "disk_bytes", c->file_bytes);
		yyjson_mut_obj_add_int(doc, o, "stars", tacit_stars_for_params(c->layout.params_total));
		yyjson_mut_obj_add_bool(doc, o, "missing", c->missing);
		if (c->missing)
			yyjson_mut_obj_add_str(doc, o, "problem", c->problem);
		else
			yyjson_mut_obj_add_null(doc, o, "problem");
		add_fit_json(doc, o, &cr[i].f);
	}
}

/* Prints doc as pretty JSON on stdout and frees it. */
static int print_doc(yyjson_mut_doc *doc)
{
	char *text = yyjson_mut_write(doc, YYJSON_WRITE_PRETTY, NULL);
	yyjson_mut_doc_free(doc);
	if (!text)
		return cli_fail(TACIT_ERR_NOMEM);
	printf("%s\n", text);
	free(text);
	return 0;
}


/* Where the language model ("llm") or speech ("asr") runs, from the settings (the server
 * is not asked). */
static void engine_where(const char *kind, char *out, size_t len, bool *remote)
{
	struct tacit_store *store = NULL;
	struct tacit_engine e = tacit_engine_default();
	if (tacit_store_open(NULL, &store) != TACIT_OK || tacit_engine_from_settings(store, kind, &e) != TACIT_OK)
		e = tacit_engine_default(); /* doctor reports a bad setting */
	tacit_store_close(store);
	tacit_engine_describe(&e, out, len);
	*remote = tacit_engine_is_remote(&e);
}

static int print_json(const char *machine, const struct tacit_fit_params *p, const struct row *rows, size_t n,
		      const struct custom_row *cr, size_t n_custom, const char *blocking)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	if (!doc)
		return cli_fail(TACIT_ERR_NOMEM);
	yyjson_mut_val *root = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, root);
	yyjson_mut_obj_add_str(doc, root, "machine", machine);
	char where[600];
	bool remote;
	engine_where("llm", where, sizeof(where), &remote);
	yyjson_mut_obj_add_strcpy(doc, root, "language_model_runs", where);
	engine_where("asr", where, sizeof(where), &remote);
	yyjson_mut_obj_add_strcpy(doc, root, "speech_runs", where);
	yyjson_mut_obj_add_uint(doc, root, "n_ctx", p->n_ctx);
	yyjson_mut_val *arr = yyjson_mut_obj_add_arr(doc, root, "models");
	const char *recommended = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct tacit_model_info *m = rows[i].m;
		const struct tacit_fit *f = rows[i].f;
		yyjson_mut_val *o = yyjson_mut_arr_add_obj(doc, arr);
		yyjson_mut_obj_add_str(doc, o, "id", m->id);
		yyjson_mut_obj_add_str(doc, o, "name", m->name);
		yyjson_mut_obj_add_uint(doc, o, "disk_bytes", m->file_bytes);
		yyjson_mut_obj_add_uint(doc, o, "ram_at_load_bytes", f->mem_needed);
		if (m->published_ram_bytes)
			yyjson_mut_obj_add_uint(doc, o, "published_ram_bytes", m->published_ram_bytes);
		else
			yyjson_mut_obj_add_null(doc, o, "published_ram_bytes");
		yyjson_mut_obj_add_int(doc, o, "stars", m->stars);
		yyjson_mut_obj_add_str(doc, o, "tier", m->tier ? m->tier : "");
		yyjson_mut_obj_add_str(doc, o, "verdict", verdict_key(f->verdict));
		yyjson_mut_obj_add_str(doc, o, "verdict_text", tacit_fit_verdict_str(f->verdict));
		yyjson_mut_obj_add_bool(doc, o, "slow", f->slow);
		yyjson_mut_obj_add_bool(doc, o, "recommended", f->recommended);
		yyjson_mut_obj_add_bool(doc, o, "listed", f->listed);
		yyjson_mut_obj_add_bool(doc, o, "archived", m->archived);
		yyjson_mut_obj_add_bool(doc, o, "downloaded", rows[i].downloaded);
		yyjson_mut_obj_add_real(doc, o, "tokens_per_s", f->est_tokens_per_s);
		yyjson_mut_obj_add_int(doc, o, "n_gpu_layers", f->n_gpu_layers);
		yyjson_mut_obj_add_int(doc, o, "n_layers", f->n_layers);
		yyjson_mut_val *mem = yyjson_mut_obj_add_obj(doc, o, "memory");
		yyjson_mut_obj_add_uint(doc, mem, "weights", f->mem_weights);
		yyjson_mut_obj_add_uint(doc, mem, "kv", f->mem_kv);
		yyjson_mut_obj_add_uint(doc, mem, "compute", f->mem_compute);
		yyjson_mut_obj_add_uint(doc, mem, "overhead", f->mem_overhead);
		yyjson_mut_obj_add_uint(doc, mem, "needed", f->mem_needed);
		yyjson_mut_obj_add_uint(doc, mem, "available", f->mem_available);
		yyjson_mut_obj_add_str(doc, o, "reason", f->reason);
		if (f->recommended)
			recommended = m->id;
	}
	add_custom_json(doc, root, cr, n_custom);
	if (recommended)
		yyjson_mut_obj_add_str(doc, root, "recommended", recommended);
	else
		yyjson_mut_obj_add_null(doc, root, "recommended");
	if (blocking)
		yyjson_mut_obj_add_str(doc, root, "blocking_reason", blocking);
	else
		yyjson_mut_obj_add_null(doc, root, "blocking_reason");
	return print_doc(doc);
}

static void print_table(const char *machine, const struct row *rows, size_t n, bool all, const char *blocking)
{
	char b1[32], b2[32], verdict[32], where[600];
	bool remote;
	printf("Models for %s\n\n", machine);
	engine_where("llm", where, sizeof(where), &remote);
	if (remote) /* the list below is what could run here instead */
		printf("language model: %s (setting engine.llm)\n\n", where);
	engine_where("asr", where, sizeof(where), &remote);
	if (remote)
		printf("speech: %s (setting engine.asr; live meetings: this device)\n\n", where);
	if (n)
		printf("%-18s %-20s %9s %9s %-5s %-18s %-11s %-10s %s\n", "ID", "MODEL", "DISK", "RAM", "STARS", "FIT", "",
		       "DOWNLOADED", "SPEED");
	for (size_t i = 0; i < n; i++) {
		const struct tacit_model_info *m = rows[i].m;
		const struct tacit_fit *f = rows[i].f;
		snprintf(verdict, sizeof(verdict), "%s%s", tacit_fit_verdict_str(f->verdict), f->slow ? " + Slow" : "");
		printf("%-18s %-20s %9s %9s %-5s %-18s %-11s %-10s ~%.0f tok/s", m->id, m->name,
		       cli_bytes(m->file_bytes, b1, sizeof(b1)),
		       cli_bytes(f->mem_needed, b2, sizeof(b2)), m->stars == 3 ? "***" : m->stars == 2 ? "**" : "*", verdict,
		       f->recommended ? "Recommended" : "", rows[i].downloaded ? "yes" : "no", f->est_tokens_per_s);
		if (all && !f->listed)
			printf("  (not listed: %s)", f->reason);
		printf("\n");
	}
	if (blocking)
		printf("%s%s\n", n ? "\n" : "", blocking);
}

static void print_custom(const struct custom_row *cr, size_t n)
{
	char b1[32], b2[32], verdict[32];
	if (!n)
		return;
	printf("\nCustom models (tacit add)\n\n%-20s %9s %9s %-5s %-18s %s\n", "NAME", "DISK", "RAM", "STARS", "FIT",
	       "SPEED");
	for (size_t i = 0; i < n; i++) {
		const struct tacit_custom_model *c = cr[i].c;
		const struct tacit_fit *f = &cr[i].f;
		int stars = tacit_stars_for_params(c->layout.params_total);
		if (c->missing) {
			printf("%-20s %9s %9s %-5s %-18s %s\n", c->name, cli_bytes(c->file_bytes, b1, sizeof(b1)), "-", "-",
			       "missing", c->problem);
			continue;
		}
		snprintf(verdict, sizeof(verdict), "%s%s", cr[i].scored ? tacit_fit_verdict_str(f->verdict) : "unknown",
			 f->slow ? " + Slow" : "");
		printf("%-20s %9s %9s %-5s %-18s ~%.0f tok/s  %s\n", c->name, cli_bytes(c->file_bytes, b1, sizeof(b1)),
		       cli_bytes(f->mem_needed, b2, sizeof(b2)), stars == 3 ? "***" : stars == 2 ? "**" : "*", verdict,
		       f->est_tokens_per_s, c->path);
	}
}

/* The speech and VAD models: the table, or JSON. */
static int print_speech(const char *machine, const struct tacit_system *sys, const struct tacit_catalog *cat,
			const char *dir, bool json)
{
	const struct tacit_model_info *pick = tacit_models_recommend(sys, cat, TACIT_MODEL_ASR);
	yyjson_mut_doc *doc = json ? yyjson_mut_doc_new(NULL) : NULL;
	yyjson_mut_val *root = NULL, *arr = NULL;
	char b1[32], b2[32], rtf[32];

	if (json) {
		if (!doc)
			return cli_fail(TACIT_ERR_NOMEM);
		root = yyjson_mut_obj(doc);
		yyjson_mut_doc_set_root(doc, root);
		yyjson_mut_obj_add_str(doc, root, "machine", machine);
		arr = yyjson_mut_obj_add_arr(doc, root, "models");
	} else {
		printf("Speech and voice-activity models for %s\n\n", machine);
		printf("%-28s %-28s %9s %9s %-9s %6s %-16s %-11s %s\n", "ID", "MODEL", "DISK", "RAM", "LANGUAGES", "RTF",
		       "VERDICT", "", "DOWNLOADED");
	}
	for (size_t i = 0; i < tacit_catalog_count(cat); i++) {
		const struct tacit_model_info *m = tacit_catalog_get(cat, i);
		struct tacit_speech_fit sf;
		bool scored = false, downloaded = tacit_model_downloaded(dir, m);
		if (m->kind == TACIT_MODEL_LLM || (m->archived && !downloaded))
			continue;
		memset(&sf, 0, sizeof(sf));
		if (m->kind == TACIT_MODEL_ASR && !(scored = tacit_speech_score(sys, m, &sf) == TACIT_OK))
			snprintf(sf.reason, sizeof(sf.reason), "%s", tacit_errmsg());
		bool vad = m->kind != TACIT_MODEL_ASR; /* no speech score */
		const char *langs = m->kind == TACIT_MODEL_EMBED ? "-" : vad ? "any" : m->speech.multilingual ? "99" : "English";
		const char *verdict = vad ? "" : scored ? tacit_speech_verdict_str(sf.verdict) : "unknown";
		if (json) {
			yyjson_mut_val *o = yyjson_mut_arr_add_obj(doc, arr);
			yyjson_mut_obj_add_str(doc, o, "id", m->id);
			yyjson_mut_obj_add_str(doc, o, "name", m->name);
			yyjson_mut_obj_add_str(doc, o, "kind",
					       m->kind == TACIT_MODEL_SPEAKER ? "speaker"
					       : m->kind == TACIT_MODEL_EMBED ? "embed"
					       : vad			      ? "vad"
									      : "asr");
			yyjson_mut_obj_add_uint(doc, o, "disk_bytes", m->file_bytes);
			yyjson_mut_obj_add_uint(doc, o, "ram_bytes", vad ? m->file_bytes : sf.mem_needed);
			yyjson_mut_obj_add_bool(doc, o, "english_only", !vad && !m->speech.multilingual);
			if (scored) {
				yyjson_mut_obj_add_real(doc, o, "est_rtf", sf.est_rtf);
				yyjson_mut_obj_add_str(doc, o, "verdict", verdict);
			} else {
				yyjson_mut_obj_add_null(doc, o, "est_rtf");
				yyjson_mut_obj_add_null(doc, o, "verdict");
			}
			yyjson_mut_obj_add_str(doc, o, "reason", sf.reason);
			yyjson_mut_obj_add_bool(doc, o, "recommended", m == pick);
			yyjson_mut_obj_add_bool(doc, o, "downloaded", downloaded);
			continue;
		}
		snprintf(rtf, sizeof(rtf), scored ? "%.2f" : "-", sf.est_rtf);
		printf("%-28s %-28s %9s %9s %-9s %6s %-16s %-11s %s\n", m->id, m->name,
		       cli_bytes(m->file_bytes, b1, sizeof(b1)), vad ? "-" : cli_bytes(sf.mem_needed, b2, sizeof(b2)), langs,
		       vad ? "-" : rtf, verdict, m == pick ? "Recommended" : "", downloaded ? "yes" : "no");
	}
	if (!json) {
		printf("\nRTF: estimated seconds of work per second of speech here (docs/fit.md); a live meeting needs "
		       "at most 0.5.\n");
		return 0;
	}
	if (pick)
		yyjson_mut_obj_add_str(doc, root, "recommended", pick->id);
	else
		yyjson_mut_obj_add_null(doc, root, "recommended");
	return print_doc(doc);
}

int cmd_models(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "all", no_argument, NULL, 'a' },
		{ "profile", required_argument, NULL, 'p' }, { "ctx", required_argument, NULL, 'c' },
		{ "speech", no_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' }, { 0, 0, 0, 0 },
	};
	struct tacit_fit_params fp = tacit_fit_default_params();
	struct tacit_system sys;
	struct tacit_catalog *cat = NULL;
	struct tacit_fit *fits = NULL;
	struct row *rows = NULL;
	struct tacit_custom_models *custom = NULL;
	struct custom_row *crows = NULL;
	const char *profile = NULL;
	char *data_dir = NULL, *blocking = NULL;
	char machine[256];
	bool json = false, all = false, speech = false;
	enum tacit_status st;
	int c, rc = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'a':
			all = true;
			break;
		case 's':
			speech = true;
			break;
		case 'p':
			profile = optarg;
			break;
		case 'c': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || end == optarg || v < 256 || v > (1ul << 24))
				return cli_usage_error("models", "--ctx wants a context length from 256 to 16777216, not '%s'",
						       optarg);
			fp.n_ctx = (uint32_t)v;
			break;
		}
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_option_error("models", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("models", "unexpected argument '%s'", argv[optind]);

	if (profile && !strcmp(profile, "list")) {
		for (size_t i = 0; i < tacit_profile_count(); i++)
			printf("%-18s %s\n", tacit_profile_name(i), tacit_profile_description(i));
		return 0;
	}
	if (profile) {
		if (tacit_profile_get(profile, &sys) != TACIT_OK)
			return cli_usage_error("models", "%s", tacit_errmsg());
		for (size_t i = 0; i < tacit_profile_count(); i++)
			if (!strcmp(tacit_profile_name(i), profile))
				snprintf(machine, sizeof(machine), "profile %s: %s", profile, tacit_profile_description(i));
	} else {
		struct tacit_probe_params pp = tacit_probe_default_params();
		if ((st = tacit_system_probe(&pp, &sys)) != TACIT_OK)
			return cli_fail(st);
		snprintf(machine, sizeof(machine), "this machine: %s", sys.cpu_model);
	}
	if ((st = tacit_catalog_load(&cat)) != TACIT_OK)
		return cli_fail(st);
	if (speech) {
		if (tacit_models_dir(&data_dir) != TACIT_OK)
			data_dir = NULL;
		rc = print_speech(machine, &sys, cat, data_dir, json);
		goto out;
	}
	size_t n = tacit_catalog_count(cat);
	fits = calloc(n, sizeof(*fits));
	rows = calloc(n, sizeof(*rows));
	if (!fits || !rows) {
		rc = cli_fail(TACIT_ERR_NOMEM);
		goto out;
	}
	st = tacit_fit_score_all(&sys, cat, &fp, fits);
	if (st == TACIT_ERR_NO_FIT) {
		blocking = strdup(tacit_errmsg());
	} else if (st != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	if (tacit_models_dir(&data_dir) != TACIT_OK)
		data_dir = NULL; /* no models folder: nothing is downloaded */
	size_t n_rows = 0;
	for (size_t i = 0; i < n; i++) {
		const struct tacit_model_info *m = tacit_catalog_get(cat, i);
		if (m->kind != TACIT_MODEL_LLM)
			continue;
		bool downloaded = tacit_model_downloaded(data_dir, m);
		/* Archive rule: an archived entry is listed while its file is here (scored
		 * like any other) and vanishes from every listing once removed. */
		if (m->archived) {
			if (!downloaded)
				continue;
			fits[i].listed = fits[i].verdict != TACIT_FIT_NONE;
			snprintf(fits[i].reason, sizeof(fits[i].reason), "archived (replaced by '%s'); kept because it is downloaded",
				 m->replaced_by);
		}
		if (!fits[i].listed && !all)
			continue;
		rows[n_rows].m = m;
		rows[n_rows].f = &fits[i];
		rows[n_rows].downloaded = downloaded;
		n_rows++;
	}
	qsort(rows, n_rows, sizeof(*rows), row_cmp);
	/* Custom models, scored from their GGUF header's layout like the catalog. */
	if ((st = tacit_custom_list(&custom)) != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	size_t n_custom = tacit_custom_count(custom);
	if (n_custom && !(crows = calloc(n_custom, sizeof(*crows)))) {
		rc = cli_fail(TACIT_ERR_NOMEM);
		goto out;
	}
	for (size_t i = 0; i < n_custom; i++) {
		crows[i].c = tacit_custom_get(custom, i);
		crows[i].scored = !crows[i].c->missing &&
				  tacit_fit_score(&sys, &crows[i].c->layout, &fp, &crows[i].f) == TACIT_OK;
		if (!crows[i].scored && !crows[i].c->missing)
			snprintf(crows[i].f.reason, sizeof(crows[i].f.reason), "%s", tacit_errmsg());
	}
	if (json) {
		rc = print_json(machine, &fp, rows, n_rows, crows, n_custom, blocking);
	} else {
		print_table(machine, rows, n_rows, all, blocking);
		print_custom(crows, n_custom);
	}
out:
	free(crows);
	tacit_custom_list_free(custom);
	tacit_free(data_dir);
	free(blocking);
	free(rows);
	free(fits);
	tacit_catalog_free(cat);
	return rc;
}
