/*
 * owners.h — the check after a summary is generated (owners.c): every owner of an action
 * item and every speaker of a per-speaker point is one of the meeting's speakers (their
 * name when renamed) or "unassigned"; anything else the model wrote becomes "unassigned".
 */
#ifndef TACIT_OWNERS_H
#define TACIT_OWNERS_H

#include "internal.h"

#define OWNER_NONE "unassigned"

/* Rewrites the summary json (checked JSON, an object) into out with every "owner" and
 * "speaker" of its sections' items that is not exactly one of names (n of them) or
 * OWNER_NONE replaced by OWNER_NONE; *n_fixed (may be NULL) counts them. Errors:
 * TACIT_ERR_LLM (not a JSON object), TACIT_ERR_NOMEM. */
enum tacit_status owners_check(const char *json, const char *const *names, size_t n, struct buf *out, int *n_fixed);

#endif
