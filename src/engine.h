/*
 * engine.h — internal helpers around struct tacit_engine (public in include/tacit.h).
 */
#ifndef TACIT_ENGINE_H
#define TACIT_ENGINE_H

#include "internal.h"

/* "HOST[:PORT]" of the engine's URL, for messages ("" for a local engine). */
void engine_host(const struct tacit_engine *e, char *out, size_t len);

#endif
