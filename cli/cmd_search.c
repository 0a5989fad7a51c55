/*
 * cmd_search.c — `tacit search QUERY`: full-text search across every meeting, with the
 * meeting, the time and the speaker of each hit and the matched words in [brackets].
 */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yyjson.h>

static const char usage_text[] =
	"usage: tacit search [--speaker NAME] [--session ID] [--limit N] [--json] QUERY\n"
	"  QUERY: words (all must appear; 'budgets' also finds 'budget'), \"a phrase\", prefix*,\n"
	"         OR, NOT, parentheses\n"
	"  --speaker NAME  only what this speaker said (label or given name)\n"
	"  --session ID    only this meeting\n"
	"  --limit N       at most N hits (default 20)\n"
	"  --json          hits as a JSON array\n";

struct hits {
	yyjson_mut_doc *doc;
	yyjson_mut_val *arr;
	int n;
};

static bool print_hit(const struct tacit_search_hit *h, void *user)
{
	struct hits *c = user;
	char clock[32];
	c->n++;
	if (c->doc) {
		yyjson_mut_val *o = yyjson_mut_arr_add_obj(c->doc, c->arr);
		yyjson_mut_obj_add_int(c->doc, o, "session_id", h->session_id);
		yyjson_mut_obj_add_strcpy(c->doc, o, "session_title", h->session_title);
		yyjson_mut_obj_add_int(c->doc, o, "segment_id", h->segment_id);
		yyjson_mut_obj_add_int(c->doc, o, "start_ms", h->start_ms);
		yyjson_mut_obj_add_int(c->doc, o, "end_ms", h->end_ms);
		yyjson_mut_obj_add_strcpy(c->doc, o, "speaker", h->speaker);
		yyjson_mut_obj_add_strcpy(c->doc, o, "snippet", h->snippet);
		return true;
	}
	printf("%" PRId64 " %s [%s] %s%s%s\n", h->session_id, h->session_title, cli_clock(h->start_ms, clock, sizeof(clock)),
	       h->speaker, *h->speaker ? ": " : "", h->snippet);
	return true;
}

int cmd_search(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "speaker", required_argument, NULL, 's' }, { "session", required_argument, NULL, 'S' },
		{ "limit", required_argument, NULL, 'l' },   { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },          { 0, 0, 0, 0 },
	};
	struct tacit_search_params p = tacit_search_default_params();
	struct tacit_store *s;
	struct hits hits = { 0 };
	bool json = false;
	char *end;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			p.speaker = optarg;
			break;
		case 'S':
			if (!cli_session_id("search", optarg, &p.session_id))
				return EXIT_USAGE;
			break;
		case 'l':
			p.limit = (int)strtol(optarg, &end, 10);
			if (*end || p.limit <= 0 || p.limit > 100000)
				return cli_usage_error("search", "--limit wants a number from 1 to 100000, not '%s'", optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_option_error("search", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("search", "missing the query");
	if (argc - optind > 1)
		return cli_usage_error("search", "one query only; quote it: tacit search \"%s %s\"", argv[optind],
				       argv[optind + 1]);
	enum tacit_status st = tacit_store_open(NULL, &s);
	if (st != TACIT_OK)
		return cli_fail(st);
	if (json) {
		hits.doc = yyjson_mut_doc_new(NULL);
		hits.arr = yyjson_mut_arr(hits.doc);
		yyjson_mut_doc_set_root(hits.doc, hits.arr);
	}
	st = tacit_store_search(s, argv[optind], &p, print_hit, &hits);
	tacit_store_close(s);
	if (st == TACIT_ERR_USAGE) {
		yyjson_mut_doc_free(hits.doc);
		return cli_usage_error("search", "%s", tacit_errmsg());
	}
	if (st != TACIT_OK) {
		yyjson_mut_doc_free(hits.doc);
		return cli_fail(st);
	}
	if (json) {
		char *text = yyjson_mut_write(hits.doc, YYJSON_WRITE_PRETTY_TWO_SPACES | YYJSON_WRITE_ALLOW_INVALID_UNICODE, NULL);
		yyjson_mut_doc_free(hits.doc);
		if (!text)
			return cli_fail(TACIT_ERR_NOMEM);
		printf("%s\n", text);
		free(text);
	} else if (!hits.n) {
		fprintf(stderr, "no matches for '%s'\n", argv[optind]);
	}
	return 0;
}
