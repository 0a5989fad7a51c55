/*
 * cmd_import.c — `tacit import FILE`: a transcript (QMSum JSON or "Speaker: text" lines)
 * becomes a meeting. Times are synthesized at a speaking rate, and the output says so.
 */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static const char usage_text[] = "usage: tacit import [--title TITLE] [--wpm N] FILE\n"
				 "  FILE     QMSum-style JSON (meeting_transcripts) or \"Speaker: text\" lines\n"
				 "  --title  the meeting's title (default: the file name)\n"
				 "  --wpm    speaking rate used to estimate times (default 150 words per minute)\n";

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "title", required_argument, NULL, 't' },
		{ "wpm", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct tacit_import_params p = tacit_import_default_params();
	struct tacit_store *s;
	struct tacit_session ss;
	int64_t id = 0;
	char *end, clock[32];
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			p.title = optarg;
			break;
		case 'w':
			p.words_per_minute = (int)strtol(optarg, &end, 10);
			if (*end || p.words_per_minute < 1 || p.words_per_minute > 1000)
				return cli_usage_error("import", "--wpm wants a number from 1 to 1000, not '%s'", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_usage_error("import", "unknown option or missing value '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("import", argc - optind ? "one file at a time" : "missing the file to import");
	enum tacit_status st = tacit_store_open(NULL, &s);
	if (st == TACIT_OK)
		st = tacit_store_import(s, argv[optind], &p, &id);
	if (st == TACIT_OK)
		st = tacit_store_session_get(s, id, &ss);
	tacit_store_close(s);
	if (st != TACIT_OK)
		return cli_fail(st);
	printf("imported '%s' as session %" PRId64 ": %" PRId64 " segments, %d speakers, %s\n", ss.title, id,
	       ss.n_segments, ss.n_speakers, cli_clock(ss.duration_ms, clock, sizeof(clock)));
	if (ss.times_synthesized)
		fprintf(stderr, "note: the transcript had no times; they are estimated at %d words per minute\n",
			p.words_per_minute);
	return 0;
}
