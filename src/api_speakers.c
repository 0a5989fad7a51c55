/*
 * api_speakers.c — a meeting's speakers for the page: GET lists them (label, name, talk
 * time, lines, a sample line to play), PUT {"speaker": WHO, "name": NAME} renames one for
 * the whole meeting with the library's tacit_store_speaker_rename() (as `tacit speakers
 * ID rename WHO NAME`), so the transcript, exports and later summaries follow. PUT
 * {"speaker": WHO, "remember": true, "name": NAME?} remembers WHO's voice (opt-in, as
 * `tacit speakers ID remember`); the listing says whether that is on ("voices") and which
 * speakers have a voiceprint, never the vector.
 */
#include "api.h"
#include "basics.h"

#include "utf8.h"

#include <yyjson.h>

struct list_ctx {
	yyjson_mut_doc *doc;
	yyjson_mut_val *arr;
};

static bool add_speaker(const struct tacit_speaker_info *sp, void *user)
{
	struct list_ctx *l = user;
	yyjson_mut_val *o = yyjson_mut_arr_add_obj(l->doc, l->arr);
	yyjson_mut_obj_add_strcpy(l->doc, o, "label", sp->label);
	if (sp->name)
		yyjson_mut_obj_add_strcpy(l->doc, o, "name", sp->name);
	else
		yyjson_mut_obj_add_null(l->doc, o, "name");
	yyjson_mut_obj_add_int(l->doc, o, "n_segments", sp->n_segments);
	yyjson_mut_obj_add_int(l->doc, o, "talk_ms", sp->talk_ms);
	yyjson_mut_obj_add_bool(l->doc, o, "voiceprint", sp->has_voiceprint);
	if (sp->sample_text) {
		yyjson_mut_val *s = yyjson_mut_obj_add_obj(l->doc, o, "sample");
		yyjson_mut_obj_add_int(l->doc, s, "segment_id", sp->sample_segment_id);
		yyjson_mut_obj_add_int(l->doc, s, "start_ms", sp->sample_start_ms);
		yyjson_mut_obj_add_int(l->doc, s, "end_ms", sp->sample_end_ms);
		yyjson_mut_obj_add_strcpy(l->doc, s, "text", sp->sample_text);
	} else {
		yyjson_mut_obj_add_null(l->doc, o, "sample");
	}
	return true;
}

static void list(struct api_response *res, struct tacit_store *store, int64_t id)
{
	struct list_ctx l = { yyjson_mut_doc_new(NULL), NULL };
	yyjson_mut_val *root = yyjson_mut_obj(l.doc);
	yyjson_mut_doc_set_root(l.doc, root);
	bool voices = false;
	enum tacit_status st = tacit_store_voices_enabled(store, &voices);
	yyjson_mut_obj_add_bool(l.doc, root, "voices", voices);
	l.arr = yyjson_mut_obj_add_arr(l.doc, root, "speakers");
	if (st == TACIT_OK)
		st = tacit_store_speakers_list(store, id, add_speaker, &l);
	if (st != TACIT_OK) {
		yyjson_mut_doc_free(l.doc);
		api_error(res, st);
		return;
	}
	api_json(res, 200, l.doc);
}

static void rename_one(struct api_call *c, struct api_response *res, struct tacit_store *store, int64_t id)
{
	yyjson_doc *doc = api_body_object(c, res);
	if (!doc)
		return;
	yyjson_val *root = yyjson_doc_get_root(doc);
	yyjson_val *who = yyjson_obj_get(root, "speaker"), *name = yyjson_obj_get(root, "name");
	yyjson_val *remember = yyjson_obj_get(root, "remember");
	bool keep_voice = yyjson_get_bool(remember); /* then no name is the speaker's own */
	if (!yyjson_is_str(who) || yyjson_get_len(who) == 0 || yyjson_get_len(who) > 256 ||
	    strlen(yyjson_get_str(who)) != yyjson_get_len(who)) {
		api_error_msg(res, 400, "\"speaker\" must be a speaker's label or name");
		goto out;
	}
	if (!(yyjson_is_null(name) || yyjson_is_str(name) || (keep_voice && !name)) ||
	    (yyjson_is_str(name) && (yyjson_get_len(name) > TACIT_SPEAKER_NAME_MAX ||
				     strlen(yyjson_get_str(name)) != yyjson_get_len(name) ||
				     !utf8_valid(yyjson_get_str(name), yyjson_get_len(name))))) {
		api_error_msg(res, 400, "\"name\" must be text of at most %d bytes, or null for the label",
			      TACIT_SPEAKER_NAME_MAX);
		goto out;
	}
	/* a name of spaces or control characters would make a line look unlabelled */
	for (const char *p = yyjson_is_str(name) ? yyjson_get_str(name) : ""; *p; p++)
		if ((unsigned char)*p < 0x20) {
			api_error_msg(res, 400, "\"name\" cannot hold control characters");
			goto out;
		}
	if (remember && !yyjson_is_bool(remember)) {
		api_error_msg(res, 400, "\"remember\" must be true or false");
		goto out;
	}
	enum tacit_status st = keep_voice
				       ? tacit_store_voice_remember(store, id, yyjson_get_str(who),
								    yyjson_is_str(name) ? yyjson_get_str(name) : NULL)
				       : tacit_store_speaker_rename(store, id, yyjson_get_str(who),
								    yyjson_is_str(name) ? yyjson_get_str(name) : NULL, NULL);
	if (st != TACIT_OK) {
		api_error(res, st);
		goto out;
	}
	list(res, store, id);
out:
	yyjson_doc_free(doc);
}

void api_speakers(struct api_call *c, struct api_response *res, struct tacit_store *store, int64_t id)
{
	if (!strcmp(c->req->method, "PUT"))
		rename_one(c, res, store, id);
	else
		list(res, store, id);
}
