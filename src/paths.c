/*
 * paths.c — where tacit keeps data, cache and settings: TACIT_HOME when set, else the
 * XDG base directories. Directories are created private (0700): meetings are personal.
 */
#include "internal.h"

#include <sys/stat.h>

static bool mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			*p = '/';
			return false;
		}
		*p = '/';
	}
	return mkdir(path, 0700) == 0 || errno == EEXIST;
}

enum tacit_status tacit_dir_path(enum tacit_dir dir, char **out_path)
{
	static const char *const sub[] = { "data", "cache", "config" };
	static const char *const xdg_env[] = { "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME" };
	static const char *const xdg_def[] = { ".local/share", ".cache", ".config" };
	struct buf b;

	*out_path = NULL;
	if ((unsigned)dir > TACIT_DIR_CONFIG)
		return tacit_fail(TACIT_ERR_USAGE, "unknown directory kind %d", (int)dir);
	buf_init(&b);
	const char *home = getenv("TACIT_HOME");
	const char *xdg = getenv(xdg_env[dir]);
	const char *user = getenv("HOME");
	if (home && *home)
		buf_addf(&b, "%s/%s", home, sub[dir]);
	else if (xdg && *xdg == '/')
		buf_addf(&b, "%s/tacit", xdg);
	else if (user && *user)
		buf_addf(&b, "%s/%s/tacit", user, xdg_def[dir]);
	else
		return tacit_fail(TACIT_ERR_IO, "cannot tell where to keep tacit's files: set TACIT_HOME or HOME");
	if (b.failed) {
		buf_release(&b);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	if (!mkdir_p(b.data)) {
		enum tacit_status st = tacit_fail(TACIT_ERR_IO, "cannot create directory '%s': %s (set TACIT_HOME to a writable place)",
						  b.data, strerror(errno));
		buf_release(&b);
		return st;
	}
	*out_path = buf_detach(&b, NULL);
	return TACIT_OK;
}
