/*
 * custom.c — custom models (`tacit add PATH`, `tacit forget NAME`): GGUF files the user
 * owns, referenced by absolute path in the session store, never copied. A file is
 * recorded only after the strict GGUF check and a load probe in a tacit-worker child
 * under RLIMIT_AS and a timeout; whatever the file does to llama.cpp, only that child
 * dies. The record keeps the size and mtime that were checked: a file that is gone or
 * changed since shows as missing rather than being loaded unchecked.
 */
#include "internal.h"

#include "basics.h"
#include "custom.h"
#include "store.h"
#include "utf8.h"
#include "workerproc.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <yyjson.h>

#define CUSTOM_DEFAULT_TIMEOUT_MS 60000
#define CUSTOM_DEFAULT_MEM_LIMIT (8ull << 30)
#define PROBE_OUTPUT_MAX (64u << 10)

/* ASan and TSan reserve terabytes of address space for their shadow memory: a sanitized
 * probe cannot run under RLIMIT_AS at all. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif

extern char **environ;

struct tacit_custom_params tacit_custom_default_params(void)
{
	struct tacit_custom_params p = {
		.name = NULL,
		.timeout_ms = CUSTOM_DEFAULT_TIMEOUT_MS,
		.mem_limit_bytes = CUSTOM_DEFAULT_MEM_LIMIT,
	};
	return p;
}

/* ---- the layout as JSON, both ways ------------------------------------------------- */

#define LAYOUT_U64(f) { #f, offsetof(struct tacit_model_layout, f), true }
#define LAYOUT_INT(f) { #f, offsetof(struct tacit_model_layout, f), false }
static const struct {
	const char *key;
	size_t off;
	bool u64;
} layout_fields[] = {
	LAYOUT_U64(weights_bytes),    LAYOUT_U64(params_total),     LAYOUT_U64(params_active),
	LAYOUT_INT(n_layers),         LAYOUT_INT(n_embd),           LAYOUT_INT(n_head),
	LAYOUT_INT(n_vocab),          LAYOUT_INT(attn_full_layers), LAYOUT_INT(n_head_kv),
	LAYOUT_INT(head_dim),         LAYOUT_INT(attn_swa_layers),  LAYOUT_INT(sliding_window),
	LAYOUT_INT(swa_n_head_kv),    LAYOUT_INT(swa_head_dim),     LAYOUT_INT(recurrent_layers),
	LAYOUT_U64(recurrent_state_bytes_per_layer),                LAYOUT_INT(kv_shared_layers),
	LAYOUT_INT(n_expert),         LAYOUT_INT(n_expert_used),    LAYOUT_U64(cpu_repack_bytes),
};

static char *info_json(const struct tacit_gguf_info *in, const struct tacit_model_layout *l)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	char *text = NULL;
	if (!doc)
		return NULL;
	yyjson_mut_val *o = yyjson_mut_obj(doc), *lo = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, o);
	yyjson_mut_obj_add_strcpy(doc, o, "arch", in->architecture);
	yyjson_mut_obj_add_strcpy(doc, o, "quant", in->file_type_name);
	yyjson_mut_obj_add_uint(doc, o, "n_ctx_train", in->n_ctx_train > UINT32_MAX ? 0 : in->n_ctx_train);
	for (size_t i = 0; i < ARRAY_SIZE(layout_fields); i++) {
		const char *p = (const char *)l + layout_fields[i].off;
		if (layout_fields[i].u64)
			yyjson_mut_obj_add_uint(doc, lo, layout_fields[i].key, *(const uint64_t *)(const void *)p);
		else
			yyjson_mut_obj_add_int(doc, lo, layout_fields[i].key, *(const int *)(const void *)p);
	}
	yyjson_mut_obj_add_val(doc, o, "layout", lo);
	text = utf8_json_write(doc, 0, NULL);
	yyjson_mut_doc_free(doc);
	return text;
}

static void layout_from_json(yyjson_val *lo, struct tacit_model_layout *l)
{
	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < ARRAY_SIZE(layout_fields); i++) {
		yyjson_val *v = yyjson_obj_get(lo, layout_fields[i].key);
		char *p = (char *)l + layout_fields[i].off;
		if (!yyjson_is_uint(v))
			continue;
		if (layout_fields[i].u64)
			*(uint64_t *)(void *)p = yyjson_get_uint(v);
		else if (yyjson_get_uint(v) <= INT_MAX)
			*(int *)(void *)p = (int)yyjson_get_uint(v);
	}
}

/* ---- names ------------------------------------------------------------------------- */

bool custom_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > CUSTOM_NAME_MAX || s[0] == '.' || s[0] == '-')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' || *s == '_'))
			return false;
	return true;
}

void custom_name_from_path(const char *path, char *out, size_t cap)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base), j = 0;
	if (n > 5 && !strcasecmp(base + n - 5, ".gguf"))
		n -= 5;
	for (size_t i = 0; i < n && j + 1 < cap && j < CUSTOM_NAME_MAX; i++) {
		char c = base[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_'))
			c = '-';
		if (c == '-' && (j == 0 || out[j - 1] == '-'))
			continue;
		out[j++] = c;
	}
	while (j > 0 && (out[j - 1] == '-' || out[j - 1] == '.'))
		j--;
	out[j] = '\0';
}

/* ---- the load probe ---------------------------------------------------------------- */

/* The last non-empty line of text, in place (it may be cut at 200 bytes). */
static const char *last_line(struct buf *b)
{
	while (b->len && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r'))
		b->data[--b->len] = '\0';
	char *nl = strrchr(b->data, '\n');
	char *s = nl ? nl + 1 : b->data;
	if (strlen(s) > 200)
		s[200] = '\0';
	return s;
}

/* Runs tacit-worker --check-model path in a child limited to mem_limit bytes of address
 * space and timeout_ms; its stdout (one JSON line) goes to out. */
static enum tacit_status run_probe(const char *path, const struct tacit_custom_params *p, struct buf *out)
{
	enum tacit_status st = TACIT_OK;
	int fds_out[2] = { -1, -1 }, fds_err[2] = { -1, -1 }, status = 0;
	struct buf exe, err;
	pid_t pid = -1;
	bool timed_out = false;

	buf_init(&exe);
	buf_init(&err);
	out->cap = err.cap = PROBE_OUTPUT_MAX;
	if (!worker_find(&exe)) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (pipe2(fds_out, O_CLOEXEC) || pipe2(fds_err, O_CLOEXEC)) {
		st = tacit_fail_errno(TACIT_ERR_WORKER, "cannot create pipes for the load probe");
		goto out;
	}
	struct rlimit as = { (rlim_t)p->mem_limit_bytes, (rlim_t)p->mem_limit_bytes }, core = { 0, 0 };
	char *argv[] = { (char *)"tacit-worker", (char *)CUSTOM_CHECK_ARG, (char *)path, NULL };
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid = fork();
	if (pid == 0) {
		/* the child: only async-signal-safe calls until exec */
#ifndef UNDER_SANITIZER
		if (p->mem_limit_bytes)
			setrlimit(RLIMIT_AS, &as);
#else
		(void)as;
#endif
		setrlimit(RLIMIT_CORE, &core); /* a crash here is expected: no core file */
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(fds_out[1], STDOUT_FILENO);
		dup2(fds_err[1], STDERR_FILENO);
		execve(exe.data, argv, environ);
		_exit(127);
	}
	if (devnull >= 0)
		close(devnull);
	close(fds_out[1]);
	close(fds_err[1]);
	fds_out[1] = fds_err[1] = -1;
	if (pid < 0) {
		st = tacit_fail_errno(TACIT_ERR_WORKER, "cannot start the load probe");
		goto out;
	}
	double deadline = clock_now_ms() + (p->timeout_ms > 0 ? p->timeout_ms : CUSTOM_DEFAULT_TIMEOUT_MS);
	while (fds_out[0] >= 0 || fds_err[0] >= 0) {
		struct pollfd pf[2] = { { fds_out[0], POLLIN, 0 }, { fds_err[0], POLLIN, 0 } };
		double left = deadline - clock_now_ms();
		if (left <= 0) {
			timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		int r = poll(pf, 2, (int)left + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		for (int i = 0; i < 2; i++) {
			int *fd = i == 0 ? &fds_out[0] : &fds_err[0];
			struct buf *b = i == 0 ? out : &err;
			if (*fd < 0 || !pf[i].revents)
				continue;
			char chunk[4096];
			ssize_t n = read(*fd, chunk, sizeof(chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(*fd);
				*fd = -1;
			} else if (b->len + (size_t)n < PROBE_OUTPUT_MAX) {
				buf_add(b, chunk, (size_t)n);
			} else if (i == 1) { /* a flood of log lines: keep the latest */
				buf_reset(b);
				buf_add(b, chunk, (size_t)n);
			}
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out) {
		st = tacit_fail(TACIT_ERR_MODEL, "the load probe of '%s' did not finish within %d s and was stopped: the "
						 "file is not accepted",
				path, (p->timeout_ms > 0 ? p->timeout_ms : CUSTOM_DEFAULT_TIMEOUT_MS) / 1000);
	} else if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		const char *line = last_line(&err);
		st = tacit_fail(TACIT_ERR_MODEL,
				"the load probe of '%s' crashed (signal %d%s)%s%s%s: llama.cpp cannot load this file safely, "
				"so it is not accepted",
				path, sig,
				sig == SIGKILL	 ? ", out of its memory limit?"
				: sig == SIGABRT ? ", an assertion in llama.cpp"
				: sig == SIGSEGV ? ", a crash in llama.cpp"
						 : "",
				*line ? " ('" : "", line, *line ? "')" : "");
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !out->len) {
		const char *line = last_line(&err);
		int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (code == 127)
			st = tacit_fail(TACIT_ERR_WORKER, "cannot run the model worker '%s' for the load probe (set "
							  "TACIT_WORKER to its path)",
					exe.data);
		else
			st = tacit_fail(TACIT_ERR_MODEL,
					"the load probe of '%s' failed (exit status %d)%s%s%s: the file is not accepted",
					path, code, *line ? " ('" : "", line, *line ? "')" : "");
	}
out:
	for (int i = 0; i < 2; i++) {
		if (fds_out[i] >= 0)
			close(fds_out[i]);
		if (fds_err[i] >= 0)
			close(fds_err[i]);
	}
	buf_release(&exe);
	buf_release(&err);
	return st;
}

/* The probe's verdict from its JSON line. */
static enum tacit_status probe_verdict(const char *path, const struct buf *out)
{
	yyjson_doc *doc = yyjson_read(out->data, out->len, 0);
	yyjson_val *root = yyjson_doc_get_root(doc);
	enum tacit_status st;
	if (!yyjson_is_obj(root)) {
		st = tacit_fail(TACIT_ERR_MODEL, "the load probe of '%s' gave no verdict: the file is not accepted", path);
	} else if (yyjson_get_bool(yyjson_obj_get(root, "ok"))) {
		st = TACIT_OK;
	} else {
		int64_t code = yyjson_get_sint(yyjson_obj_get(root, "status"));
		const char *msg = yyjson_get_str(yyjson_obj_get(root, "message"));
		if (code <= TACIT_OK || code > TACIT_ERR_INTERNAL)
			code = TACIT_ERR_MODEL;
		st = tacit_fail((enum tacit_status)code, "%s", msg && *msg ? msg : "the load probe refused the file");
	}
	yyjson_doc_free(doc);
	return st;
}

/* ---- the records ------------------------------------------------------------------- */

struct tacit_custom_models {
	struct tacit_custom_model *items;
	size_t n, alloc;
	bool oom; /* collecting ran out of memory */
};

static void item_release(struct tacit_custom_model *m)
{
	free((char *)m->name);
	free((char *)m->path);
	free((char *)m->arch);
	free((char *)m->quant);
	free((char *)m->problem);
}

void tacit_custom_list_free(struct tacit_custom_models *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->n; i++)
		item_release(&list->items[i]);
	free(list->items);
	free(list);
}

size_t tacit_custom_count(const struct tacit_custom_models *list)
{
	return list ? list->n : 0;
}

const struct tacit_custom_model *tacit_custom_get(const struct tacit_custom_models *list, size_t i)
{
	return list && i < list->n ? &list->items[i] : NULL;
}

const struct tacit_custom_model *tacit_custom_find(const struct tacit_custom_models *list, const char *name)
{
	for (size_t i = 0; list && name && i < list->n; i++)
		if (!strcmp(list->items[i].name, name))
			return &list->items[i];
	return NULL;
}

static int64_t mtime_ns(const struct stat *sb)
{
	return (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
}

/* Whether the file is still the one that was checked; the problem (with the remedy)
 * when not, else NULL. */
static char *file_problem(const char *name, const char *path, int64_t bytes, int64_t mtime)
{
	struct stat sb;
	char *p = NULL;
	int r;
	if (stat(path, &sb) != 0)
		r = asprintf(&p,
			     "file '%s' is missing (%s): moved or deleted? 'tacit add NEWPATH --name %s' points it "
			     "at the new place, 'tacit forget %s' drops it",
			     path, strerror(errno), name, name);
	else if (!S_ISREG(sb.st_mode))
		r = asprintf(&p, "'%s' is no longer a regular file: 'tacit forget %s' drops it", path, name);
	else if ((int64_t)sb.st_size != bytes || mtime_ns(&sb) != mtime)
		r = asprintf(&p, "file '%s' changed since it was checked: run 'tacit add %s --name %s' to check it again",
			     path, path, name);
	else
		return NULL;
	return r < 0 ? strdup("?") : p;
}

static int collect(const struct store_custom_row *r, void *user)
{
	struct tacit_custom_models *list = user;
	if (list->n == list->alloc) {
		size_t na = list->alloc ? list->alloc * 2 : 8;
		void *ni = realloc(list->items, na * sizeof(*list->items));
		if (!ni) {
			list->oom = true;
			return 1;
		}
		list->items = ni;
		list->alloc = na;
	}
	struct tacit_custom_model *m = &list->items[list->n];
	memset(m, 0, sizeof(*m));
	yyjson_doc *doc = yyjson_read(r->info, strlen(r->info), 0);
	yyjson_val *root = yyjson_doc_get_root(doc);
	const char *arch = yyjson_get_str(yyjson_obj_get(root, "arch"));
	const char *quant = yyjson_get_str(yyjson_obj_get(root, "quant"));
	uint64_t ctx = yyjson_get_uint(yyjson_obj_get(root, "n_ctx_train"));
	layout_from_json(yyjson_obj_get(root, "layout"), &m->layout);
	m->name = strdup(r->name);
	m->path = strdup(r->path);
	m->arch = strdup(arch ? arch : "");
	m->quant = strdup(quant ? quant : "");
	yyjson_doc_free(doc);
	m->n_ctx_train = ctx <= UINT32_MAX ? (uint32_t)ctx : 0;
	m->file_bytes = r->file_bytes > 0 ? (uint64_t)r->file_bytes : 0;
	m->added_ms = r->added_ms;
	char *problem = file_problem(r->name, r->path, r->file_bytes, r->mtime_ns);
	m->missing = problem != NULL;
	m->problem = problem ? problem : strdup("");
	list->n++;
	if (!m->name || !m->path || !m->arch || !m->quant || !m->problem) {
		list->oom = true;
		return 1;
	}
	return 0;
}

enum tacit_status tacit_custom_list(struct tacit_custom_models **out)
{
	return custom_list_in(NULL, out);
}

enum tacit_status custom_list_in(struct tacit_store *given, struct tacit_custom_models **out)
{
	struct tacit_store *store = given;
	struct tacit_custom_models *list;
	enum tacit_status st = TACIT_OK;

	if (!out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_custom_list: out is NULL");
	*out = NULL;
	if (!(list = calloc(1, sizeof(*list))))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	if (store || (st = tacit_store_open(NULL, &store)) == TACIT_OK)
		st = store_custom_list(store, collect, list);
	if (store != given)
		tacit_store_close(store);
	if (st == TACIT_OK && list->oom)
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory listing the custom models");
	if (st != TACIT_OK) {
		tacit_custom_list_free(list);
		return st;
	}
	*out = list;
	return TACIT_OK;
}

enum tacit_status tacit_custom_forget(const char *name)
{
	struct tacit_store *store = NULL;
	enum tacit_status st;
	if (!name || !*name)
		return tacit_fail(TACIT_ERR_USAGE, "which custom model? (a name from 'tacit models')");
	if ((st = tacit_store_open(NULL, &store)) == TACIT_OK)
		st = store_custom_delete(store, name);
	tacit_store_close(store);
	return st;
}

enum tacit_status tacit_custom_add(const char *path, const struct tacit_custom_params *params, char **out_name)
{
	struct tacit_custom_params p = params ? *params : tacit_custom_default_params();
	struct tacit_gguf_info *info = NULL;
	struct tacit_model_layout layout;
	struct tacit_catalog *cat = NULL;
	struct tacit_custom_models *list = NULL;
	struct tacit_store *store = NULL;
	struct buf probe;
	char abs[PATH_MAX], name[CUSTOM_NAME_MAX + 1], *json = NULL;
	struct stat before, after;
	enum tacit_status st;

	buf_init(&probe);
	if (out_name)
		*out_name = NULL;
	if (!path || !*path)
		return tacit_fail(TACIT_ERR_USAGE, "which file? (a GGUF model's path)");
	if (!realpath(path, abs))
		return tacit_fail_errno(errno == ENOENT ? TACIT_ERR_NOT_FOUND : TACIT_ERR_IO, "cannot open '%s'", path);
	if (p.name && *p.name)
		snprintf(name, sizeof(name), "%s", p.name);
	else
		custom_name_from_path(abs, name, sizeof(name));
	if (!custom_name_ok(p.name && *p.name ? p.name : name))
		return tacit_fail(TACIT_ERR_USAGE,
				  "'%s' cannot name a model: use 1 to %d of a-z, 0-9, '.', '-', '_' (pass --name NAME)",
				  p.name && *p.name ? p.name : name, CUSTOM_NAME_MAX);
	if ((st = tacit_catalog_load(&cat)) != TACIT_OK)
		goto out;
	if (tacit_catalog_find(cat, name)) {
		st = tacit_fail(TACIT_ERR_USAGE, "'%s' is a catalog model's name: pass --name with another", name);
		goto out;
	}
	if ((st = tacit_custom_list(&list)) != TACIT_OK)
		goto out;
	const struct tacit_custom_model *old = tacit_custom_find(list, name);
	if (old && strcmp(old->path, abs) != 0 && !old->missing) {
		st = tacit_fail(TACIT_ERR_USAGE, "'%s' already names '%s': pass --name with another, or 'tacit forget %s' first",
				name, old->path, name);
		goto out;
	}
	if (stat(abs, &before) != 0) {
		st = tacit_fail_errno(TACIT_ERR_IO, "cannot open '%s'", abs);
		goto out;
	}
	/* 1. the strict pre-parser; 2. the header's layout; 3. llama.cpp, in a child */
	if ((st = tacit_gguf_inspect(abs, &info)) != TACIT_OK)
		goto out;
	if ((st = tacit_gguf_layout(info, &layout)) != TACIT_OK)
		goto out;
	if ((st = run_probe(abs, &p, &probe)) != TACIT_OK || (st = probe_verdict(abs, &probe)) != TACIT_OK)
		goto out;
	if (stat(abs, &after) != 0 || after.st_size != before.st_size || mtime_ns(&after) != mtime_ns(&before)) {
		st = tacit_fail(TACIT_ERR_IO, "'%s' changed while it was being checked: try again once it is complete", abs);
		goto out;
	}
	if (!(json = info_json(info, &layout))) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	struct store_custom_row row = {
		.name = name,
		.path = abs,
		.file_bytes = (int64_t)after.st_size,
		.mtime_ns = mtime_ns(&after),
		.info = json,
	};
	if ((st = tacit_store_open(NULL, &store)) == TACIT_OK)
		st = store_custom_put(store, &row);
	if (st == TACIT_OK && out_name && !(*out_name = strdup(name)))
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
out:
	tacit_store_close(store);
	free(json);
	tacit_custom_list_free(list);
	tacit_catalog_free(cat);
	tacit_gguf_info_free(info);
	buf_release(&probe);
	return st;
}
