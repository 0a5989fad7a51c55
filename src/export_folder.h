/*
 * export_folder.h — the meeting's note in the user's export folder (export_folder.c):
 * rendering with YAML front matter, the stable file name, and the write after a meeting
 * ends or its summary is made again, which only ever warns.
 */
#ifndef TACIT_EXPORT_FOLDER_H
#define TACIT_EXPORT_FOLDER_H

#include "internal.h"

/* Appends s as a YAML double-quoted scalar: quotes, backslashes, newlines and every
 * control character escaped, so no title can end the string or the front matter. */
void export_yaml_quote(struct buf *b, const char *s);

/* "YYYY-MM-DD-title-slug-ID.md": the local date the meeting started, the title's letters
 * and digits (ASCII lowercased, other scripts' UTF-8 kept whole; other runs as '-'; at
 * most 48 bytes), the session id. */
void export_folder_name(const struct tacit_session *ss, char *out, size_t n);

/* The note: YAML front matter (title, date, duration, speakers, template, tags,
 * tacit_id), then the Markdown export. *out caller frees with tacit_free(). */
enum tacit_status export_folder_render(struct tacit_store *s, const struct tacit_session *ss, char **out);

/* folder as the place notes go: it exists and is a folder, and with probe a file can be
 * created in it (a read-only mount or a missing permission shows when it is chosen, not
 * after the next meeting). *abs: its absolute path, caller frees with free(); NULL on
 * failure, with the folder and the reason in the message. */
enum tacit_status export_folder_check(const char *folder, bool probe, char **abs);

/* When the setting export.folder is set and the meeting has ended, writes its note there;
 * a failure or a sibling is logged as a warning, never returned, and the calling
 * thread's error message is left as it was. */
void export_folder_after(struct tacit_store *s, int64_t session_id);

#endif
