/*
 * diar-sim.c — a simulated meeting with exact speaker turns, from the single-speaker
 * recordings in ../shared/audio/diarization/speakers: speakers take turns (never the
 * same one twice running), each turn one utterance trimmed of its leading and trailing
 * silence, with pauses of 0.3–1.2 s between turns (and, with --overlap, some turns
 * starting 0.5 s before the previous one ends). Writes OUT.wav (16 kHz mono 16-bit) and
 * OUT.rttm (the reference turns: the voice inside each utterance, without the
 * recording's background noise before and after it). Deterministic for a given seed.
 *
 *   diar-sim SPEAKERS_DIR OUT.wav [--speakers N] [--minutes M] [--seed S] [--overlap]
 */
#include <tacit.h>

#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE 16000
#define MAX_UTT 64

struct speaker {
	char name[128];
	struct tacit_audio utt[MAX_UTT];
	size_t a[MAX_UTT], b[MAX_UTT];   /* the part of each utterance mixed in */
	size_t va[MAX_UTT], vb[MAX_UTT]; /* the voice inside it: the reference turn */
	int n_utt, next;
};

static uint64_t rng = 88172645463325252ull;
static double rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Sorted entries of dir (not starting with '.'; only directories with dirs_only):
 * malloc'd names. */
static int list_dir(const char *dir, bool dirs_only, char ***out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0, cap = 0;
	char **v = NULL;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || (dirs_only && e->d_type != DT_DIR))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = realloc(v, (size_t)cap * sizeof(*v));
		}
		v[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(v, (size_t)n, sizeof(*v), cmp_str);
	*out = v;
	return n;
}

static void free_list(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

/* The utterance kept: from the first to the last 10 ms frame louder than 1/30 of the
 * loudest frame's RMS ([*a, *b)). The voice inside it ([*va, *vb)), which the reference
 * turn covers: frames that are also 10 dB above the recording's noise floor (the 10th
 * percentile of its frames' energy: the silence or room noise read utterances start
 * and end with). Two noisy LibriSpeech voices (1688, 1998) have a floor near 1/30 of
 * their peak, so the first rule alone took about 0.5 s of their background before each
 * utterance and 0.35 s after it for speech. */
static void trim(const float *x, size_t n, size_t *a, size_t *b, size_t *va, size_t *vb)
{
	double peak = 0.0, floor = 0.0;
	size_t nf = n / 160;
	double *e = malloc((nf ? nf : 1) * sizeof(double)), *sorted = malloc((nf ? nf : 1) * sizeof(double));
	*a = *va = 0;
	*b = *vb = n;
	if (!e || !sorted || !nf)
		goto out;
	for (size_t f = 0; f < nf; f++) {
		e[f] = 0.0;
		for (int i = 0; i < 160; i++)
			e[f] += (double)x[f * 160 + i] * x[f * 160 + i];
		if (e[f] > peak)
			peak = e[f];
	}
	memcpy(sorted, e, nf * sizeof(double));
	qsort(sorted, nf, sizeof(double), cmp_double);
	floor = sorted[nf / 10] * 10.0;
	size_t first = nf, last = 0, vfirst = nf, vlast = 0;
	for (size_t f = 0; f < nf; f++) {
		if (e[f] > peak / 900.0) {
			if (first == nf)
				first = f;
			last = f;
			if (e[f] > floor) {
				if (vfirst == nf)
					vfirst = f;
				vlast = f;
			}
		}
	}
	if (first < nf) {
		*a = first * 160;
		*b = (last + 1) * 160;
		*va = vfirst < nf ? vfirst * 160 : *a;
		*vb = vfirst < nf ? (vlast + 1) * 160 : *b;
	}
out:
	free(sorted);
	free(e);
}

int main(int argc, char **argv)
{
	int n_speakers = 3, overlap = 0;
	double minutes = 5.0;
	if (argc < 3) {
		fprintf(stderr, "usage: diar-sim SPEAKERS_DIR OUT.wav [--speakers N] [--minutes M] [--seed S] [--overlap]\n");
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--speakers") && i + 1 < argc)
			n_speakers = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--minutes") && i + 1 < argc)
			minutes = atof(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			rng ^= strtoull(argv[++i], NULL, 10) * 0x9E3779B97F4A7C15ull;
		else if (!strcmp(argv[i], "--overlap"))
			overlap = 1;
		else {
			fprintf(stderr, "diar-sim: unknown argument '%s'\n", argv[i]);
			return 2;
		}
	}
	for (int i = 0; i < 5; i++)
		rnd();
	char **dirs;
	int n_dirs = list_dir(argv[1], true, &dirs);
	if (n_dirs <= 0 || n_speakers < 1 || n_speakers > n_dirs) {
		fprintf(stderr, "diar-sim: '%s' has %d speakers; asked for %d\n", argv[1], n_dirs, n_speakers);
		return 1;
	}
	/* a seeded choice of which speakers take part */
	for (int i = n_dirs - 1; i > 0; i--) {
		int j = (int)(rnd() * (i + 1));
		char *t = dirs[i];
		dirs[i] = dirs[j];
		dirs[j] = t;
	}
	struct speaker *sp = calloc((size_t)n_speakers, sizeof(*sp));
	for (int s = 0; s < n_speakers; s++) {
		char path[4096], **files;
		snprintf(path, sizeof(path), "%s/%s", argv[1], dirs[s]);
		snprintf(sp[s].name, sizeof(sp[s].name), "%s", dirs[s]);
		int nf = list_dir(path, false, &files);
		for (int f = 0; f < nf && sp[s].n_utt < MAX_UTT; f++) {
			char fp[8192];
			snprintf(fp, sizeof(fp), "%s/%s", path, files[f]);
			struct tacit_audio *a = &sp[s].utt[sp[s].n_utt];
			if (tacit_audio_load(fp, NULL, a) != TACIT_OK || a->n_frames < RATE / 2) {
				tacit_audio_release(a);
				continue;
			}
			trim(a->samples, a->n_frames, &sp[s].a[sp[s].n_utt], &sp[s].b[sp[s].n_utt], &sp[s].va[sp[s].n_utt],
			     &sp[s].vb[sp[s].n_utt]);
			sp[s].n_utt++;
		}
		if (nf > 0)
			free_list(files, nf);
		if (!sp[s].n_utt) {
			fprintf(stderr, "diar-sim: no audio for speaker '%s'\n", dirs[s]);
			return 1;
		}
	}
	size_t total = (size_t)(minutes * 60.0 * RATE), cap = total + 60 * RATE, at = (size_t)(0.5 * RATE), end = 0;
	float *mix = calloc(cap, sizeof(float));
	char rttm[8192];
	snprintf(rttm, sizeof(rttm), "%.*s.rttm", (int)(strlen(argv[2]) > 4 ? strlen(argv[2]) - 4 : strlen(argv[2])),
		 argv[2]);
	FILE *rf = fopen(rttm, "w");
	if (!rf || !mix) { /* a directory that is not there, or not writable */
		fprintf(stderr, "diar-sim: cannot write '%s'\n", rttm);
		if (rf)
			fclose(rf);
		free(mix);
		return 1;
	}
	const char *uri = strrchr(argv[2], '/') ? strrchr(argv[2], '/') + 1 : argv[2];
	int prev = -1;
	while (at < total) {
		int s = n_speakers == 1 ? 0 : (int)(rnd() * n_speakers);
		if (s == prev)
			s = (s + 1 + (int)(rnd() * (n_speakers - 1))) % n_speakers;
		struct speaker *p = &sp[s];
		int u = p->next++ % p->n_utt;
		size_t a = p->a[u], b = p->b[u];
		if (at + (b - a) >= cap)
			break;
		for (size_t i = a; i < b; i++)
			mix[at + i - a] += p->utt[u].samples[i];
		fprintf(rf, "SPEAKER %.*s 1 %.3f %.3f <NA> <NA> %s <NA> <NA>\n", (int)strcspn(uri, "."), uri,
			(double)(at + p->va[u] - a) / RATE, (double)(p->vb[u] - p->va[u]) / RATE, p->name);
		end = at + (b - a);
		if (overlap && rnd() < 0.2 && b - a > RATE)
			at = end - RATE / 2;
		else
			at = end + (size_t)((0.3 + 0.9 * rnd()) * RATE);
		prev = s;
	}
	fclose(rf);
	size_t n = end + RATE / 2;
	FILE *wf = fopen(argv[2], "wb");
	if (!wf) {
		fprintf(stderr, "diar-sim: cannot write '%s'\n", argv[2]);
		free(mix);
		return 1;
	}
	uint32_t data = (uint32_t)(n * 2), riff = 36 + data, fmt_len = 16, rate = RATE, byte_rate = RATE * 2;
	uint16_t pcm_fmt = 1, ch = 1, align = 2, bits = 16;
	fwrite("RIFF", 1, 4, wf);
	fwrite(&riff, 4, 1, wf);
	fwrite("WAVEfmt ", 1, 8, wf);
	fwrite(&fmt_len, 4, 1, wf);
	fwrite(&pcm_fmt, 2, 1, wf);
	fwrite(&ch, 2, 1, wf);
	fwrite(&rate, 4, 1, wf);
	fwrite(&byte_rate, 4, 1, wf);
	fwrite(&align, 2, 1, wf);
	fwrite(&bits, 2, 1, wf);
	fwrite("data", 1, 4, wf);
	fwrite(&data, 4, 1, wf);
	for (size_t i = 0; i < n; i++) {
		float v = mix[i] * 32767.0f;
		int16_t s16 = (int16_t)(v > 32767.0f ? 32767 : v < -32768.0f ? -32768 : lrintf(v));
		fwrite(&s16, 2, 1, wf);
	}
	fclose(wf);
	printf("%s: %.1f s, %d speakers; reference turns in %s\n", argv[2], (double)n / RATE, n_speakers, rttm);
	for (int s = 0; s < n_speakers; s++)
		for (int u = 0; u < sp[s].n_utt; u++)
			tacit_audio_release(&sp[s].utt[u]);
	free(sp);
	free(mix);
	free_list(dirs, n_dirs);
	return 0;
}
