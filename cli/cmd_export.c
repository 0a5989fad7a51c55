/*
 * cmd_export.c — `tacit export ID --format md|json|txt|srt|vtt [--output FILE]`: a
 * meeting as a document or subtitles, on stdout or into a file.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] = "usage: tacit export ID [--format md|json|txt|srt|vtt] [--output FILE [--force]]\n"
				 "  --format   md (default): summary, notes and transcript; json: everything;\n"
				 "             txt: timestamped transcript; srt, vtt: subtitles\n"
				 "  --output   write to FILE instead of stdout (a new file, outside tacit's\n"
				 "             own directories; written whole or not at all)\n"
				 "  --force    replace FILE when it exists\n";

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	enum tacit_format fmt = TACIT_FORMAT_MD;
	const char *output = NULL;
	bool force = false;
	struct tacit_store *s;
	char *text = NULL;
	int64_t id;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":f:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (tacit_format_parse(optarg, &fmt) != TACIT_OK)
				return cli_usage_error("export", "unknown export format '%s' (use md, json, txt, srt or vtt)",
						       optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case 'F':
			force = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_option_error("export", c, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("export", argc - optind ? "one session id only" : "missing the session id");
	if (!cli_session_id("export", argv[optind], &id))
		return EXIT_USAGE;
	enum tacit_status st = tacit_store_open(NULL, &s);
	if (st == TACIT_OK)
		st = tacit_store_export(s, id, fmt, &text);
	tacit_store_close(s);
	if (st != TACIT_OK)
		return cli_fail(st);
	if (output) {
		st = tacit_export_save(output, text, strlen(text), force);
		tacit_free(text);
		return st == TACIT_OK ? 0 : cli_fail(st);
	}
	size_t n = strlen(text);
	bool ok = fwrite(text, 1, n, stdout) == n && fflush(stdout) == 0;
	tacit_free(text);
	if (!ok) {
		fprintf(stderr, "tacit: cannot write the export to stdout: %s\n", strerror(errno));
		return tacit_status_exit_code(TACIT_ERR_IO);
	}
	return 0;
}
