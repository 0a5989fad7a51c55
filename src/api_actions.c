/*
 * api_actions.c — action items across meetings for the web app, as `tacit actions`:
 * GET /api/actions[?open=1] lists them (owner, task, due, the meeting, done), newest
 * meeting first; PUT /api/actions/ID {"done": true|false} marks one done or open again
 * and answers with the item. The ids are the store's (stable across regenerations).
 */
#include "api.h"

#include <yyjson.h>

struct listing {
	yyjson_mut_doc *doc;
	yyjson_mut_val *arr;
	int64_t only_id; /* > 0: just this item */
};

static bool add_item(const struct tacit_action *a, void *user)
{
	struct listing *l = user;
	if (l->only_id && a->id != l->only_id)
		return true;
	yyjson_mut_doc *d = l->doc;
	yyjson_mut_val *o = yyjson_mut_arr_add_obj(d, l->arr);
	yyjson_mut_obj_add_int(d, o, "id", a->id);
	yyjson_mut_obj_add_strcpy(d, o, "owner", a->owner);
	yyjson_mut_obj_add_strcpy(d, o, "task", a->task);
	yyjson_mut_obj_add_strcpy(d, o, "due", a->due);
	yyjson_mut_obj_add_bool(d, o, "done", a->done_ms != 0);
	yyjson_mut_obj_add_int(d, o, "done_ms", a->done_ms);
	yyjson_mut_obj_add_int(d, o, "session_id", a->session_id);
	yyjson_mut_obj_add_strcpy(d, o, "session_title", a->session_title);
	yyjson_mut_obj_add_int(d, o, "session_started_ms", a->session_started_ms);
	yyjson_mut_val *c = yyjson_mut_obj_add_arr(d, o, "cites");
	for (size_t i = 0; i < a->n_cites; i++)
		yyjson_mut_arr_add_int(d, c, a->cites[i]);
	return true;
}

/* {"actions": [...]} of the items params selects (only_id: that one, as {"action"}). */
static void list(struct api_response *res, struct tacit_store *store, const struct tacit_action_params *p,
		 int64_t only_id)
{
	struct listing l = { yyjson_mut_doc_new(NULL), NULL, only_id };
	yyjson_mut_val *root = yyjson_mut_obj(l.doc);
	yyjson_mut_doc_set_root(l.doc, root);
	l.arr = yyjson_mut_obj_add_arr(l.doc, root, "actions");
	enum tacit_status st = tacit_store_actions(store, p, add_item, &l);
	if (st != TACIT_OK) {
		yyjson_mut_doc_free(l.doc);
		api_error(res, st);
		return;
	}
	if (only_id) {
		yyjson_mut_val *one = yyjson_mut_arr_get_first(l.arr);
		yyjson_mut_obj_remove_key(root, "actions");
		yyjson_mut_obj_add_val(l.doc, root, "action", one ? one : yyjson_mut_null(l.doc));
	}
	api_json(res, 200, l.doc);
}

static void mark(struct api_call *c, struct api_response *res, struct tacit_store *store, int64_t id)
{
	yyjson_doc *doc = api_body_object(c, res);
	if (!doc)
		return;
	yyjson_val *done = yyjson_obj_get(yyjson_doc_get_root(doc), "done");
	if (!yyjson_is_bool(done)) {
		api_error_msg(res, 400, "\"done\" must be true or false");
	} else {
		enum tacit_status st = tacit_store_action_done(store, id, yyjson_get_bool(done));
		if (st != TACIT_OK)
			api_error(res, st);
		else
			list(res, store, NULL, id);
	}
	yyjson_doc_free(doc);
}

bool api_actions_route(struct api_call *c, struct api_response *res)
{
	const char *m = c->req->method;
	bool get = !strcmp(m, "GET") || !strcmp(m, "HEAD");
	int64_t id = 0;

	if (c->n_seg < 2 || strcmp(c->seg[1], "actions"))
		return false;
	if (c->n_seg > 3 || (c->n_seg == 2 && !get) || (c->n_seg == 3 && strcmp(m, "PUT"))) {
		api_error_msg(res, c->n_seg > 3 ? 404 : 405, "no %s on this action resource", m);
		return true;
	}
	if (c->n_seg == 3 && !(id = api_parse_id(c->seg[2]))) {
		api_error_msg(res, 400, "'%.40s' is not an action item id", c->seg[2]);
		return true;
	}
	const char *open = api_arg(c, "open");
	if (open && strcmp(open, "1") && strcmp(open, "0")) {
		api_error_msg(res, 400, "\"open\" must be 1 or 0");
		return true;
	}
	struct tacit_store *store = api_store(c->api, res);
	if (!store)
		return true;
	if (id) {
		mark(c, res, store, id);
	} else {
		struct tacit_action_params p = tacit_action_default_params();
		p.open_only = open && !strcmp(open, "1");
		list(res, store, &p, 0);
	}
	api_store_put(c->api, store);
	return true;
}
