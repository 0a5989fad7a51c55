/*
 * test_export_folder.c — the export folder's pieces that take outside text: a title
 * with quotes, colons, '#', a newline, a tab and control bytes stays one YAML
 * double-quoted string, and the file name is the date, an ASCII slug and the id; the
 * folder chosen (tacit_export_folder_set) is checked, stored absolute, and cleared.
 */
#include "internal.h"

#include "export_folder.h"

#include "../check.h"
#include "tz_utc.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

static void quoted(const char *in, const char *want)
{
	struct buf b;
	buf_init(&b);
	export_yaml_quote(&b, in);
	CHECK_STR(b.data, want);
	buf_release(&b);
}

TEST(export_yaml_quote_hostile_titles)
{
	quoted("plain", "\"plain\"");
	quoted("", "\"\"");
	quoted(NULL, "\"\"");
	quoted("key: value # not a comment", "\"key: value # not a comment\"");
	quoted("say \"hi\"", "\"say \\\"hi\\\"\"");
	quoted("back\\slash", "\"back\\\\slash\"");
	quoted("two\nlines\r\n---\ttab", "\"two\\nlines\\r\\n---\\ttab\"");
	quoted("bell\a del\x7f", "\"bell\\x07 del\\x7f\"");
	quoted("Réunion: été", "\"Réunion: été\""); /* UTF-8 is YAML's own */
	quoted("'single' [list] {map} &anchor *alias !tag |", "\"'single' [list] {map} &anchor *alias !tag |\"");
}

TEST(export_folder_file_names)
{
	struct tacit_session ss = { .id = 12, .started_ms = 1767225600000LL }; /* 2026-01-01 00:00 UTC */
	char name[TACIT_FOLDER_NAME_MAX];
	char *tz = tz_utc();
	snprintf(ss.title, sizeof(ss.title), "Weekly Sync: \"Q3\" / budget!!");
	export_folder_name(&ss, name, sizeof(name));
	CHECK_STR(name, "2026-01-01-weekly-sync-q3-budget-12.md");
	snprintf(ss.title, sizeof(ss.title), "../../etc/passwd");
	export_folder_name(&ss, name, sizeof(name));
	CHECK_STR(name, "2026-01-01-etc-passwd-12.md");
	snprintf(ss.title, sizeof(ss.title), "Réunion été");
	export_folder_name(&ss, name, sizeof(name));
	CHECK_STR(name, "2026-01-01-réunion-été-12.md");
	snprintf(ss.title, sizeof(ss.title), "%s", "\xe9t\xc3"); /* Latin-1, a cut sequence: dropped */
	export_folder_name(&ss, name, sizeof(name));
	CHECK_STR(name, "2026-01-01-t-12.md");
	snprintf(ss.title, sizeof(ss.title), "!!!");
	export_folder_name(&ss, name, sizeof(name));
	CHECK_STR(name, "2026-01-01-meeting-12.md");
	memset(ss.title, 'x', sizeof(ss.title) - 1);
	ss.title[sizeof(ss.title) - 1] = '\0';
	export_folder_name(&ss, name, sizeof(name));
	CHECK_EQ_INT(strlen(name), strlen("2026-01-01--12.md") + 48);
	tz_restore(tz);
}

/* Choosing the folder: a missing one or a file is refused with the path and the reason
 * and the setting is left as it was; a folder is stored as its absolute path with no
 * file left behind by the check; NULL clears it. */
TEST(export_folder_set_checks_and_clears)
{
	char dir[4200], file[4300], vault[4300], via[4400];
	struct tacit_store *s = NULL;
	char *value = NULL, *abs = NULL;
	snprintf(dir, sizeof(dir), "%s/folder-set", test_tmpdir());
	snprintf(file, sizeof(file), "%s/file.txt", dir);
	snprintf(vault, sizeof(vault), "%s/vault", dir);
	snprintf(via, sizeof(via), "%s/../vault", vault);
	CHECK_EQ_INT(mkdir(dir, 0700), 0);
	CHECK_EQ_INT(tacit_store_open(":memory:", &s), TACIT_OK);
	if (!s)
		return;
	CHECK_EQ_INT(tacit_export_folder_set(s, vault), TACIT_ERR_IO);
	CHECK(strstr(tacit_errmsg(), "/vault': No such file or directory") != NULL);
	CHECK_EQ_INT(tacit_store_setting_get(s, "export.folder", &value), TACIT_ERR_NOT_FOUND);
	FILE *f = fopen(file, "w");
	CHECK(f != NULL);
	if (f)
		fclose(f);
	CHECK_EQ_INT(tacit_export_folder_set(s, file), TACIT_ERR_IO);
	CHECK(strstr(tacit_errmsg(), "file.txt': it is not a folder") != NULL);

	CHECK_EQ_INT(mkdir(vault, 0700), 0);
	CHECK_EQ_INT(tacit_export_folder_set(s, via), TACIT_OK);
	abs = realpath(vault, NULL);
	CHECK_EQ_INT(tacit_store_setting_get(s, "export.folder", &value), TACIT_OK);
	CHECK(abs && value && !strcmp(value, abs));
	tacit_free(value);
	value = NULL;
	DIR *d = opendir(vault);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.' || strncmp(e->d_name, ".tacit-probe", 12) == 0;
	if (d)
		closedir(d);
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_INT(tacit_export_folder_set(s, NULL), TACIT_OK);
	CHECK_EQ_INT(tacit_store_setting_get(s, "export.folder", &value), TACIT_ERR_NOT_FOUND);
	free(abs);
	tacit_store_close(s);
}
