/*
 * cmd_ask_all.c — `tacit ask --all "QUESTION"`: one question asked of every stored
 * meeting (tacit_ask_all(): the search index picks the excerpts, the model answers from
 * them). Prints the answer with its [M12 S40] citations, then each cited line as a
 * source; --json prints the library's JSON. Called by cmd_ask when --all is given.
 */
#include "cli.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yyjson.h>

static volatile int cancel_flag;

static void on_sigint(int sig)
{
	(void)sig;
	__atomic_store_n((int *)&cancel_flag, 1, __ATOMIC_RELAXED);
	signal(SIGINT, SIG_DFL);
}

static const char usage_text[] =
	"usage: tacit ask --all QUESTION [--model NAME] [--top N] [--json] [--verbose]\n"
	"       [--since DATE] [--until DATE] [--speaker NAME] [--no-filters]\n"
	"       [--max-tokens N] [--ctx N] [--threads N] [--gpu-layers N]\n"
	"       [--embed NAME | --no-embed]\n"
	"  --all           ask every stored meeting: the search index picks the best lines\n"
	"                  (and their neighbours), the model answers from them citing\n"
	"                  meeting and segment as [M12 S40]; a citation of anything not\n"
	"                  retrieved is removed\n"
	"  --model NAME    a GGUF path, catalog id or custom model (default: the chosen\n"
	"                  one, else the best downloaded; TACIT_MODEL also sets it)\n"
	"  --top N         best-matching lines to read (1..64, default 12)\n"
	"  --since DATE    only meetings from DATE on; --until DATE: up to DATE, that day\n"
	"                  included. DATE: YYYY-MM-DD, or yesterday, last week, in March...\n"
	"  --speaker NAME  only lines by NAME (a speaker's name or label, any case)\n"
	"                  Without these the question's own words filter: \"last week\",\n"
	"                  \"in March\", \"yesterday\", \"what did Alice say\"\n"
	"  --no-filters    read dates and names in the question as plain words\n"
	"  --embed NAME    search by meaning too, with this text-embedding model (default:\n"
	"                  the downloaded one, if any: 'tacit pull granite-embedding-30m');\n"
	"                  lines not indexed yet are indexed first ('tacit index')\n"
	"  --no-embed      search by the question's words only\n"
	"  --json          the answer, its checked citations and the excerpts read, as JSON\n"
	"  --verbose       show how many excerpts and tokens the model read\n"
	"  --max-tokens N  longest answer (default 512, or a quarter of a smaller context)\n"
	"  --ctx N         context (default: the model's, at most 8192)\n";

static void print_answer(const char *json)
{
	yyjson_doc *d = yyjson_read(json, strlen(json), 0);
	yyjson_val *root = yyjson_doc_get_root(d), *v;
	size_t i, n;
	char clock[32];
	printf("%s\n", yyjson_get_str(yyjson_obj_get(root, "answer")) ? yyjson_get_str(yyjson_obj_get(root, "answer")) : "");
	yyjson_val *cites = yyjson_obj_get(root, "cites");
	if (yyjson_arr_size(cites))
		printf("\nsources:\n");
	yyjson_arr_foreach(cites, i, n, v)
	{
		const char *who = yyjson_get_str(yyjson_obj_get(v, "speaker"));
		printf("  [M%lld S%lld] meeting %lld at %s, %s%s%s\n", (long long)yyjson_get_sint(yyjson_obj_get(v, "meeting")),
		       (long long)yyjson_get_sint(yyjson_obj_get(v, "segment")),
		       (long long)yyjson_get_sint(yyjson_obj_get(v, "meeting")),
		       cli_clock(yyjson_get_sint(yyjson_obj_get(v, "start_ms")), clock, sizeof(clock)), who ? who : "",
		       who && *who ? ": " : "", yyjson_get_str(yyjson_obj_get(v, "text")));
	}
	if (!yyjson_get_bool(yyjson_obj_get(root, "grounded")))
		fprintf(stderr, "note: the answer cites none of the meetings' lines; check it with 'tacit search'\n");
	const char *filtered = yyjson_get_str(yyjson_obj_get(yyjson_obj_get(root, "filters"), "described"));
	if (filtered && *filtered)
		fprintf(stderr, "note: read only %s\n", filtered);
	if (yyjson_get_int(yyjson_obj_get(root, "dropped")))
		fprintf(stderr, "note: %d citation(s) named lines the model was not given and were removed\n",
			yyjson_get_int(yyjson_obj_get(root, "dropped")));
	yyjson_doc_free(d);
}

int cmd_ask_all(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },           { "model", required_argument, NULL, 'm' },
		{ "top", required_argument, NULL, 'k' },     { "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },       { "max-tokens", required_argument, NULL, 'n' },
		{ "ctx", required_argument, NULL, 'c' },     { "threads", required_argument, NULL, 't' },
		{ "gpu-layers", required_argument, NULL, 'g' }, { "help", no_argument, NULL, 'h' },
		{ "since", required_argument, NULL, 'S' },   { "until", required_argument, NULL, 'U' },
		{ "speaker", required_argument, NULL, 'P' }, { "no-filters", no_argument, NULL, 'N' },
		{ "embed", required_argument, NULL, 'e' },   { "no-embed", no_argument, NULL, 'E' },
		{ 0, 0, 0, 0 },
	};
	struct tacit_ask_all_params ap = tacit_ask_all_default_params();
	struct tacit_llm_params lp = tacit_llm_default_params();
	struct tacit_store *store = NULL;
	struct tacit_llm *llm = NULL;
	const char *model_name = getenv("TACIT_MODEL"), *embed_name = NULL;
	char *json = NULL, *embed_path = NULL;
	bool no_embed = false;
	bool json_out = false;
	int c, rc = 0, verbose = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			break;
		case 'm':
			model_name = optarg;
			break;
		case 'k':
			if ((rc = cli_int_option("ask", "--top", optarg, 1, 64, &ap.top_k)))
				return rc;
			break;
		case 'j':
			json_out = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'n':
			if ((rc = cli_int_option("ask", "--max-tokens", optarg, 1, 1 << 16, &ap.max_tokens)))
				return rc;
			break;
		case 'c':
			if ((rc = cli_int_option("ask", "--ctx", optarg, 0, 1 << 24, &lp.n_ctx)))
				return rc;
			break;
		case 't':
			if ((rc = cli_int_option("ask", "--threads", optarg, 0, 1024, &lp.n_threads)))
				return rc;
			break;
		case 'g':
			if ((rc = cli_int_option("ask", "--gpu-layers", optarg, -1, 1 << 16, &lp.n_gpu_layers)))
				return rc;
			break;
		case 'S':
		case 'U': {
			int64_t from = 0, to = 0;
			if (tacit_date_parse(optarg, 0, &from, &to) != TACIT_OK)
				return cli_usage_error("ask", "%s %s", c == 'S' ? "--since" : "--until", tacit_errmsg());
			if (c == 'S')
				ap.since_ms = from;
			else
				ap.until_ms = to ? to : from; /* the span's last day included */
			break;
		}
		case 'P':
			ap.speaker = optarg;
			break;
		case 'N':
			ap.ignore_question_filters = true;
			break;
		case 'e':
			embed_name = optarg;
			break;
		case 'E':
			no_embed = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_option_error("ask", c, argv);
		}
	}
	if (argc - optind < 1)
		return cli_usage_error("ask", "--all needs a question: tacit ask --all \"what did we decide?\"");
	if (argc - optind > 1)
		return cli_usage_error("ask", "--all takes the question only (no meeting); quote it: tacit ask --all \"%s %s\"",
				       argv[optind], argv[optind + 1]);
	const char *question = argv[optind];
	if (!*question)
		return cli_usage_error("ask", "the question is empty");
	if (verbose)
		cli_log_to_stderr(verbose > 1 ? TACIT_LOG_DEBUG : TACIT_LOG_INFO);
	enum tacit_status st = tacit_store_open(NULL, &store);
	if (st != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	if (no_embed && embed_name) {
		rc = cli_usage_error("ask", "--embed and --no-embed: choose one");
		goto out;
	}
	struct cli_model need = { TACIT_MODEL_LLM, model_name, "--model", NULL, NULL };
	if ((rc = cli_models_resolve("ask", &need, 1)))
		goto out;
	if (!no_embed && (rc = cli_index_for_search("ask", store, embed_name, lp.n_threads, json_out, &embed_path))) {
		fprintf(stderr, "note: 'tacit ask --all --no-embed' searches by the question's words only\n");
		tacit_free(need.path);
		goto out;
	}
	ap.embed_model = embed_path;
	ap.embed_threads = lp.n_threads;
	lp.model_path = need.path;
	signal(SIGINT, on_sigint);
	ap.cancel = &cancel_flag;
	st = tacit_llm_open(&lp, &llm);
	if (st == TACIT_OK)
		st = tacit_ask_all(store, llm, question, &ap, &json);
	tacit_free(need.path);
	if (st != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	if (json_out)
		printf("%s\n", json);
	else
		print_answer(json);
out:
	tacit_free(embed_path);
	tacit_free(json);
	tacit_llm_close(llm);
	tacit_store_close(store);
	return rc;
}
