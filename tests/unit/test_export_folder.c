/*
 * test_export_folder.c — the export folder's pieces that take outside text: a title
 * with quotes, colons, '#', a newline, a tab and control bytes stays one YAML
 * double-quoted string, and the file name is the date, an ASCII slug and the id.
 */
#include "internal.h"

#include "export_folder.h"

#include "../check.h"
#include "tz_utc.h"

#include <stdlib.h>
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
