/*
 * custom.h — the two halves of the custom-model load probe. The parent (custom.c) runs
 * `tacit-worker --check-model PATH` under an address-space limit and a timeout; the
 * worker calls model_load_check() (worker/loadcheck.c, the only part that includes llama.h)
 * and prints its JSON line. A hostile file can only ever kill that child.
 */
#ifndef TACIT_CUSTOM_H
#define TACIT_CUSTOM_H

#include "internal.h"

/* The longest custom model name. */
#define CUSTOM_NAME_MAX 64

/* Whether s may name a custom model: 1 to CUSTOM_NAME_MAX of [a-z0-9._-], not starting
 * with '.' or '-'. The web API checks names with this before calling the library. */
bool custom_name_ok(const char *s);

/* The name a file gets when none is given: "dir/My Model.Q4_K_M.gguf" ->
 * "my-model.q4_k_m" (may be empty, or fail custom_name_ok(), for odd file names). */
void custom_name_from_path(const char *path, char *out, size_t cap);

/* tacit_custom_list() read from store (NULL: opens the default store for it). */
enum tacit_status custom_list_in(struct tacit_store *store, struct tacit_custom_models **out);

/* The argument that puts tacit-worker in probe mode. */
#define CUSTOM_CHECK_ARG "--check-model"

/* Loads path through llama.cpp twice without reading weights: vocabulary only, then a
 * no-allocation dry run of the whole model (architecture, hyper-parameters, every tensor
 * name and shape). On success appends a JSON object to out: {"ok":true,"arch":...,
 * "n_vocab":N,"n_layer":N,"n_params":N,"size":N,"desc":...}. On failure records why. */
enum tacit_status model_load_check(const char *path, struct buf *out);

#endif
