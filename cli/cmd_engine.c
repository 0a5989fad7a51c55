/*
 * cmd_engine.c — `tacit engine`: shows where the language model and speech run, and sets
 * them (the per-device settings engine.llm.* and, with --asr, engine.asr.*). Only this command, --engine on one task, or a
 * program using the library ever sends a transcript to another machine; the API key is
 * never a setting, only the name of the file that holds it.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: tacit engine [--asr] [local | URL] [--model NAME] [--key-file FILE]\n"
	"                    [--ca-file FILE] [--timeout SECONDS]\n"
	"  Without arguments: where the language model runs (summaries, notes, answers),\n"
	"  and where speech is transcribed.\n"
	"  --asr           set the speech engine (engine.asr) instead: whisper.cpp's\n"
	"                  whisper-server or an OpenAI-style /v1/audio/transcriptions server;\n"
	"                  recordings (transcribe, import, batch) go to that host, and so\n"
	"                  does each ended utterance of a live meeting (no partials then)\n"
	"  local           on this device (the default): nothing leaves it\n"
	"  URL             an OpenAI-compatible server, http:// or https:// (llama-server, vLLM,\n"
	"                  Ollama, LM Studio): meeting transcripts go to that host, and\n"
	"                  nowhere else; a failure there is an error, never retried here\n"
	"  --model NAME    the server's model (default: the first it lists)\n"
	"  --key-file FILE a file holding the API key (else TACIT_ENGINE_KEY); the key itself\n"
	"                  is never stored\n"
	"  --ca-file FILE  CA certificates (PEM) to verify an https server with\n"
	"  --timeout S     seconds without a byte from the server before it failed (300)\n"
	"  An empty value (--model '') removes that setting.\n";

static int engine_of(const char *cmd, const char *kind, const char *url, struct tacit_engine *out)
{
	struct tacit_store *store = NULL;
	enum tacit_status st = tacit_store_open(NULL, &store);
	if (st == TACIT_OK)
		st = tacit_engine_from_settings(store, kind, out);
	tacit_store_close(store);
	if (st != TACIT_OK)
		return cli_fail(st);
	if (url && tacit_engine_set_url(out, url) != TACIT_OK)
		return cli_usage_error(cmd, "%s", tacit_errmsg());
	return 0;
}

int cli_engine(const char *cmd, const char *url, struct tacit_engine *out)
{
	return engine_of(cmd, "llm", url, out);
}

int cli_asr_engine(const char *cmd, const char *url, struct tacit_engine *out)
{
	return engine_of(cmd, "asr", url, out);
}

static int set(struct tacit_store *store, const char *key, const char *value)
{
	enum tacit_status st = tacit_store_setting_set(store, key, value && *value ? value : NULL);
	return st == TACIT_OK ? 0 : cli_fail(st);
}

/* One engine's lines: where, and for a remote one the URL, key source, CA and timeout. */
static void show(const struct tacit_engine *e, const char *what, const char *promise)
{
	char where[700];
	tacit_engine_describe(e, where, sizeof(where));
	printf("%s: %s\n", what, where);
	if (!tacit_engine_is_remote(e))
		return;
	printf("  url       %s\n", e->url);
	printf("  api key   %s\n", e->key_file[0] ? e->key_file : getenv("TACIT_ENGINE_KEY") ? "from TACIT_ENGINE_KEY" : "none");
	if (e->ca_file[0])
		printf("  ca file   %s\n", e->ca_file);
	printf("  timeout   %d s\n", e->timeout_s ? e->timeout_s : 300);
	printf("%s\n", promise);
}

int cmd_engine(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },   { "key-file", required_argument, NULL, 'k' },
		{ "ca-file", required_argument, NULL, 'a' }, { "timeout", required_argument, NULL, 't' },
		{ "asr", no_argument, NULL, 's' },           { "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *model = NULL, *key_file = NULL, *ca_file = NULL, *timeout = NULL;
	struct tacit_store *store = NULL;
	struct tacit_engine e = tacit_engine_default();
	enum tacit_status st;
	char key[64], *abs_key = NULL, *abs_ca = NULL;
	const char *kind = "llm";
	int c, rc = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			model = optarg;
			break;
		case 'k':
			key_file = optarg;
			break;
		case 'a':
			ca_file = optarg;
			break;
		case 't': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (!*optarg || *end || v < 1 || v > 86400)
				return cli_usage_error("engine", "--timeout needs seconds from 1 to 86400, not '%s'", optarg);
			timeout = optarg;
			break;
		}
		case 's':
			kind = "asr";
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_option_error("engine", c, argv);
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("engine", "unexpected argument '%s'", argv[optind + 1]);
	if (optind < argc && (st = tacit_engine_set_url(&e, argv[optind])) != TACIT_OK)
		return cli_usage_error("engine", "%s", tacit_errmsg());
	/* files are kept by absolute path: a later command runs from anywhere */
	if ((key_file && *key_file && !(abs_key = realpath(key_file, NULL))) ||
	    (ca_file && *ca_file && !(abs_ca = realpath(ca_file, NULL)))) {
		rc = cli_usage_error("engine", "cannot find '%s'", abs_key || !key_file ? ca_file : key_file);
		goto out;
	}
	if ((st = tacit_store_open(NULL, &store)) != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	snprintf(key, sizeof(key), "engine.%s", kind);
	if (optind < argc)
		rc = set(store, key, tacit_engine_is_remote(&e) ? e.url : "local");
	snprintf(key, sizeof(key), "engine.%s.model", kind);
	if (!rc && model)
		rc = set(store, key, model);
	snprintf(key, sizeof(key), "engine.%s.key_file", kind);
	if (!rc && key_file)
		rc = set(store, key, abs_key ? abs_key : "");
	snprintf(key, sizeof(key), "engine.%s.ca_file", kind);
	if (!rc && ca_file)
		rc = set(store, key, abs_ca ? abs_ca : "");
	snprintf(key, sizeof(key), "engine.%s.timeout_s", kind);
	if (!rc && timeout)
		rc = set(store, key, timeout);
	if (rc)
		goto out;
	bool asr = !strcmp(kind, "asr"), changed = optind < argc || model || key_file || ca_file || timeout;
	if (!asr || !changed) { /* the language model, unless only speech was set */
		if ((st = tacit_engine_from_settings(store, "llm", &e)) != TACIT_OK) {
			rc = cli_fail(st);
			goto out;
		}
		show(&e, "language model", "Meeting transcripts go to this host for summaries, notes and answers "
					   "('tacit engine local' keeps them here).");
	}
	if (asr || !changed) {
		if ((st = tacit_engine_from_settings(store, "asr", &e)) != TACIT_OK) {
			rc = cli_fail(st);
			goto out;
		}
		show(&e, "speech", "Recordings and live meetings' ended utterances go to this host to be "
				   "transcribed ('tacit engine --asr local' keeps them here).");
	}
out:
	free(abs_key);
	free(abs_ca);
	tacit_store_close(store);
	return rc;
}
