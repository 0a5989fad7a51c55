/*
 * cmd_export.c — `tacit export ID --format md|json|txt|srt|vtt [--output FILE]`: a
 * meeting as a document or subtitles, on stdout or into a file; `--folder DIR ID|--all`
 * writes notes into the user's export folder (tacit_export_folder()), `--set-folder`
 * chooses the folder every meeting is written to when it ends.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] = "usage: tacit export ID [--format md|json|txt|srt|vtt] [--output FILE [--force]]\n"
				 "       tacit export [--folder DIR] ID|--all\n"
				 "       tacit export --set-folder DIR|none\n"
				 "  --format   md (default): summary, notes and transcript; json: everything;\n"
				 "             txt: timestamped transcript; srt, vtt: subtitles\n"
				 "  --output   write to FILE instead of stdout (a new file, outside tacit's\n"
				 "             own directories; written whole or not at all)\n"
				 "  --force    replace FILE when it exists\n"
				 "  --folder   write the meeting (or --all meetings) as a Markdown note with\n"
				 "             YAML front matter into DIR (\"\": the folder set with --set-folder,\n"
				 "             as --all alone uses); named YYYY-MM-DD-title-ID.md, a name kept\n"
				 "             when the meeting is renamed, and replaced when written again;\n"
				 "             a note edited since tacit wrote it is never replaced: the\n"
				 "             meeting goes to \"NAME (tacit).md\" beside it\n"
				 "  --set-folder  the folder (an Obsidian vault, say) every meeting is written\n"
				 "             to when it ends and when its summary is made again; none: stop\n";

/* Prints what a folder write did: the path, and why a sibling was written. */
static void folder_report(int64_t id, const struct tacit_folder_result *r)
{
	static const char *const verbs[] = { "wrote", "updated", "unchanged", "wrote" };
	printf("meeting %lld: %s %s\n", (long long)id, verbs[r->outcome], r->path);
	if (r->outcome == TACIT_FOLDER_SIBLING)
		fprintf(stderr, "note: '%s' was edited since tacit wrote it and was left as it is\n", r->edited_path);
}

static int export_to_folder(const char *folder, const char *id_arg, bool all)
{
	struct tacit_store *s = NULL;
	struct tacit_session *list = NULL;
	struct tacit_folder_result r;
	size_t n = 0;
	int64_t id = 0;
	int rc = 0;

	if (!all && !cli_session_id("export", id_arg, &id))
		return EXIT_USAGE;
	enum tacit_status st = tacit_store_open(NULL, &s);
	if (st == TACIT_OK && all)
		st = tacit_store_session_list(s, &list, &n);
	if (st != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	if (!all) {
		if ((st = tacit_export_folder(s, id, folder, &r)) != TACIT_OK)
			rc = cli_fail(st);
		else
			folder_report(id, &r);
		goto out;
	}
	for (size_t i = n; i-- > 0;) { /* oldest first */
		if (!list[i].ended_ms)
			continue; /* still running: written when it ends */
		if ((st = tacit_export_folder(s, list[i].id, folder, &r)) != TACIT_OK) {
			rc = cli_fail(st);
			goto out;
		}
		folder_report(list[i].id, &r);
	}
out:
	tacit_free(list);
	tacit_store_close(s);
	return rc;
}

static int set_folder(const char *dir)
{
	struct tacit_store *s = NULL;
	char *value = NULL;
	bool none = !*dir || !strcmp(dir, "none");
	enum tacit_status st = tacit_store_open(NULL, &s);
	if (st == TACIT_OK)
		st = tacit_export_folder_set(s, none ? NULL : dir);
	if (st == TACIT_OK && !none)
		st = tacit_store_setting_get(s, "export.folder", &value);
	tacit_store_close(s);
	if (st != TACIT_OK)
		return cli_fail(st);
	if (none)
		printf("meetings are no longer written to an export folder\n");
	else
		printf("every meeting will be written to %s when it ends\n", value);
	tacit_free(value);
	return 0;
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'F' },
		{ "folder", required_argument, NULL, 'D' },
		{ "all", no_argument, NULL, 'a' },
		{ "set-folder", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	enum tacit_format fmt = TACIT_FORMAT_MD;
	const char *output = NULL;
	bool force = false, folder = false, all = false;
	const char *folder_dir = NULL, *set_dir = NULL;
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
		case 'D':
			folder = true;
			folder_dir = optarg;
			break;
		case 'a':
			all = true;
			break;
		case 'S':
			set_dir = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_option_error("export", c, argv);
		}
	}
	if (set_dir) {
		if (folder || all || argc > optind)
			return cli_usage_error("export", "--set-folder takes the folder only");
		return set_folder(set_dir);
	}
	folder |= all; /* --all alone: into the folder set with --set-folder */
	if (folder && (output || force))
		return cli_usage_error("export", "--folder writes notes by their own names: leave out --output and --force");
	if (folder && (all ? argc - optind != 0 : argc - optind != 1))
		return cli_usage_error("export", all ? "--all takes no session id" : "--folder needs one session id or --all");
	if (folder)
		return export_to_folder(folder_dir, all ? NULL : argv[optind], all);
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
