/*
 * reply.c — tacit-worker's answers to its parent (see reply.h): the JSON frames every
 * engine's requests end with, written whole to stdout. A write that fails means the
 * parent has gone (or memory ran out): the worker exits, as nothing useful is left to do.
 */
#include "internal.h"

#include "reply.h"

#include <unistd.h>

void worker_send(enum proto_type type, yyjson_mut_doc *doc)
{
	size_t len = 0;
	char *text = yyjson_mut_write(doc, 0, &len);
	if (!text || !proto_send(STDOUT_FILENO, type, text, len))
		_exit(3); /* the parent is gone, or no memory: nothing useful left to do */
	free(text);
}

void worker_send_with(enum proto_type type, yyjson_mut_doc *doc, const void *data, size_t data_len)
{
	size_t len = 0;
	char *text = yyjson_mut_write(doc, 0, &len);
	/* the JSON's NUL goes too: the data starts after it */
	if (!text || !proto_send_parts(STDOUT_FILENO, type, text, len + 1, data, data_len))
		_exit(3);
	free(text);
}

yyjson_mut_doc *worker_reply(long long id, yyjson_mut_val **o)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	*o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, *o);
	yyjson_mut_obj_add_sint(doc, *o, "id", id);
	return doc;
}

int worker_req_threads(yyjson_val *req)
{
	yyjson_val *t = yyjson_obj_get(req, "n_threads");
	return yyjson_is_int(t) ? (int)yyjson_get_sint(t) : 0;
}

void worker_send_error(long long id, enum tacit_status st)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *o = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	yyjson_mut_obj_add_sint(doc, o, "id", id);
	yyjson_mut_obj_add_int(doc, o, "status", st);
	yyjson_mut_obj_add_str(doc, o, "message", tacit_errmsg());
	worker_send(PROTO_ERROR, doc);
	yyjson_mut_doc_free(doc);
}
