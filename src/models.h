/*
 * models.h — model resolution (models.c) for callers that already hold the store: the web
 * app's status answers three resolves with one store connection instead of one each
 * (every open runs the store's quick check, tens of ms on a store of many meetings).
 */
#ifndef TACIT_MODELS_H
#define TACIT_MODELS_H

#include "internal.h"

/* tacit_model_resolve(), reading the per-device choice (setting model.KIND) from store;
 * store NULL: opens the default store for it, as tacit_model_resolve() does. */
enum tacit_status models_resolve_in(struct tacit_store *store, enum tacit_model_kind kind, const char *name,
				    char **out_path);

#endif
