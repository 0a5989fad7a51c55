/*
 * cmd_speakers.c — `tacit speakers ID` lists a meeting's speakers with their talk time,
 * their number of lines and a sample line; `tacit speakers ID rename WHO NAME` names one
 * for the whole meeting (tacit_store_speaker_rename: every line, export and later summary
 * follows). WHO is the label ("Speaker 2") or a name given before. `tacit speakers ID
 * remember WHO [NAME]` keeps that speaker's voiceprint as a remembered voice (opt-in:
 * `tacit voices on`; tacit_store_voice_remember()).
 */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: tacit speakers [--json] ID\n"
	"       tacit speakers ID rename WHO NAME\n"
	"       tacit speakers ID remember WHO [NAME]\n"
	"  lists a meeting's speakers: talk time, lines and a sample line (the longest);\n"
	"  rename gives the speaker WHO (a label such as \"Speaker 2\", or a name given\n"
	"  before) the name NAME in every line of the meeting (\"\" goes back to the label)\n"
	"  remember keeps WHO's voiceprint on this device as the voice NAME (default: the\n"
	"  speaker's name), so later meetings name a matching speaker \"NAME (likely)\";\n"
	"  only when remembered voices are on ('tacit voices on'; see 'tacit voices --help')\n"
	"  --json   one JSON object with a \"speakers\" array\n";

struct listing {
	bool json;
	int n;
	int64_t id;
};

void cli_json_str(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static bool print_speaker(const struct tacit_speaker_info *sp, void *user)
{
	struct listing *l = user;
	char talk[32], at[32], lines[48];
	if (l->json) {
		if (l->n == 0) /* only once the meeting is known to exist */
			printf("{\"session_id\":%" PRId64 ",\"speakers\":[", l->id);
		printf("%s{\"label\":", l->n ? "," : "");
		cli_json_str(sp->label);
		printf(",\"name\":");
		if (sp->name)
			cli_json_str(sp->name);
		else
			printf("null");
		printf(",\"n_segments\":%d,\"talk_ms\":%" PRId64 ",\"voiceprint\":%s,\"sample\":", sp->n_segments,
		       sp->talk_ms, sp->has_voiceprint ? "true" : "false");
		if (sp->sample_text) {
			printf("{\"segment_id\":%" PRId64 ",\"start_ms\":%" PRId64 ",\"end_ms\":%" PRId64 ",\"text\":",
			       sp->sample_segment_id, sp->sample_start_ms, sp->sample_end_ms);
			cli_json_str(sp->sample_text);
			putchar('}');
		} else {
			printf("null");
		}
		putchar('}');
	} else {
		if (sp->name)
			printf("%s (%s)", sp->name, sp->label);
		else
			printf("%s", sp->label);
		printf("  %s talk, %s%s\n", cli_clock(sp->talk_ms, talk, sizeof(talk)),
		       cli_count(sp->n_segments, "line", lines, sizeof(lines)),
		       sp->has_voiceprint ? ", voiceprint kept (see 'tacit voices')" : "");
		if (sp->sample_text)
			printf("    [%s] %.160s%s\n", cli_clock(sp->sample_start_ms, at, sizeof(at)), sp->sample_text,
			       strlen(sp->sample_text) > 160 ? "…" : "");
	}
	l->n++;
	return true;
}

int cmd_speakers(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct listing l = { false, 0, 0 };
	struct tacit_store *s = NULL;
	int64_t id;
	int c, rc = 0, n = 0;
	enum tacit_status st;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		if (c == 'j') {
			l.json = true;
		} else if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		} else {
			return cli_option_error("speakers", c, argv);
		}
	}
	int n_args = argc - optind;
	if (n_args < 1)
		return cli_usage_error("speakers", "missing argument");
	if (!cli_session_id("speakers", argv[optind], &id))
		return EXIT_USAGE;
	bool remember = n_args >= 2 && !strcmp(argv[optind + 1], "remember");
	if (remember && (n_args < 3 || n_args > 4))
		return n_args < 3 ? cli_usage_error("speakers", "remember needs WHO")
				  : cli_usage_error("speakers", "unexpected argument '%s'", argv[optind + 4]);
	if (remember && (l.json || !*argv[optind + 2]))
		return cli_usage_error("speakers", l.json ? "--json goes with the listing, not with remember"
							   : "WHO cannot be empty");
	bool rename = n_args >= 2 && !remember;
	if (rename && strcmp(argv[optind + 1], "rename") != 0)
		return cli_usage_error("speakers", "unexpected argument '%s' (did you mean 'rename' or 'remember'?)",
				       argv[optind + 1]);
	if (rename && n_args != 4) /* argv[optind + 4] exists only when there are more */
		return n_args < 4 ? cli_usage_error("speakers", "rename needs WHO and NAME")
				  : cli_usage_error("speakers", "unexpected argument '%s'", argv[optind + 4]);
	if (rename && l.json)
		return cli_usage_error("speakers", "--json goes with the listing, not with rename");
	if (rename && !*argv[optind + 2])
		return cli_usage_error("speakers", "WHO cannot be empty");
	if ((st = tacit_store_open(NULL, &s)) != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	if (remember) {
		const char *who = argv[optind + 2], *name = n_args == 4 ? argv[optind + 3] : NULL;
		if ((st = tacit_store_voice_remember(s, id, who, name)) != TACIT_OK) {
			rc = cli_fail(st);
			goto out;
		}
		printf("remembered the voice of '%s' of meeting %" PRId64 "%s%s%s (forget it with 'tacit voices forget')\n",
		       who, id, name && *name ? " as '" : "", name && *name ? name : "", name && *name ? "'" : "");
		goto out;
	}
	if (rename) {
		const char *who = argv[optind + 2], *name = argv[optind + 3];
		if ((st = tacit_store_speaker_rename(s, id, who, name, &n)) != TACIT_OK) {
			rc = cli_fail(st);
			goto out;
		}
		if (*name)
			printf("'%s' is now '%s' in meeting %" PRId64 "%s\n", who, name, id,
			       n > 1 ? " (several speakers had that name)" : "");
		else
			printf("'%s' goes back to its label in meeting %" PRId64 "\n", who, id);
		goto out;
	}
	l.id = id;
	st = tacit_store_speakers_list(s, id, print_speaker, &l);
	if (l.json && st == TACIT_OK && l.n == 0)
		printf("{\"session_id\":%" PRId64 ",\"speakers\":[", id);
	if (l.json && st == TACIT_OK)
		printf("]}\n");
	if (st != TACIT_OK)
		rc = cli_fail(st);
	else if (!l.json && l.n == 0)
		printf("meeting %" PRId64 " has no speakers (its lines carry no speaker label)\n", id);
out:
	tacit_store_close(s);
	return rc;
}
