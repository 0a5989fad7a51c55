/*
 * devices.c — ggml backend devices (the adapter for ggml-backend.h), listed for a DEVICES
 * request: what llama.cpp and whisper.cpp could offload to, with free/total memory.
 * The caller asks for it and keeps the list (src/devices.c), adding what no API reports
 * (bandwidth, unified memory), so GPU drivers are loaded only here: devices_load() is
 * the one ggml_backend_load_all() of the project.
 */
#include "internal.h"

#include "deplog.h"
#include "devices.h"

#include <pthread.h>

#include <ggml-backend.h>

static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load_backends(void)
{
	deplog_init();
	ggml_backend_load_all();
}

void devices_load(void)
{
	pthread_once(&load_once, load_backends);
}

static const char *type_str(enum ggml_backend_dev_type t)
{
	switch (t) {
	case GGML_BACKEND_DEVICE_TYPE_CPU:
		return "cpu";
	case GGML_BACKEND_DEVICE_TYPE_GPU:
		return "gpu";
	case GGML_BACKEND_DEVICE_TYPE_IGPU:
		return "igpu";
	default:
		return "accel";
	}
}

void devices_list(yyjson_mut_doc *doc, yyjson_mut_val *arr)
{
	devices_load();
	size_t n = ggml_backend_dev_count();
	for (size_t i = 0; i < n; i++) {
		ggml_backend_dev_t dev = ggml_backend_dev_get(i);
		size_t free_b = 0, total_b = 0;
		ggml_backend_dev_memory(dev, &free_b, &total_b);
		yyjson_mut_val *o = yyjson_mut_arr_add_obj(doc, arr);
		yyjson_mut_obj_add_strcpy(doc, o, "name", ggml_backend_dev_name(dev));
		yyjson_mut_obj_add_strcpy(doc, o, "description", ggml_backend_dev_description(dev));
		yyjson_mut_obj_add_str(doc, o, "type", type_str(ggml_backend_dev_type(dev)));
		yyjson_mut_obj_add_uint(doc, o, "mem_free", free_b);
		yyjson_mut_obj_add_uint(doc, o, "mem_total", total_b);
	}
}
