/*
 * cmd_mcp.c — `tacit mcp`: a Model Context Protocol server on stdin/stdout for a user's
 * own assistant (one JSON-RPC message per line each way; the library's tacit_mcp_handle()
 * answers). No network listener: the assistant starts this command as its child. It ends
 * at the end of its input; stdout carries protocol messages only, diagnostics go to stderr.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: tacit mcp [--model NAME]\n"
	"  a Model Context Protocol server over stdin/stdout (JSON-RPC 2.0, one message per\n"
	"  line, protocol 2025-06-18) with read-only tools over the stored meetings:\n"
	"    search_meetings {query, limit?, meeting_id?}   full-text search\n"
	"    get_meeting {id}                               newest summary and transcript\n"
	"    list_action_items {open?, owner?, meeting_id?} action items across meetings\n"
	"    ask {question, meeting_id?}                    an answer from the local model, from one\n"
	"                                                   meeting or all of them ([M12 S40] cites)\n"
	"  --model NAME  the ask tool's model: a GGUF path, catalog id or custom model (default:\n"
	"                the chosen one, else the best downloaded; TACIT_MODEL also sets it),\n"
	"                loaded at the first question\n"
	"  configure your assistant to run 'tacit mcp' as a stdio server; it listens on no port\n";

int cmd_mcp(int argc, char **argv)
{
	static const struct option opts[] = { { "model", required_argument, NULL, 'm' },
					      { "help", no_argument, NULL, 'h' },
					      { 0, 0, 0, 0 } };
	const char *model = getenv("TACIT_MODEL");
	struct tacit_store *store = NULL;
	struct tacit_mcp *mcp = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int c, rc = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (c == 'm') {
			model = optarg;
			continue;
		}
		if (c == 'h') {
			fputs(usage_text, stdout);
			return 0;
		}
		return cli_option_error("mcp", c, argv);
	}
	if (optind < argc)
		return cli_usage_error("mcp", "no arguments expected, got '%s'", argv[optind]);
	enum tacit_status st = tacit_store_open(NULL, &store);
	if (st == TACIT_OK)
		st = tacit_mcp_new(store, &mcp);
	if (st == TACIT_OK)
		st = tacit_mcp_set_model(mcp, model);
	if (st != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		char *reply;
		if (n == 0 || strspn(line, " \t\r\n") == (size_t)n)
			continue; /* blank lines between messages are no message */
		st = tacit_mcp_handle(mcp, line, (size_t)n, &reply);
		if (st != TACIT_OK) {
			rc = cli_fail(st);
			goto out;
		}
		if (reply) {
			fputs(reply, stdout);
			fputc('\n', stdout);
			fflush(stdout);
			tacit_free(reply);
		}
	}
out:
	free(line);
	tacit_mcp_free(mcp);
	tacit_store_close(store);
	return rc;
}
