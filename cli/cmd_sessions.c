/*
 * cmd_sessions.c — the meeting history: `tacit sessions`, `tacit show ID`,
 * `tacit rename ID TITLE` and `tacit delete ID`. Each opens the default store (under
 * TACIT_HOME or the XDG data dir) for the length of the command.
 */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <yyjson.h>

bool cli_session_id(const char *cmd, const char *arg, int64_t *out)
{
	char *end;
	long long v = strtoll(arg, &end, 10);
	if (!*arg || *end || v <= 0) {
		cli_usage_error(cmd, "'%s' is not a session id (see 'tacit sessions')", arg);
		return false;
	}
	*out = v;
	return true;
}

const char *cli_clock(int64_t ms, char *buf, unsigned len)
{
	long long s = ms / 1000;
	snprintf(buf, len, "%02lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
	return buf;
}

static const char *local_date(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
	return buf;
}

/* Parses "--json" and "--help" and exactly n_args positional arguments. Returns -1 to
 * go on, else the exit code. */
static int parse_simple(int argc, char **argv, const char *cmd, const char *usage, int n_args, bool *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		if (c == 'j' && json) {
			*json = true;
		} else if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		} else {
			return cli_option_error(cmd, c, argv);
		}
	}
	if (argc - optind < n_args)
		return cli_usage_error(cmd, "missing argument");
	if (argc - optind > n_args)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + n_args]);
	return -1;
}

static const char sessions_usage[] = "usage: tacit sessions [--json]\n"
				     "  lists every meeting on this device, most recent first\n";

int cmd_sessions(int argc, char **argv)
{
	struct tacit_store *s;
	struct tacit_session *list;
	size_t n;
	bool json = false;
	char b1[32], b2[32];
	int rc = parse_simple(argc, argv, "sessions", sessions_usage, 0, &json);
	if (rc >= 0)
		return rc;
	enum tacit_status st = tacit_store_open(NULL, &s);
	if (st != TACIT_OK)
		return cli_fail(st);
	st = tacit_store_session_list(s, &list, &n);
	tacit_store_close(s);
	if (st != TACIT_OK)
		return cli_fail(st);
	if (json) {
		yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
		yyjson_mut_val *arr = yyjson_mut_arr(doc);
		yyjson_mut_doc_set_root(doc, arr);
		for (size_t i = 0; i < n; i++) {
			yyjson_mut_val *o = yyjson_mut_arr_add_obj(doc, arr);
			yyjson_mut_obj_add_int(doc, o, "id", list[i].id);
			yyjson_mut_obj_add_strcpy(doc, o, "title", list[i].title);
			yyjson_mut_obj_add_int(doc, o, "started_ms", list[i].started_ms);
			if (list[i].ended_ms)
				yyjson_mut_obj_add_int(doc, o, "ended_ms", list[i].ended_ms);
			else
				yyjson_mut_obj_add_null(doc, o, "ended_ms");
			yyjson_mut_obj_add_int(doc, o, "duration_ms", list[i].duration_ms);
			yyjson_mut_obj_add_int(doc, o, "segments", list[i].n_segments);
			yyjson_mut_obj_add_int(doc, o, "speakers", list[i].n_speakers);
			yyjson_mut_obj_add_strcpy(doc, o, "language", list[i].language);
			yyjson_mut_obj_add_bool(doc, o, "times_synthesized", list[i].times_synthesized);
		}
		char *text = yyjson_mut_write(doc, YYJSON_WRITE_PRETTY_TWO_SPACES | YYJSON_WRITE_ALLOW_INVALID_UNICODE, NULL);
		yyjson_mut_doc_free(doc);
		tacit_free(list);
		if (!text)
			return cli_fail(TACIT_ERR_NOMEM);
		printf("%s\n", text);
		free(text);
		return 0;
	}
	if (!n)
		fprintf(stderr, "no meetings yet ('tacit import FILE' brings in a transcript)\n");
	else
		printf("%6s  %-16s  %8s  %8s  %s\n", "ID", "STARTED", "LENGTH", "SEGMENTS", "TITLE");
	for (size_t i = 0; i < n; i++)
		printf("%6" PRId64 "  %-16s  %8s  %8" PRId64 "  %s\n", list[i].id,
		       local_date(list[i].started_ms, b1, sizeof(b1)), cli_clock(list[i].duration_ms, b2, sizeof(b2)),
		       list[i].n_segments, list[i].title);
	tacit_free(list);
	return 0;
}

static const char show_usage[] = "usage: tacit show [--json] ID\n"
				 "  prints a meeting: its details, summary, notes and transcript\n"
				 "  --json   everything about it as JSON (as 'tacit export ID --format json')\n";

int cmd_show(int argc, char **argv)
{
	struct tacit_store *s;
	struct tacit_session ss;
	bool json = false;
	int64_t id;
	char *text = NULL;
	int rc = parse_simple(argc, argv, "show", show_usage, 1, &json);
	if (rc >= 0)
		return rc;
	if (!cli_session_id("show", argv[optind], &id))
		return EXIT_USAGE;
	enum tacit_status st = tacit_store_open(NULL, &s);
	if (st != TACIT_OK)
		return cli_fail(st);
	st = tacit_store_session_get(s, id, &ss);
	if (st == TACIT_OK)
		st = tacit_store_export(s, id, json ? TACIT_FORMAT_JSON : TACIT_FORMAT_MD, &text);
	tacit_store_close(s);
	if (st != TACIT_OK)
		return cli_fail(st);
	fputs(text, stdout);
	tacit_free(text);
	return 0;
}

static const char rename_usage[] = "usage: tacit rename ID TITLE\n";

int cmd_rename(int argc, char **argv)
{
	struct tacit_store *s;
	int64_t id;
	int rc = parse_simple(argc, argv, "rename", rename_usage, 2, NULL);
	if (rc >= 0)
		return rc;
	if (!cli_session_id("rename", argv[optind], &id))
		return EXIT_USAGE;
	if (!*argv[optind + 1])
		return cli_usage_error("rename", "the title cannot be empty");
	enum tacit_status st = tacit_store_open(NULL, &s);
	if (st == TACIT_OK)
		st = tacit_store_session_rename(s, id, argv[optind + 1]);
	tacit_store_close(s);
	if (st != TACIT_OK)
		return cli_fail(st);
	printf("session %" PRId64 " is now '%s'\n", id, argv[optind + 1]);
	return 0;
}

static const char delete_usage[] = "usage: tacit delete [--yes] ID\n"
				   "  deletes a meeting for good: transcript, summaries, chat, suggestions, audio and\n"
				   "  cached model state (overwritten before removal). 'tacit rm' removes models.\n"
				   "  -y, --yes   do not ask first (needed where standard input is not a terminal)\n";

/* "Delete meeting 3 'Title' (42 segments, 12 min, ...)? [y/N]" on a terminal; true on yes. */
static bool confirm_delete(const struct tacit_session *ss)
{
	char segs[48], line[16];
	int64_t min = (ss->duration_ms + 30000) / 60000;
	fprintf(stderr, "Delete meeting %" PRId64 " '%s' (%s, ", ss->id, ss->title,
		cli_count(ss->n_segments, "segment", segs, sizeof(segs)));
	if (min > 0)
		fprintf(stderr, "%" PRId64 " min", min);
	else
		fprintf(stderr, "under a minute");
	fprintf(stderr, ", its audio and saved states)? [y/N] ");
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}

int cmd_delete(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "yes", no_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct tacit_store *s = NULL;
	struct tacit_session ss;
	bool yes = false;
	int64_t id;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:y", opts, NULL)) != -1) {
		if (c == 'y') {
			yes = true;
		} else if (c == 'h') {
			fputs(delete_usage, stdout);
			return 0;
		} else {
			return cli_option_error("delete", c, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("delete", argc - optind ? "one meeting at a time" : "which meeting? (an ID)");
	if (!cli_session_id("delete", argv[optind], &id))
		return EXIT_USAGE;
	enum tacit_status st = tacit_store_open(NULL, &s);
	if (st == TACIT_OK)
		st = tacit_store_session_get(s, id, &ss);
	if (st == TACIT_OK && !yes) {
		if (!isatty(STDIN_FILENO)) {
			tacit_store_close(s);
			return cli_usage_error("delete", "not asking: standard input is not a terminal (pass --yes to delete "
							 "meeting %" PRId64 ")",
					       id);
		}
		if (!confirm_delete(&ss)) {
			tacit_store_close(s);
			fprintf(stderr, "tacit: meeting %" PRId64 " is kept\n", id);
			return 1;
		}
	}
	if (st == TACIT_OK)
		st = tacit_store_session_delete(s, id);
	tacit_store_close(s);
	if (st != TACIT_OK)
		return cli_fail(st);
	printf("deleted session %" PRId64 " '%s'\n", id, ss.title);
	return 0;
}
