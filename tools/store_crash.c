/*
 * store_crash.c — kills a writer of the session store at random points and checks what
 * survives. Each round forks a child that opens the store, starts a session and a
 * recording, and loops: 0.1 s of audio, one final segment, reporting on a pipe each
 * segment id after tacit_store_add_segment() returned TACIT_OK and each durable audio
 * length. The parent SIGKILLs it after a random delay, reopens the store (which repairs
 * the recording) and checks: every acknowledged segment present, integrity_check ok,
 * the WAV header consistent with the file, no acknowledged-durable audio lost and at
 * most 1 s of written audio lost, the session readable. Exit 1 on any violation.
 *
 *   store_crash [--points N] [--seed S] [--dir DIR] [--bench]
 * Used by tests/integration/store_crash.sh (200 points) and bench/store_crash.sh (1000).
 */
#include <tacit.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../bench/bench.h"

#define RATE 16000
#define BLOCK 1600 /* 0.1 s */
#define MAX_ACKS 100000

static int16_t sample_at(uint64_t i)
{
	return (int16_t)(uint16_t)(i * 2654435761u >> 7);
}

static void say(int fd, const char *fmt, long long a, long long b)
{
	char line[64];
	int n = snprintf(line, sizeof(line), fmt, a, b);
	if (write(fd, line, (size_t)n) != n)
		_exit(3);
}

static void child(const char *db, int round, int fd)
{
	struct tacit_store *s;
	struct tacit_recording *rec;
	int64_t sid, id;
	int16_t pcm[BLOCK];
	uint64_t frames = 0, durable = 0;
	char text[128];

	if (tacit_store_open(db, &s) != TACIT_OK)
		_exit(2);
	struct tacit_session_params p = tacit_session_default_params();
	p.title = "crash test";
	if (tacit_store_session_create(s, &p, &sid) != TACIT_OK)
		_exit(2);
	say(fd, "S %lld %lld\n", sid, 0);
	if (tacit_recording_open(s, sid, RATE, 1, &rec) != TACIT_OK)
		_exit(2);
	say(fd, "R %lld %lld\n", sid, 0);
	for (int j = 0; j < 100000; j++) {
		for (int k = 0; k < BLOCK; k++)
			pcm[k] = sample_at(frames + (uint64_t)k);
		if (tacit_recording_write(rec, pcm, BLOCK) != TACIT_OK)
			_exit(2);
		frames += BLOCK;
		say(fd, "W %lld %lld\n", (long long)frames * 2, 0);
		if (tacit_recording_durable_bytes(rec) != durable) {
			durable = tacit_recording_durable_bytes(rec);
			say(fd, "D %lld %lld\n", (long long)durable, 0);
		}
		snprintf(text, sizeof(text), "round %d segment %d budget remote control", round, j);
		struct tacit_segment g = {
			.start_ms = j * 100, .end_ms = j * 100 + 100, .speaker = j % 2 ? "S1" : "S2", .text = text,
			.confidence = -1,
		};
		if (tacit_store_add_segment(s, sid, &g, &id) != TACIT_OK)
			_exit(2);
		say(fd, "G %lld %d\n", id, j);
	}
	_exit(0);
}

struct acked {
	int64_t ids[MAX_ACKS];
	int n;
	int64_t sid;
	bool recording;
	long long written, durable;
};

static bool collect(const struct tacit_segment *g, void *user)
{
	struct acked *c = user;
	/* ids come back in time order, which is the order they were acknowledged */
	if (c->n < MAX_ACKS)
		c->ids[c->n++] = g->id;
	return true;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Checks the repaired WAV; returns the written audio lost in ms, or -1 on a violation. */
static long check_audio(struct tacit_store *s, const struct acked *a, int round)
{
	struct tacit_audio_file *f;
	size_t n;
	if (tacit_store_audio_files(s, a->sid, &f, &n) != TACIT_OK) {
		fprintf(stderr, "round %d: cannot list audio: %s\n", round, tacit_errmsg());
		return -1;
	}
	long lost = 0;
	if (n == 0) {
		if (a->recording) {
			fprintf(stderr, "round %d: the acknowledged recording has no row\n", round);
			lost = -1;
		}
		tacit_free(f);
		return lost;
	}
	if (!strcmp(f[0].state, "missing")) {
		if (a->recording) {
			fprintf(stderr, "round %d: the acknowledged recording is missing\n", round);
			lost = -1;
		}
		tacit_free(f);
		return lost;
	}
	FILE *fp = fopen(f[0].path, "rb");
	unsigned char h[44];
	struct stat sb;
	if (!fp || fread(h, 1, 44, fp) != 44 || fstat(fileno(fp), &sb) != 0) {
		fprintf(stderr, "round %d: cannot read '%s'\n", round, f[0].path);
		if (fp)
			fclose(fp);
		tacit_free(f);
		return -1;
	}
	uint32_t data = le32(h + 40);
	if (strcmp(f[0].state, "repaired") || le32(h + 4) != 36 + data || (off_t)(44 + data) != sb.st_size ||
	    (int64_t)data != f[0].data_bytes) {
		fprintf(stderr, "round %d: recording not repaired (state %s, header %u, file %lld, store %lld)\n", round,
			f[0].state, data, (long long)sb.st_size, (long long)f[0].data_bytes);
		lost = -1;
	} else if ((long long)data < a->durable) {
		fprintf(stderr, "round %d: %lld bytes acknowledged durable, only %u on disk\n", round, a->durable, data);
		lost = -1;
	} else {
		lost = a->written > (long long)data ? (long)((a->written - (long long)data) * 1000 / (RATE * 2)) : 0;
		if (lost > 1000) {
			fprintf(stderr, "round %d: %ld ms of audio lost\n", round, lost);
			lost = -1;
		}
		int16_t pcm[BLOCK];
		uint64_t i = 0;
		size_t got;
		while (lost >= 0 && (got = fread(pcm, 2, BLOCK, fp)) > 0) {
			for (size_t k = 0; k < got; k++, i++) {
				if (pcm[k] != sample_at(i)) {
					fprintf(stderr, "round %d: audio differs at sample %" PRIu64 "\n", round, i);
					lost = -1;
					break;
				}
			}
		}
	}
	fclose(fp);
	tacit_free(f);
	return lost;
}

static long long acked_total, present_total, lost_total;
static long max_lost_ms, sum_lost_ms;
static int rounds_with_audio;

static void parse_line(struct acked *a, const char *line)
{
	long long x, y;
	if (sscanf(line, "S %lld %lld", &x, &y) == 2)
		a->sid = x;
	else if (sscanf(line, "R %lld %lld", &x, &y) == 2)
		a->recording = true;
	else if (sscanf(line, "W %lld %lld", &x, &y) == 2)
		a->written = x;
	else if (sscanf(line, "D %lld %lld", &x, &y) == 2)
		a->durable = x;
	else if (sscanf(line, "G %lld %lld", &x, &y) == 2 && a->n < MAX_ACKS)
		a->ids[a->n++] = x;
}

static bool round_ok(const char *db, int round, unsigned *seed)
{
	static struct acked a, got;
	int fds[2];
	memset(&a, 0, sizeof(a));
	if (pipe(fds) != 0)
		return false;
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child(db, round, fds[1]);
	}
	close(fds[1]);
	FILE *f = fdopen(fds[0], "r");
	char line[128];
	unsigned r = (unsigned)rand_r(seed);
	/* Three rounds in four wait until the recording runs, so most kills land in the
	 * write loop; the rest can land anywhere, opening and creating included. Delays are
	 * mostly short, sometimes long enough for several syncs. */
	bool wait_recording = r % 4 != 0;
	useconds_t delay = r % 16 == 1 ? 50000 + r % 150000 : r % 20000;
	while (wait_recording && f && !a.recording && fgets(line, sizeof(line), f))
		parse_line(&a, line);
	usleep(delay);
	kill(pid, SIGKILL);
	int status;
	waitpid(pid, &status, 0);
	while (f && fgets(line, sizeof(line), f))
		parse_line(&a, line);
	if (f)
		fclose(f);
	if (WIFEXITED(status)) {
		fprintf(stderr, "round %d: the writer failed by itself (exit %d)\n", round, WEXITSTATUS(status));
		return false;
	}

	struct tacit_store *s;
	if (tacit_store_open(db, &s) != TACIT_OK) {
		fprintf(stderr, "round %d: the store does not reopen: %s\n", round, tacit_errmsg());
		return false;
	}
	bool ok = tacit_store_check(s) == TACIT_OK;
	if (!ok)
		fprintf(stderr, "round %d: %s\n", round, tacit_errmsg());
	if (ok && a.sid) {
		struct tacit_session ss;
		memset(&got, 0, sizeof(got));
		if (tacit_store_session_get(s, a.sid, &ss) != TACIT_OK ||
		    tacit_store_segments(s, a.sid, false, collect, &got) != TACIT_OK) {
			fprintf(stderr, "round %d: session %lld does not read back: %s\n", round, (long long)a.sid,
				tacit_errmsg());
			ok = false;
		}
		/* every acknowledged id, in order; at most one more (committed, killed before
		 * it could say so) */
		for (int i = 0; ok && i < a.n; i++) {
			if (i >= got.n || got.ids[i] != a.ids[i]) {
				fprintf(stderr, "round %d: acknowledged segment %lld is lost\n", round, (long long)a.ids[i]);
				lost_total += a.n - i;
				ok = false;
			}
		}
		if (ok && got.n > a.n + 1) {
			fprintf(stderr, "round %d: %d segments stored, only %d acknowledged\n", round, got.n, a.n);
			ok = false;
		}
		acked_total += a.n;
		present_total += got.n;
		long lost = ok ? check_audio(s, &a, round) : 0;
		if (lost < 0)
			ok = false;
		else if (a.recording) {
			rounds_with_audio++;
			sum_lost_ms += lost;
			if (lost > max_lost_ms)
				max_lost_ms = lost;
		}
	}
	tacit_store_close(s);
	return ok;
}

int main(int argc, char **argv)
{
	int points = 200;
	unsigned seed = (unsigned)time(NULL);
	const char *dir = NULL;
	bool bench = false;
	char tmp[] = "/tmp/tacit-crash-XXXXXX", db[4096];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--points") && i + 1 < argc)
			points = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--bench"))
			bench = true;
		else {
			fprintf(stderr, "usage: store_crash [--points N] [--seed S] [--dir DIR] [--bench]\n");
			return 2;
		}
	}
	if (!dir && !(dir = mkdtemp(tmp))) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(db, sizeof(db), "%s/tacit.db", dir);
	fprintf(stderr, "store_crash: %d kill points, seed %u, store %s\n", points, seed, db);
	double t0 = bench_now();
	int failed = 0;
	for (int i = 0; i < points; i++)
		if (!round_ok(db, i, &seed))
			failed++;
	double secs = bench_now() - t0;
	printf("store_crash: %d kill points, %d failed; %lld segments acknowledged, %lld lost; audio lost on kill: "
	       "max %ld ms, mean %.0f ms over %d recordings; %.1f s\n",
	       points, failed, acked_total, lost_total, max_lost_ms,
	       rounds_with_audio ? (double)sum_lost_ms / rounds_with_audio : 0.0, rounds_with_audio, secs);
	if (bench) {
		char note[160];
		snprintf(note, sizeof(note), "%d SIGKILL points, %d failed, %lld acked segments, seed %u", points, failed,
			 acked_total, seed);
		bench_emit("store_crash_lost_segments", (double)lost_total, "segments", "acknowledged_segments",
			   (double)acked_total, 0, note);
		bench_emit("store_crash_max_audio_lost", (double)max_lost_ms, "ms", "allowed_audio_loss", 1000, 0, note);
	}
	return failed ? 1 : 0;
}
