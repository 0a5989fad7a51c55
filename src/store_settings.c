/*
 * store_settings.c — settings kept in the meetings database, one text value per key
 * (this device's preferences, such as live.asr_first). Keys are [a-z0-9._-]+ of at most
 * 64 bytes; setting a key to NULL removes it.
 */
#include "internal.h"

#include "store_int.h"

static enum tacit_status check_key(const char *key)
{
	if (!key || strlen(key) > 64 || !store_is_word(key, "._-"))
		return tacit_fail(TACIT_ERR_USAGE, "setting name '%s' is not [a-z0-9._-]+ of at most 64 bytes",
				  key ? key : "");
	return TACIT_OK;
}

enum tacit_status tacit_store_setting_get(struct tacit_store *s, const char *key, char **out_value)
{
	sqlite3_stmt *st;
	if (!s || !out_value)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_setting_get: store or out_value is NULL");
	*out_value = NULL;
	enum tacit_status ret = check_key(key);
	if (ret == TACIT_OK)
		ret = prep(s, "SELECT value FROM settings WHERE key = ?", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out_value = strdup(col_text(st, 0));
		if (!*out_value)
			ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	} else if (rc == SQLITE_DONE) {
		ret = tacit_fail(TACIT_ERR_NOT_FOUND, "setting '%s' is not set", key);
	} else {
		ret = store_db_fail(s, rc, "read a setting");
	}
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status tacit_store_setting_set(struct tacit_store *s, const char *key, const char *value)
{
	sqlite3_stmt *st;
	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_setting_set: store is NULL");
	enum tacit_status ret = check_key(key);
	if (ret == TACIT_OK)
		ret = prep(s,
			   value ? "INSERT INTO settings (key, value) VALUES (?1, ?2)"
				   " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
				 : "DELETE FROM settings WHERE key = ?1",
			   &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	if (value)
		bind_text_utf8(st, 2, value);
	return step_done(s, st, "save a setting");
}

char *store_default_template(struct tacit_store *s)
{
	char *name = NULL;
	if (!s || tacit_store_setting_get(s, "summary.template", &name) != TACIT_OK || (name && !*name)) {
		tacit_free(name);
		name = NULL;
	}
	tacit_clear_error();
	return name;
}
