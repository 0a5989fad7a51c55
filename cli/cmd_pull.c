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

/* The catalog entry named id (or its display name, in any case), from the catalog (built in, or TACIT_CATALOG). On failure
 * returns the exit code after saying why (with close names for a typo); *cat must be
 * freed by the caller either way. */
static int catalog_lookup(const char *id, struct tacit_catalog **cat, const struct tacit_model_info **out)
{
	char close[512] = "";
	enum tacit_status st = tacit_catalog_load(cat);
	*out = NULL;
	if (st != TACIT_OK)
		return cli_fail(st);
	if ((*out = tacit_catalog_lookup(*cat, id))) {
		if (strcmp((*out)->id, id) != 0)
			fprintf(stderr, "tacit: '%s' is catalog model '%s'\n", id, (*out)->id);
		return 0;
	}
	for (size_t i = 0; i < tacit_catalog_count(*cat); i++) {
		const char *mid = tacit_catalog_get(*cat, i)->id;
		size_t dist = cli_edit_distance(id, mid), lid = strlen(id);
		if ((dist <= 2 || dist <= lid / 3 || (lid >= 3 && strstr(mid, id))) &&
		    strlen(close) + strlen(mid) + 3 < sizeof(close)) {
			strcat(close, close[0] ? ", " : "");
			strcat(close, mid);
		}
	}
	if (close[0])
		fprintf(stderr, "tacit: no model '%s' in the catalog (close: %s)\n", id, close);
	else
		fprintf(stderr, "tacit: no model '%s' in the catalog ('tacit models' lists it; a custom model is "
				"forgotten with 'tacit forget')\n",
			id);
	return tacit_status_exit_code(TACIT_ERR_NOT_FOUND);
}

/* <models dir>/<file_name> into *out (caller frees) */
static enum tacit_status model_path(const char *file_name, char **out)
{
	char *dir = NULL;
	*out = NULL;
	enum tacit_status st = tacit_models_dir(&dir);
	if (st != TACIT_OK)
		return st;
	size_t len = strlen(dir) + strlen(file_name) + 2;
	char *p = malloc(len);
	if (p)
		snprintf(p, len, "%s/%s", dir, file_name);
	tacit_free(dir);
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

static const char pull_usage[] =
	"usage: tacit pull [--json] [--retries N] [--stall-timeout S] [--connect-timeout S] NAME\n"
	"  downloads catalog model NAME (its id, or its name as 'tacit models' shows it, in any\n"
	"  case: 'Qwen 3.5 9B') into the models directory, resuming a partial download\n"
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
	struct tacit_catalog *cat = NULL;
	const struct tacit_model_info *e;
	int c, rc;
	char b1[32];

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ps.json = 1;
			break;
		case 'r':
			if ((rc = cli_int_option("pull", "--retries", optarg, 0, 100, &p.max_retries)))
				return rc;
			break;
		case 's':
			if ((rc = cli_int_option("pull", "--stall-timeout", optarg, 1, 3600, &p.stall_timeout_s)))
				return rc;
			break;
		case 'c':
			if ((rc = cli_int_option("pull", "--connect-timeout", optarg, 1, 600, &p.connect_timeout_s)))
				return rc;
			break;
		case 'h':
			fputs(pull_usage, stdout);
			return 0;
		default:
			return cli_option_error("pull", c, argv);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("pull", optind < argc ? "one model at a time" : "which model? (a catalog id)");
	if ((rc = catalog_lookup(argv[optind], &cat, &e))) {
		tacit_catalog_free(cat);
		return rc;
	}

	char *dest = NULL, *sha = NULL;
	enum tacit_status st = model_path(e->file_name, &dest);
	if (st != TACIT_OK) {
		tacit_catalog_free(cat);
		return cli_fail(st);
	}
	if (e->archived && access(dest, F_OK) != 0) {
		fprintf(stderr, "tacit: model '%s' is archived and no longer offered for download (pull '%s' instead)\n",
			e->id, e->replaced_by);
		free(dest);
		tacit_catalog_free(cat);
		return tacit_status_exit_code(TACIT_ERR_NOT_FOUND);
	}

	struct sigaction sa, old_int, old_term;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	ps.id = e->id;
	ps.tty = isatty(2);
	p.url = e->url;
	p.dest = dest;
	p.expected_bytes = e->file_bytes_exact ? e->file_bytes : 0; /* else the sha256 alone decides */
	p.expected_sha256 = e->sha256;
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
			print_json_event("error", e->id, NULL, NULL, 0, st);
		rc = cli_fail(st);
	} else {
		struct stat s;
		unsigned long long bytes = stat(dest, &s) == 0 ? (unsigned long long)s.st_size : 0;
		if (ps.json)
			print_json_event("done", e->id, dest, sha, bytes, st);
		else
			printf("%s: ready at %s (%s, sha256 %.12s%s)\n", e->id, dest, cli_bytes(bytes, b1, sizeof(b1)),
			       sha, e->sha256 ? " verified" : ", recorded");
		rc = 0;
	}
	tacit_free(sha);
	free(dest);
	tacit_catalog_free(cat);
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
	struct tacit_catalog *cat = NULL;
	const struct tacit_model_info *e;
	int c, rc, json = 0;
	char b1[32];

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(rm_usage, stdout);
			return 0;
		default:
			return cli_option_error("rm", c, argv);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("rm", optind < argc ? "one model at a time" : "which model? (a catalog id)");
	if ((rc = catalog_lookup(argv[optind], &cat, &e))) {
		tacit_catalog_free(cat);
		return rc;
	}
	char *dest = NULL;
	uint64_t freed = 0;
	enum tacit_status st = model_path(e->file_name, &dest);
	if (st == TACIT_OK)
		st = tacit_download_remove(dest, &freed);
	if (st == TACIT_ERR_NOT_FOUND) {
		fprintf(stderr, "tacit: model '%s' is not downloaded\n", e->id);
		rc = tacit_status_exit_code(st);
	} else if (st != TACIT_OK) {
		rc = cli_fail(st);
	} else {
		if (json)
			printf("{\"event\":\"removed\",\"id\":\"%s\",\"bytes_freed\":%llu}\n", e->id,
			       (unsigned long long)freed);
		else
			printf("removed %s: %s freed%s\n", e->id, cli_bytes(freed, b1, sizeof(b1)),
			       e->archived ? " (archived: it is no longer listed)" : "");
		rc = 0;
	}
	free(dest);
	tacit_catalog_free(cat);
	return rc;
}
