/*
 * cmd_serve.c — `tacit serve [--port N] [--bind ADDR] [--no-open]`: the local web app.
 * Prints the one URL to open (it carries the per-launch token), optionally opens the
 * browser (never with the token in a command line), and serves until Ctrl-C or
 * SIGTERM, which stop it cleanly.
 */
#include "cli.h"

#include <getopt.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char usage_text[] =
	"usage: tacit serve [--port N] [--bind ADDR] [--no-open]\n"
	"  serves the web app on this machine only and prints the URL to open\n"
	"  --port N     listen on port N (default: any free port)\n"
	"  --bind ADDR  localhost (default: 127.0.0.1 and ::1), 127.0.0.1 or ::1; nothing else\n"
	"  --no-open    do not open a browser\n";

/* The browser must not get the URL in its command line: every local user can read a
 * process's argv in /proc, and the URL carries the token. It gets instead a private
 * file (0600, in tacit's 0700 cache directory) that redirects to the URL, as Jupyter
 * does. Returns that file's path for removal at the stop (caller frees), or NULL. */
static char *write_redirect(const char *url)
{
	char *dir = NULL, *path = NULL;
	bool made = false, ok = false;
	FILE *f = NULL;
	int fd = -1;
	if (tacit_dir_path(TACIT_DIR_CACHE, &dir) != TACIT_OK)
		goto out;
	size_t n = strlen(dir) + sizeof("/serve-open-XXXXXX.html");
	if (!(path = malloc(n)))
		goto out;
	snprintf(path, n, "%s/serve-open-XXXXXX.html", dir);
	if ((fd = mkstemps(path, 5)) < 0)
		goto out;
	made = true;
	if (fchmod(fd, 0600) != 0 || !(f = fdopen(fd, "w")))
		goto out;
	fd = -1;
	fprintf(f,
		"<!DOCTYPE html>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"refresh\" content=\"0;url=%s\">\n"
		"<title>tacit</title>\n<script>location.replace(\"%s\")</script>\n"
		"<p><a href=\"%s\">Open tacit</a></p>\n",
		url, url, url);
	ok = fclose(f) == 0;
	f = NULL;
out:
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (!ok && path) {
		if (made)
			unlink(path);
		free(path);
		path = NULL;
	}
	tacit_free(dir);
	return path;
}

/* Opens the web app with xdg-open when there is one; failing to is not an error. */
static char *open_browser(const char *url)
{
	char *page = write_redirect(url);
	if (!page) {
		fprintf(stderr, "tacit: cannot open a browser safely; open the URL above yourself\n");
		return NULL;
	}
	char *argv[] = { "xdg-open", page, NULL };
	pid_t pid;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", 1, 0);
	if (posix_spawnp(&pid, "xdg-open", &fa, NULL, argv, environ) == 0)
		waitpid(pid, NULL, 0);
	posix_spawn_file_actions_destroy(&fa);
	return page;
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' }, { "bind", required_argument, NULL, 'b' },
		{ "no-open", no_argument, NULL, 'n' },   { "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct tacit_serve_params p = tacit_serve_default_params();
	struct tacit_server *srv = NULL;
	bool open = true;
	int c, sig = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'p': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (!*optarg || *end || v < 1 || v > 65535)
				return cli_usage_error("serve", "--port wants a port from 1 to 65535, not '%s'", optarg);
			p.port = (int)v;
			break;
		}
		case 'b':
			if (strcmp(optarg, "localhost") && strcmp(optarg, "127.0.0.1") && strcmp(optarg, "::1") &&
			    strcmp(optarg, "[::1]"))
				return cli_usage_error("serve",
						       "refusing to listen on '%s': the web app serves this machine only "
						       "(localhost, 127.0.0.1 or ::1)",
						       optarg);
			p.bind = optarg;
			break;
		case 'n':
			open = false;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_option_error("serve", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);

	/* Block the stop signals before any server thread exists, so every thread inherits
	 * the mask and only sigwait() below sees them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN); /* a browser closing a stream must not kill the server */

	enum tacit_status st = tacit_serve_start(&p, &srv);
	if (st != TACIT_OK)
		return cli_fail(st);
	printf("%s\n", tacit_serve_url(srv));
	fflush(stdout);
	fprintf(stderr, "tacit: serving on this machine only; press Ctrl-C to stop\n");
	char *page = open ? open_browser(tacit_serve_url(srv)) : NULL;
	sigwait(&set, &sig);
	fprintf(stderr, "tacit: stopping\n");
	tacit_serve_close(srv);
	if (page)
		unlink(page);
	free(page);
	return 0;
}
