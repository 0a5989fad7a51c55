/*
 * cmd_voices.c — `tacit voices`: remembered voices on this device. Lists them (never
 * the voiceprints themselves), turns the opt-in on or off (off also deletes every
 * meeting's voiceprints), and forgets one or all. A voiceprint is biometric data: the
 * wording says so wherever the user turns it on.
 */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
	"usage: tacit voices [--json]\n"
	"       tacit voices on|off\n"
	"       tacit voices forget NAME|--all\n"
	"  remembered voices (off unless turned on): with them on, diarization keeps each\n"
	"  speaker's voiceprint with the meeting (deleted with it), and 'tacit speakers ID\n"
	"  remember WHO [NAME]' keeps one on this device, so later meetings name a speaker\n"
	"  who sounds like it \"NAME (likely)\" (cosine similarity at least 0.6). A\n"
	"  voiceprint is biometric data: it can recognise that person in other recordings.\n"
	"  It never leaves this device: exports and the web app never include one.\n"
	"  (no argument)  list the remembered voices and whether the feature is on\n"
	"  on, off        turn it on or off; off deletes every meeting's voiceprints\n"
	"                 (remembered voices stay until forgotten)\n"
	"  forget NAME    forget one remembered voice; --all forgets every one\n"
	"  --json         the listing as one JSON object\n";

struct listing {
	bool json;
	int n;
};

static bool print_voice(const struct tacit_voice_info *v, void *user)
{
	struct listing *l = user;
	char when[32] = "";
	time_t t = (time_t)(v->created_ms / 1000);
	struct tm tm;
	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	if (l->json) {
		printf("%s{\"name\":", l->n ? "," : "");
		cli_json_str(v->name);
		printf(",\"dim\":%d,\"created_ms\":%" PRId64 ",\"from_session\":%" PRId64 "}", v->dim, v->created_ms,
		       v->from_session);
	} else if (v->from_session) {
		printf("%s  remembered %s from meeting %" PRId64 "\n", v->name, when, v->from_session);
	} else {
		printf("%s  remembered %s (its meeting was deleted since)\n", v->name, when);
	}
	l->n++;
	return true;
}

int cmd_voices(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct listing l = { false, 0 };
	struct tacit_store *s = NULL;
	bool all = false, on = false;
	int c, rc = 0, n = 0;
	enum tacit_status st;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (c == 'j') {
			l.json = true;
		} else if (c == 'a') {
			all = true;
		} else if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		} else {
			return cli_option_error("voices", c, argv);
		}
	}
	int n_args = argc - optind;
	const char *verb = n_args ? argv[optind] : NULL;
	if (verb && strcmp(verb, "on") && strcmp(verb, "off") && strcmp(verb, "forget"))
		return cli_usage_error("voices", "unknown action '%s' (on, off or forget)", verb);
	if (verb && l.json)
		return cli_usage_error("voices", "--json goes with the listing");
	if (all && !(verb && !strcmp(verb, "forget")))
		return cli_usage_error("voices", "--all goes with forget");
	if (verb && !strcmp(verb, "forget") && (all ? n_args != 1 : n_args != 2))
		return cli_usage_error("voices", all ? "forget --all takes no NAME" : "forget needs one NAME (or --all)");
	if (verb && strcmp(verb, "forget") && n_args != 1)
		return cli_usage_error("voices", "unexpected argument '%s'", argv[optind + 1]);
	if ((st = tacit_store_open(NULL, &s)) != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	if (verb && strcmp(verb, "forget")) {
		if ((st = tacit_store_voices_enable(s, !strcmp(verb, "on"))) != TACIT_OK) {
			rc = cli_fail(st);
			goto out;
		}
		if (!strcmp(verb, "on"))
			printf("remembered voices are on: diarized meetings keep each speaker's voiceprint (biometric "
			       "data, never exported) until the meeting is deleted; 'tacit speakers ID remember WHO' "
			       "keeps one on this device\n");
		else
			printf("remembered voices are off: every meeting's voiceprints are deleted; remembered voices "
			       "stay until 'tacit voices forget'\n");
		goto out;
	}
	if (verb) {
		if ((st = tacit_store_voice_forget(s, all ? NULL : argv[optind + 1], &n)) != TACIT_OK) {
			rc = cli_fail(st);
			goto out;
		}
		if (all)
			printf("forgot %d remembered voice%s\n", n, n == 1 ? "" : "s");
		else
			printf("forgot the voice '%s'\n", argv[optind + 1]);
		goto out;
	}
	if ((st = tacit_store_voices_enabled(s, &on)) != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	if (l.json)
		printf("{\"enabled\":%s,\"voices\":[", on ? "true" : "false");
	else
		printf("remembered voices are %s on this device%s\n", on ? "on" : "off",
		       on ? "" : " (a voiceprint is biometric data; 'tacit voices on' turns them on)");
	st = tacit_store_voices_list(s, print_voice, &l);
	if (l.json)
		printf("]}\n");
	if (st != TACIT_OK)
		rc = cli_fail(st);
	else if (!l.json && l.n == 0)
		printf("no voice is remembered\n");
out:
	tacit_store_close(s);
	return rc;
}
