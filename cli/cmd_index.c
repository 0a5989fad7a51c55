/*
 * cmd_index.c — `tacit index`: every meeting's lines get vectors from the embedding model
 * (tacit_index()), for search by meaning in `tacit ask --all`; and cli_index_for_search(),
 * which `ask --all` calls first so that the lines of meetings added since are searched
 * by meaning too. Indexing is resumable: Ctrl-C keeps what was done.
 */
#include "cli.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int index_cancel;

static void on_sigint(int sig)
{
	(void)sig;
	__atomic_store_n((int *)&index_cancel, 1, __ATOMIC_RELAXED);
	signal(SIGINT, SIG_DFL);
}

static const char usage_text[] =
	"usage: tacit index [--embed NAME] [--threads N] [--json]\n"
	"Gives every line of every meeting a vector from the text-embedding model, so that\n"
	"'tacit ask --all' finds lines by meaning as well as by their words (a line about\n"
	"\"the vendor\" for a question about \"the supplier\"). Only lines without one are\n"
	"done: run it any time; Ctrl-C keeps what was done. 'tacit ask --all' runs it itself\n"
	"first when an embedding model is downloaded ('tacit pull granite-embedding-30m').\n"
	"  --embed NAME   the embedding model: a GGUF path or catalog id (default: the\n"
	"                 setting model.embed, else the downloaded one)\n"
	"  --threads N    CPU threads (default: the cores)\n"
	"  --json         progress as JSON lines on stderr, and {\"indexed\":N} on stdout\n";

struct progress_ctx {
	struct cli_progress *p;
	bool started;
};

static void on_progress(int64_t done, int64_t total, void *user)
{
	struct progress_ctx *c = user;
	if (!c->started) {
		cli_progress_phase(c->p, "index", total);
		c->started = true;
	}
	cli_progress_count(c->p, "index", done, total);
}

/* Indexes with model at path; the exit code. */
static int run_index(struct tacit_store *store, const char *path, int threads, bool json, long long *n)
{
	struct tacit_index_params ip = tacit_index_default_params();
	struct cli_progress prog;
	struct progress_ctx ctx = { &prog, false };
	int64_t done = 0;
	ip.embed_model = path;
	ip.n_threads = threads;
	ip.on_progress = on_progress;
	ip.user = &ctx;
	ip.cancel = &index_cancel;
	cli_progress_start(&prog, json);
	void (*old)(int) = signal(SIGINT, on_sigint);
	enum tacit_status st = tacit_index(store, &ip, &done);
	signal(SIGINT, old);
	cli_progress_stop(&prog);
	*n = done;
	return st == TACIT_OK ? 0 : cli_fail(st);
}

int cli_index_for_search(const char *cmd, struct tacit_store *store, const char *named, int threads, bool json,
			 char **path)
{
	long long n = 0;
	*path = NULL;
	if (!named) {
		/* none downloaded and none chosen: search by words, as without the feature */
		if (tacit_model_resolve(TACIT_MODEL_EMBED, NULL, path) != TACIT_OK) {
			*path = NULL;
			return 0;
		}
	} else {
		struct cli_model need = { TACIT_MODEL_EMBED, named, "--embed", NULL, NULL };
		int rc = cli_models_resolve(cmd, &need, 1);
		if (rc)
			return rc;
		*path = need.path;
	}
	int rc = run_index(store, *path, threads, json, &n);
	if (rc) {
		tacit_free(*path);
		*path = NULL;
	}
	return rc;
}

int cmd_index(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "embed", required_argument, NULL, 'e' }, { "threads", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },        { "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *named = NULL;
	struct tacit_store *store = NULL;
	bool json = false;
	int c, rc = 0, threads = 0;
	long long n = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			named = optarg;
			break;
		case 't':
			if ((rc = cli_int_option("index", "--threads", optarg, 0, 1024, &threads)))
				return rc;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_option_error("index", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("index", "takes no argument ('%s'): it indexes every meeting", argv[optind]);
	struct cli_model need = { TACIT_MODEL_EMBED, named, "--embed", NULL, NULL };
	if ((rc = cli_models_resolve("index", &need, 1)))
		return rc;
	enum tacit_status st = tacit_store_open(NULL, &store);
	if (st != TACIT_OK) {
		tacit_free(need.path);
		return cli_fail(st);
	}
	rc = run_index(store, need.path, threads, json, &n);
	if (!rc) {
		if (json)
			printf("{\"indexed\":%lld}\n", n);
		else
			printf("%lld line(s) indexed for search by meaning with %s\n", n, need.path);
	}
	tacit_free(need.path);
	tacit_store_close(store);
	return rc;
}
