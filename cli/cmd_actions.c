/*
 * cmd_actions.c — `tacit actions`: every action item across meetings (owner, task, due
 * date when stated, the meeting), filtered by --open, --owner and --since; `tacit
 * actions done ID` marks one done (`--undo` opens it again). The ids stay the same when a
 * summary is made again with the same item text (see tacit_store_actions()).
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yyjson.h>

struct listing {
	bool json;
	size_t n;
	yyjson_mut_doc *doc;
	yyjson_mut_val *arr;
};

static const char *day(int64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (!localtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%d", &tm))
		snprintf(buf, n, "?");
	return buf;
}

static bool show(const struct tacit_action *a, void *user)
{
	struct listing *l = user;
	char date[32];
	l->n++;
	if (l->json) {
		yyjson_mut_doc *d = l->doc;
		yyjson_mut_val *o = yyjson_mut_arr_add_obj(d, l->arr);
		yyjson_mut_obj_add_int(d, o, "id", a->id);
		yyjson_mut_obj_add_strcpy(d, o, "owner", a->owner);
		yyjson_mut_obj_add_strcpy(d, o, "task", a->task);
		yyjson_mut_obj_add_strcpy(d, o, "due", a->due);
		yyjson_mut_obj_add_bool(d, o, "done", a->done_ms != 0);
		if (a->done_ms)
			yyjson_mut_obj_add_int(d, o, "done_ms", a->done_ms);
		yyjson_mut_obj_add_int(d, o, "session", a->session_id);
		yyjson_mut_obj_add_strcpy(d, o, "title", a->session_title);
		yyjson_mut_obj_add_strcpy(d, o, "date", day(a->session_started_ms, date, sizeof(date)));
		yyjson_mut_val *c = yyjson_mut_obj_add_arr(d, o, "cites");
		for (size_t i = 0; i < a->n_cites; i++)
			yyjson_mut_arr_add_int(d, c, a->cites[i]);
		return true;
	}
	printf("%4lld [%c] %s%s%s", (long long)a->id, a->done_ms ? 'x' : ' ', *a->owner ? a->owner : "",
	       *a->owner ? ": " : "", a->task);
	if (*a->due)
		printf(" (due %s)", a->due);
	printf("  - meeting %lld \"%s\", %s\n", (long long)a->session_id, a->session_title,
	       day(a->session_started_ms, date, sizeof(date)));
	return true;
}

/* YYYY-MM-DD, local midnight, as Unix ms. */
static bool parse_date(const char *s, int64_t *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *end = strptime(s, "%Y-%m-%d", &tm);
	if (!end || *end)
		return false;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	if (t == (time_t)-1)
		return false;
	*out = (int64_t)t * 1000;
	return true;
}

static int mark(int argc, char **argv, int first)
{
	bool undo = false;
	const char *id_text = NULL;
	for (int i = first; i < argc; i++) {
		if (!strcmp(argv[i], "--undo"))
			undo = true;
		else if (argv[i][0] == '-')
			return cli_usage_error("actions", "unknown option '%s'", argv[i]);
		else if (id_text)
			return cli_usage_error("actions", "unexpected argument '%s'", argv[i]);
		else
			id_text = argv[i];
	}
	char *end;
	long long id = id_text ? strtoll(id_text, &end, 10) : 0;
	if (!id_text || !*id_text || *end || id < 1)
		return cli_usage_error("actions", "'done' needs the id of an action item (the first column of 'tacit actions')");
	struct tacit_store *store = NULL;
	enum tacit_status st = tacit_store_open(NULL, &store);
	if (st == TACIT_OK)
		st = tacit_store_action_done(store, id, !undo);
	tacit_store_close(store);
	if (st != TACIT_OK)
		return cli_fail(st);
	fprintf(stderr, "tacit: action item %lld is %s\n", id, undo ? "open again" : "done");
	return 0;
}

int cmd_actions(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "open", no_argument, NULL, 'o' },	   { "owner", required_argument, NULL, 'w' },
		{ "since", required_argument, NULL, 's' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },	   { 0, 0, 0, 0 },
	};
	struct tacit_action_params p = tacit_action_default_params();
	struct listing l = { 0 };
	struct tacit_store *store = NULL;
	int c, rc = 0;

	if (argc > 1 && !strcmp(argv[1], "done"))
		return mark(argc, argv, 2);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			p.open_only = true;
			break;
		case 'w':
			p.owner = optarg;
			break;
		case 's':
			if (!parse_date(optarg, &p.since_ms))
				return cli_usage_error("actions", "--since needs a date like 2026-03-31, not '%s'", optarg);
			break;
		case 'j':
			l.json = true;
			break;
		case 'h':
			printf("usage: tacit actions [--open] [--owner NAME] [--since DATE] [--json]\n"
			       "       tacit actions done ID [--undo]\n"
			       "  every action item of every meeting's summaries: id, [x] when done, owner,\n"
			       "  task, due date when one was said, and the meeting\n"
			       "  --open          only the items not done\n"
			       "  --owner NAME    only this owner's (any case)\n"
			       "  --since DATE    only meetings from this day on (YYYY-MM-DD)\n"
			       "  --json          one JSON array\n"
			       "  done ID         mark item ID done (--undo: open again); an item keeps its id\n"
			       "                  and mark when a summary is made again with the same text\n");
			return 0;
		default:
			return cli_option_error("actions", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("actions", "unexpected argument '%s'", argv[optind]);
	enum tacit_status st = tacit_store_open(NULL, &store);
	if (l.json) {
		l.doc = yyjson_mut_doc_new(NULL);
		l.arr = yyjson_mut_arr(l.doc);
		yyjson_mut_doc_set_root(l.doc, l.arr);
	}
	if (st == TACIT_OK)
		st = tacit_store_actions(store, &p, show, &l);
	if (st != TACIT_OK) {
		rc = cli_fail(st);
	} else if (l.json) {
		char *text = yyjson_mut_write(l.doc, 0, NULL);
		printf("%s\n", text ? text : "[]");
		free(text);
	} else if (!l.n) {
		fprintf(stderr, "tacit: no action items%s (summarize a meeting: 'tacit summarize ID')\n",
			p.open_only || p.owner || p.since_ms ? " match" : "");
	}
	yyjson_mut_doc_free(l.doc);
	tacit_store_close(store);
	return rc;
}
