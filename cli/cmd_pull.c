/*
 * cmd_pull.c — `tacit pull NAME` downloads a catalog model into the models directory
 * (TACIT_DIR_DATA/models/<file_name>) through tacit_download(); `tacit rm NAME` deletes
 * it with its partial download. Ctrl-C keeps the partial file for the next pull.
 * Archived entries can be removed, and re-verified while their file exists, but no
 * longer downloaded: nothing is deleted because the catalog moved on.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yyjson.h>

/* ---- TEMPORARY catalog lookup ---------------------------------------------------------
 * Until the catalog module (src/catalog.c) merges, pull and rm read the few fields they
 * need straight from data/catalog.json. Replace tmp_catalog_* with the catalog API. */
struct tmp_entry {
	char id[128];
	char file_name[256];
	char url[4096];
	char sha256[65];      /* "" = the catalog has none */
	char replaced_by[128];
	unsigned long long file_bytes; /* 0 = not exact */
	int archived;
};

static char *tmp_catalog_path(void)
{
	const char *env = getenv("TACIT_CATALOG");
	char exe[4096];
	if (env && *env)
		return strdup(env);
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 64);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			strcpy(slash, "/../data/catalog.json");
			if (access(exe, R_OK) == 0)
				return strdup(exe);
		}
	}
	return strdup("/usr/share/tacit/catalog.json");
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[129];
	if (la > 128 || lb > 128)
		return 1000;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static void copy_field(char *dst, size_t cap, yyjson_val *v)
{
	const char *s = yyjson_get_str(v);
	snprintf(dst, cap, "%s", s ? s : "");
}

/* 0 found, else the exit code after printing why */
static int tmp_catalog_lookup(const char *id, struct tmp_entry *out)
{
	char *path = tmp_catalog_path();
	yyjson_read_err err;
	yyjson_doc *doc = path ? yyjson_read_file(path, 0, NULL, &err) : NULL;
	yyjson_val *models = yyjson_obj_get(yyjson_doc_get_root(doc), "models");
	int rc = 0;
	char close[512] = "";

	memset(out, 0, sizeof(*out));
	if (!yyjson_is_arr(models)) {
		fprintf(stderr, "tacit: cannot read the model catalog '%s'%s%s (set TACIT_CATALOG to its path)\n",
			path ? path : "?", doc ? ": no \"models\" list" : ": ", doc ? "" : err.msg ? err.msg : "");
		rc = tacit_status_exit_code(doc ? TACIT_ERR_FORMAT : TACIT_ERR_IO);
		goto out;
	}
	size_t i, n;
	yyjson_val *m;
	yyjson_arr_foreach(models, i, n, m) {
		const char *mid = yyjson_get_str(yyjson_obj_get(m, "id"));
		if (!mid)
			continue;
		if (!strcmp(mid, id)) {
			yyjson_val *urls = yyjson_obj_get(m, "urls");
			copy_field(out->id, sizeof(out->id), yyjson_obj_get(m, "id"));
			copy_field(out->file_name, sizeof(out->file_name), yyjson_obj_get(m, "file_name"));
			copy_field(out->url, sizeof(out->url), yyjson_arr_get_first(urls));
			copy_field(out->sha256, sizeof(out->sha256), yyjson_obj_get(m, "sha256"));
			copy_field(out->replaced_by, sizeof(out->replaced_by), yyjson_obj_get(m, "replaced_by"));
			if (yyjson_get_bool(yyjson_obj_get(m, "file_bytes_exact")))
				out->file_bytes = yyjson_get_uint(yyjson_obj_get(m, "file_bytes"));
			const char *status = yyjson_get_str(yyjson_obj_get(m, "status"));
			out->archived = status && !strcmp(status, "archived");
			if (!out->file_name[0] || strchr(out->file_name, '/') || out->file_name[0] == '.' || !out->url[0]) {
				fprintf(stderr, "tacit: catalog entry '%s' in '%s' lacks a plain file_name or a url\n", id,
					path);
				rc = tacit_status_exit_code(TACIT_ERR_FORMAT);
			}
			goto out;
		}
		size_t dist = edit_distance(id, mid), lid = strlen(id);
		if ((dist <= 2 || dist <= lid / 3 || (lid >= 3 && strstr(mid, id))) &&
		    strlen(close) + strlen(mid) + 3 < sizeof(close)) {
			strcat(close, close[0] ? ", " : "");
			strcat(close, mid);
		}
	}
	if (close[0])
		fprintf(stderr, "tacit: no model '%s' in the catalog (close: %s)\n", id, close);
	else
		fprintf(stderr, "tacit: no model '%s' in the catalog\n", id);
	rc = tacit_status_exit_code(TACIT_ERR_NOT_FOUND);
out:
	yyjson_doc_free(doc);
	free(path);
	return rc;
}
/* ---- end of the TEMPORARY catalog lookup ------------------------------------------- */

/* TACIT_DIR_DATA/models/<file_name> into *out (caller frees) */
static enum tacit_status model_path(const char *file_name, char **out)
{
	char *data = NULL;
	*out = NULL;
	enum tacit_status st = tacit_dir_path(TACIT_DIR_DATA, &data);
	if (st != TACIT_OK)
		return st;
	size_t len = strlen(data) + strlen(file_name) + 16;
	char *p = malloc(len);
	if (p) {
		snprintf(p, len, "%s/models", data);
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			fprintf(stderr, "tacit: cannot create directory '%s': %s\n", p, strerror(errno));
			free(p);
			tacit_free(data);
			return TACIT_ERR_IO;
		}
		snprintf(p, len, "%s/models/%s", data, file_name);
	}
	tacit_free(data);
	*out = p;
	return p ? TACIT_OK : TACIT_ERR_NOMEM;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct progress_state {
	const char *id;
	int json;
	int tty;
	int shown;
};

/* "1.4 GiB", "812.0 MiB": one decimal, so a bar moves visibly */
static const char *bar_bytes(double n, char *buf, size_t len)
{
	if (n >= 1073741824.0)
		snprintf(buf, len, "%.1f GiB", n / 1073741824.0);
	else
		snprintf(buf, len, "%.1f MiB", n / 1048576.0);
	return buf;
}

static void on_progress(uint64_t done, uint64_t total, double rate, void *user)
{
	struct progress_state *ps = user;
	char b1[32], b2[32], b3[32], speed[64] = "";
	if (ps->json) {
		printf("{\"event\":\"progress\",\"id\":\"%s\",\"bytes_done\":%llu,\"bytes_total\":%llu,\"bytes_per_s\":%.0f}\n",
		       ps->id, (unsigned long long)done, (unsigned long long)total, rate);
		fflush(stdout);
		return;
	}
	if (!ps->tty)
		return;
	if (rate > 0) {
		int n = snprintf(speed, sizeof(speed), "  %s/s", bar_bytes(rate, b3, sizeof(b3)));
		if (total && total >= done) {
			unsigned long long s = (unsigned long long)((double)(total - done) / rate);
			snprintf(speed + n, sizeof(speed) - (size_t)n, "  ETA %llu:%02llu:%02llu", s / 3600, s / 60 % 60,
				 s % 60);
		}
	}
	fprintf(stderr, "\r\033[K%s  %3d%%  %s / %s%s", ps->id, total ? (int)(done * 100 / total) : 0,
		bar_bytes((double)done, b1, sizeof(b1)), total ? bar_bytes((double)total, b2, sizeof(b2)) : "?", speed);
	ps->shown = 1;
}

static void print_json_event(const char *event, const char *id, const char *path, const char *sha,
			     unsigned long long bytes, enum tacit_status st)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	yyjson_mut_obj_add_str(doc, o, "event", event);
	yyjson_mut_obj_add_str(doc, o, "id", id);
	if (st == TACIT_OK) {
		yyjson_mut_obj_add_str(doc, o, "path", path);
		yyjson_mut_obj_add_uint(doc, o, "bytes", bytes);
		if (sha)
			yyjson_mut_obj_add_str(doc, o, "sha256", sha);
	} else {
		yyjson_mut_obj_add_str(doc, o, "status", tacit_status_str(st));
		yyjson_mut_obj_add_int(doc, o, "exit_code", tacit_status_exit_code(st));
		yyjson_mut_obj_add_str(doc, o, "message", tacit_errmsg());
	}
	char *text = yyjson_mut_write(doc, 0, NULL);
	if (text)
		printf("%s\n", text);
	free(text);
	yyjson_mut_doc_free(doc);
}

static int parse_int(const char *cmd, const char *opt, const char *v, int lo, int hi, int *out)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (!*v || *end || n < lo || n > hi)
		return cli_usage_error(cmd, "%s wants a number from %d to %d, not '%s'", opt, lo, hi, v);
	*out = (int)n;
	return 0;
}

static const char pull_usage[] =
	"usage: tacit pull [--json] [--retries N] [--stall-timeout S] [--connect-timeout S] NAME\n"
	"  downloads catalog model NAME into the models directory, resuming a partial download\n"
	"  --json               progress and result as JSON lines on stdout\n"
	"  --retries N          transient failures in a row before giving up (default 5)\n"
	"  --stall-timeout S    a transfer under 1 KiB/s for S seconds has stalled (default 60)\n"
	"  --connect-timeout S  give up connecting after S seconds (default 15)\n"
	"  TACIT_MODEL_MIRROR=URL fetches from a mirror: https://host/PATH becomes URL/PATH\n";

int cmd_pull(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "retries", required_argument, NULL, 'r' },
		{ "stall-timeout", required_argument, NULL, 's' },
		{ "connect-timeout", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct tacit_download_params p = tacit_download_default_params();
	struct progress_state ps = { 0 };
	struct tmp_entry e;
	int c, rc;
	char b1[32];

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ps.json = 1;
			break;
		case 'r':
			if ((rc = parse_int("pull", "--retries", optarg, 0, 100, &p.max_retries)))
				return rc;
			break;
		case 's':
			if ((rc = parse_int("pull", "--stall-timeout", optarg, 1, 3600, &p.stall_timeout_s)))
				return rc;
			break;
		case 'c':
			if ((rc = parse_int("pull", "--connect-timeout", optarg, 1, 600, &p.connect_timeout_s)))
				return rc;
			break;
		case 'h':
			fputs(pull_usage, stdout);
			return 0;
		default:
			return cli_usage_error("pull", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("pull", optind < argc ? "one model at a time" : "which model? (a catalog id)");
	if ((rc = tmp_catalog_lookup(argv[optind], &e)))
		return rc;

	char *dest = NULL, *sha = NULL;
	enum tacit_status st = model_path(e.file_name, &dest);
	if (st != TACIT_OK)
		return cli_fail(st);
	if (e.archived && access(dest, F_OK) != 0) {
		fprintf(stderr, "tacit: model '%s' is archived and no longer offered for download%s%s%s\n", e.id,
			e.replaced_by[0] ? " (pull '" : "", e.replaced_by, e.replaced_by[0] ? "' instead)" : "");
		free(dest);
		return tacit_status_exit_code(TACIT_ERR_NOT_FOUND);
	}

	struct sigaction sa, old_int, old_term;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	ps.id = e.id;
	ps.tty = isatty(2);
	p.url = e.url;
	p.dest = dest;
	p.expected_bytes = e.file_bytes;
	p.expected_sha256 = e.sha256[0] ? e.sha256 : NULL;
	p.progress = on_progress;
	p.progress_user = &ps;
	p.cancel = &interrupted;
	st = tacit_download(&p, &sha);

	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (ps.shown)
		fputc('\n', stderr);
	if (st != TACIT_OK) {
		if (ps.json)
			print_json_event("error", e.id, NULL, NULL, 0, st);
		rc = cli_fail(st);
	} else {
		struct stat s;
		unsigned long long bytes = stat(dest, &s) == 0 ? (unsigned long long)s.st_size : 0;
		if (ps.json)
			print_json_event("done", e.id, dest, sha, bytes, st);
		else
			printf("%s: ready at %s (%s, sha256 %.12s%s)\n", e.id, dest, cli_bytes(bytes, b1, sizeof(b1)),
			       sha, e.sha256[0] ? " verified" : ", recorded");
		rc = 0;
	}
	tacit_free(sha);
	free(dest);
	return rc;
}

static const char rm_usage[] = "usage: tacit rm [--json] NAME\n"
			       "  deletes model NAME's file, and any partial download of it\n";

int cmd_rm(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct tmp_entry e;
	int c, rc, json = 0;
	char b1[32];

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(rm_usage, stdout);
			return 0;
		default:
			return cli_usage_error("rm", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("rm", optind < argc ? "one model at a time" : "which model? (a catalog id)");
	if ((rc = tmp_catalog_lookup(argv[optind], &e)))
		return rc;
	char *dest = NULL;
	uint64_t freed = 0;
	enum tacit_status st = model_path(e.file_name, &dest);
	if (st == TACIT_OK)
		st = tacit_download_remove(dest, &freed);
	if (st == TACIT_ERR_NOT_FOUND) {
		fprintf(stderr, "tacit: model '%s' is not downloaded\n", e.id);
		rc = tacit_status_exit_code(st);
	} else if (st != TACIT_OK) {
		rc = cli_fail(st);
	} else {
		if (json)
			printf("{\"event\":\"removed\",\"id\":\"%s\",\"bytes_freed\":%llu}\n", e.id, (unsigned long long)freed);
		else
			printf("removed %s: %s freed\n", e.id, cli_bytes(freed, b1, sizeof(b1)));
		rc = 0;
	}
	free(dest);
	return rc;
}
