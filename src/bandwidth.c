/*
 * bandwidth.c — measured CPU memory bandwidth, the number CPU token rates follow from.
 * A STREAM triad (a = b + s*c) on all usable cores, best of several passes, cached in
 * the cache dir under the machine id so `tacit models` stays instant.
 */
#include "internal.h"

#include "basics.h"
#include "probe.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <yyjson.h>

#define TRIAD_PASSES 8
#define TRIAD_ARRAY_BYTES ((size_t)128 << 20) /* 3 x 128 MiB: far past any L3 */
/* Bump when the measurement changes: cached figures of other methods are not reused. */
#define TRIAD_METHOD 3

struct triad {
	double *a, *b, *c;
	size_t n;
	int n_threads; /* the team size, fixed before the gate opens */
	pthread_barrier_t start, done;
	pthread_mutex_t lock;
	pthread_cond_t gate;
	bool open;
};

struct triad_arg {
	struct triad *t;
	int index;
};

static void triad_slice(const struct triad *t, int index, size_t *lo, size_t *hi)
{
	size_t chunk = t->n / (size_t)t->n_threads;
	*lo = chunk * (size_t)index;
	*hi = index == t->n_threads - 1 ? t->n : *lo + chunk;
}

/* Not instrumented under a sanitizer: each thread owns its slice, and a checked load
 * costs more than the memory it reads (under TSan the figure fell to 0.3 GB/s). */
__attribute__((no_sanitize("address", "thread", "undefined")))
static void triad_pass(struct triad *t, size_t lo, size_t hi)
{
	double *restrict a = t->a;
	const double *restrict b = t->b, *restrict c = t->c;
	for (size_t i = lo; i < hi; i++)
		a[i] = b[i] + 3.0 * c[i];
}

static void triad_touch(struct triad *t, size_t lo, size_t hi)
{
	/* First touch by the thread that will use the pages (NUMA locality). */
	for (size_t i = lo; i < hi; i++) {
		t->a[i] = 0.0;
		t->b[i] = 1.0;
		t->c[i] = 2.0;
	}
}

/* Team members 1..n-1; member 0 is the measuring thread itself, so no extra thread
 * competes for a core (a preempted timer thread would read absurd figures). */
static void *triad_worker(void *p)
{
	struct triad_arg *arg = p;
	struct triad *t = arg->t;
	size_t lo, hi;
	/* Wait until every thread exists: only then is the team size known. */
	pthread_mutex_lock(&t->lock);
	while (!t->open)
		pthread_cond_wait(&t->gate, &t->lock);
	pthread_mutex_unlock(&t->lock);
	triad_slice(t, arg->index, &lo, &hi);
	triad_touch(t, lo, hi);
	for (int pass = 0; pass <= TRIAD_PASSES; pass++) {
		pthread_barrier_wait(&t->start);
		triad_pass(t, lo, hi);
		pthread_barrier_wait(&t->done);
	}
	return NULL;
}

static double *triad_alloc(size_t bytes)
{
	void *p = NULL;
	bytes = (bytes + (2u << 20) - 1) & ~(size_t)((2u << 20) - 1);
	if (posix_memalign(&p, 2u << 20, bytes) != 0)
		return NULL;
	madvise(p, bytes, MADV_NOHUGEPAGE);
	return p;
}

double bandwidth_measure(int n_threads, size_t bytes_per_array)
{
	struct triad t = { 0 };
	pthread_t tid[256];
	struct triad_arg args[256];
	double best = 0;
	int started = 0;

	if (n_threads < 1)
		n_threads = 1;
	if (n_threads > (int)ARRAY_SIZE(tid))
		n_threads = (int)ARRAY_SIZE(tid);
	t.n = bytes_per_array / sizeof(double);
	t.n_threads = n_threads;
	/* Small pages, explicitly: llama.cpp reads weights from an mmapped GGUF in the page
	 * cache (4 KiB pages), and leaving it to chance made the figure swing from 40 to
	 * 70 GB/s here depending on where malloc put the arrays. */
	t.a = triad_alloc(t.n * sizeof(double));
	t.b = triad_alloc(t.n * sizeof(double));
	t.c = triad_alloc(t.n * sizeof(double));
	if (!t.a || !t.b || !t.c)
		goto out;
	pthread_mutex_init(&t.lock, NULL);
	pthread_cond_init(&t.gate, NULL);
	for (started = 1; started < n_threads; started++) {
		args[started] = (struct triad_arg){ &t, started };
		if (pthread_create(&tid[started], NULL, triad_worker, &args[started]) != 0)
			break;
	}
	if (started != n_threads)
		tacit_log(TACIT_LOG_WARN, "bandwidth: started %d of %d threads", started, n_threads);
	t.n_threads = started;
	pthread_barrier_init(&t.start, NULL, (unsigned)started);
	pthread_barrier_init(&t.done, NULL, (unsigned)started);
	pthread_mutex_lock(&t.lock);
	t.open = true;
	pthread_cond_broadcast(&t.gate);
	pthread_mutex_unlock(&t.lock);
	size_t lo, hi;
	triad_slice(&t, 0, &lo, &hi);
	triad_touch(&t, lo, hi);
	for (int pass = 0; pass <= TRIAD_PASSES; pass++) {
		pthread_barrier_wait(&t.start);
		double t0 = clock_now_s();
		triad_pass(&t, lo, hi);
		pthread_barrier_wait(&t.done);
		double dt = clock_now_s() - t0;
		/* Pass 0 warms up; STREAM counts 3 arrays x 8 bytes per element. */
		if (pass > 0 && dt > 0) {
			double gbs = 3.0 * (double)(t.n * sizeof(double)) / dt / 1e9;
			if (gbs > best)
				best = gbs;
		}
	}
	for (int i = 1; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_barrier_destroy(&t.start);
	pthread_barrier_destroy(&t.done);
	pthread_mutex_destroy(&t.lock);
	pthread_cond_destroy(&t.gate);
out:
	free(t.a);
	free(t.b);
	free(t.c);
	return best;
}

static char *cache_file(void)
{
	char *dir = NULL;
	if (tacit_dir_path(TACIT_DIR_CACHE, &dir) != TACIT_OK)
		return NULL;
	struct buf b;
	buf_init(&b);
	buf_addf(&b, "%s/bandwidth.json", dir);
	free(dir);
	return b.failed ? (buf_release(&b), NULL) : buf_detach(&b, NULL);
}

static double cache_read(const char *path, const char *machine_id)
{
	double gbs = 0;
	yyjson_doc *doc = yyjson_read_file(path, 0, NULL, NULL);
	if (!doc)
		return 0;
	yyjson_val *root = yyjson_doc_get_root(doc);
	const char *id = yyjson_get_str(yyjson_obj_get(root, "machine_id"));
	yyjson_val *v = yyjson_obj_get(root, "cpu_bandwidth_gbs");
	yyjson_val *method = yyjson_obj_get(root, "method");
	if (id && strcmp(id, machine_id) == 0 && yyjson_get_int(method) == TRIAD_METHOD && yyjson_is_num(v) && yyjson_get_num(v) > 0 &&
	    yyjson_get_num(v) < 100000)
		gbs = yyjson_get_num(v);
	yyjson_doc_free(doc);
	return gbs;
}

static void cache_write(const char *path, const char *machine_id, double gbs)
{
	struct buf tmp;
	buf_init(&tmp);
	buf_addf(&tmp, "%s.tmp", path);
	/* 0600 whatever the umask: everything tacit writes is private. */
	int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	FILE *f = fd >= 0 && fchmod(fd, 0600) == 0 ? fdopen(fd, "w") : NULL;
	if (!f && fd >= 0)
		close(fd);
	if (f) {
		fprintf(f, "{\"machine_id\":\"%s\",\"method\":%d,\"cpu_bandwidth_gbs\":%.3f,\"measured_at\":%lld}\n",
			machine_id, TRIAD_METHOD, gbs, (long long)time(NULL));
		if (fclose(f) == 0)
			rename(tmp.data, path);
		else
			remove(tmp.data);
	}
	buf_release(&tmp);
}

void bandwidth_probe(struct tacit_system *s, int mode)
{
	char *path = cache_file();
	s->cpu_bandwidth_gbs = 0;
	s->bandwidth_from_cache = false;
	if (path && mode == 1) {
		s->cpu_bandwidth_gbs = cache_read(path, s->machine_id);
		s->bandwidth_from_cache = s->cpu_bandwidth_gbs > 0;
	}
	if (s->cpu_bandwidth_gbs <= 0) {
		s->cpu_bandwidth_gbs = bandwidth_measure(s->n_cores_usable, TRIAD_ARRAY_BYTES);
		if (path && s->cpu_bandwidth_gbs > 0)
			cache_write(path, s->machine_id, s->cpu_bandwidth_gbs);
	}
	free(path);
}
