/*
 * devices.h — ggml's backend devices, enumerated inside tacit-worker (devices.c): loading
 * the backends runs GPU drivers' code, so a driver that crashes takes down only the worker.
 */
#ifndef TACIT_WORKER_DEVICES_H
#define TACIT_WORKER_DEVICES_H

#include <yyjson.h>

/* Loads the ggml backends once per process (GPU drivers included): whisper needs them
 * before init, and devices_list() lists what they found. */
void devices_load(void);

/* Appends one object per device to arr: {"name","description","type" ("cpu", "gpu",
 * "igpu", "accel"),"mem_free","mem_total"} (bytes), in ggml's order. */
void devices_list(yyjson_mut_doc *doc, yyjson_mut_val *arr);

#endif
