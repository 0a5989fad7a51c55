/*
 * media.c — the FFmpeg adapter: any recording (file or memory buffer) to 16 kHz float
 * PCM, mono or two channels. Only the first audio stream is read; video is skipped.
 * Input is hostile: every failure becomes one status and message, length is capped
 * (max_seconds) before memory is, and a truncated stream yields what came before it.
 * The public tacit_audio_* functions (audio.c) call it; no FFmpeg type leaves this file.
 */
#include "internal.h"

#include "media.h"

#include <pthread.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>

#define MEDIA_IO_BUF 65536

struct mem_src {
	const uint8_t *data;
	size_t len;
	size_t pos;
};

struct pcm_out {
	float *samples;      /* everything so far, or (with a sink) the frames of one call */
	size_t n_frames;
	size_t alloc_frames;
	int n_channels;
	size_t max_frames;
	size_t total_frames; /* converted so far, sink or not */
	media_sink_fn sink;  /* NULL: keep everything in samples */
	void *user;
};

static pthread_once_t av_once = PTHREAD_ONCE_INIT;

static void av_log_sink(void *avcl, int level, const char *fmt, va_list vl)
{
	(void)avcl;
	if (level > AV_LOG_WARNING || !tacit_log_enabled(TACIT_LOG_DEBUG))
		return;
	char line[512];
	vsnprintf(line, sizeof(line), fmt, vl);
	tacit_log(TACIT_LOG_DEBUG, "ffmpeg: %s", line);
}

static void av_setup(void)
{
	av_log_set_callback(av_log_sink);
}

static int mem_read(void *opaque, uint8_t *buf, int size)
{
	struct mem_src *m = opaque;
	size_t left = m->len - m->pos;
	if (left == 0)
		return AVERROR_EOF;
	size_t n = (size_t)size < left ? (size_t)size : left;
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (int)n;
}

static int64_t mem_seek(void *opaque, int64_t offset, int whence)
{
	struct mem_src *m = opaque;
	int64_t base;
	switch (whence & ~AVSEEK_FORCE) {
	case AVSEEK_SIZE:
		return (int64_t)m->len;
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)m->pos;
		break;
	case SEEK_END:
		base = (int64_t)m->len;
		break;
	default:
		return AVERROR(EINVAL);
	}
	if (offset < -base || base + offset > (int64_t)m->len)
		return AVERROR(EINVAL);
	m->pos = (size_t)(base + offset);
	return (int64_t)m->pos;
}

static const char *av_why(int err, char *buf, size_t n)
{
	if (av_strerror(err, buf, n) < 0)
		snprintf(buf, n, "error %d", err);
	return buf;
}

/* Appends converted frames; false when out of memory or past the length cap. */
static bool pcm_append(struct pcm_out *o, SwrContext *swr, const uint8_t **in, int n_in, enum tacit_status *st,
		       const char *name, double max_seconds)
{
	int room = swr_get_out_samples(swr, n_in);
	if (room < 0)
		room = 0;
	if (o->n_frames + (size_t)room + 1 > o->alloc_frames) {
		size_t want = o->alloc_frames ? o->alloc_frames * 2 : 16000;
		while (want < o->n_frames + (size_t)room + 1)
			want *= 2;
		float *p = realloc(o->samples, want * (size_t)o->n_channels * sizeof(float));
		if (!p) {
			*st = tacit_fail(TACIT_ERR_NOMEM, "out of memory decoding '%s'", name);
			return false;
		}
		o->samples = p;
		o->alloc_frames = want;
	}
	uint8_t *dst = (uint8_t *)(o->samples + o->n_frames * (size_t)o->n_channels);
	int got = swr_convert(swr, &dst, room, in, n_in);
	if (got < 0) {
		char why[128];
		*st = tacit_fail(TACIT_ERR_FORMAT, "cannot resample '%s': %s", name, av_why(got, why, sizeof(why)));
		return false;
	}
	o->n_frames += (size_t)got;
	o->total_frames += (size_t)got;
	if (o->total_frames > o->max_frames) {
		*st = tacit_fail(TACIT_ERR_UNSUPPORTED, "'%s' is longer than %.0f hours: split it first", name,
				 max_seconds / 3600.0);
		return false;
	}
	if (o->sink) { /* streaming: hand the frames over and reuse the buffer */
		if (got > 0 && (*st = o->sink(o->samples, (size_t)got, o->user)) != TACIT_OK)
			return false;
		o->n_frames = 0;
	}
	return true;
}

/* Channels without names (a WAV of 9 or 64 channels has no layout) cannot be mixed
 * down by the resampler, which only knows named speakers: each output channel gets the
 * average of them all (two equal channels read as mono, as a duplicated mono file). */
static int set_unnamed_mix(SwrContext *swr, const AVChannelLayout *in, int n_out)
{
	double matrix[2 * 64];
	int n_in = in->nb_channels;
	if (in->order != AV_CHANNEL_ORDER_UNSPEC || n_in == n_out || n_in > 64)
		return 0;
	for (int o = 0; o < n_out; o++)
		for (int i = 0; i < n_in; i++)
			matrix[o * n_in + i] = 1.0 / n_in;
	return swr_set_matrix(swr, matrix, n_in);
}

static enum tacit_status decode(AVFormatContext *fmt, const char *name, const struct tacit_audio_params *p,
				struct tacit_audio *out, media_sink_fn sink, void *user, int *src_channels)
{
	enum tacit_status st = TACIT_OK;
	AVCodecContext *dec = NULL;
	SwrContext *swr = NULL;
	AVPacket *pkt = NULL;
	AVFrame *frame = NULL;
	struct pcm_out o = { 0 };
	char why[128];
	int err, n_errors = 0, last_err = 0;
	bool any_frame = false;

	o.n_channels = p->channels == 2 ? 2 : 1;
	o.max_frames = (size_t)(p->max_seconds * TACIT_AUDIO_RATE);
	o.sink = sink;
	o.user = user;

	if ((err = avformat_find_stream_info(fmt, NULL)) < 0) {
		st = tacit_fail(TACIT_ERR_FORMAT, "cannot decode '%s': %s", name, av_why(err, why, sizeof(why)));
		goto out;
	}
	int si = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
	if (si < 0 && fmt->nb_streams == 0) { /* e.g. an MP4 cut before its index was written */
		st = tacit_fail(TACIT_ERR_FORMAT,
				"cannot decode '%s': the file is damaged or incomplete (no track could be found "
				"in it; a recording stopped before it was saved looks like this)",
				name);
		goto out;
	}
	if (si < 0) {
		st = tacit_fail(TACIT_ERR_UNSUPPORTED, "cannot decode '%s': it has no sound track (only video or data)",
				name);
		goto out;
	}
	AVStream *stream = fmt->streams[si];
	const AVCodec *codec = avcodec_find_decoder(stream->codecpar->codec_id);
	if (!codec && stream->codecpar->codec_id == AV_CODEC_ID_NONE) {
		st = tacit_fail(TACIT_ERR_UNSUPPORTED,
				"cannot decode '%s': its sound is in an unknown encoding (format tag 0x%04x); "
				"convert it to WAV, MP3 or FLAC first",
				name, stream->codecpar->codec_tag);
		goto out;
	}
	if (!codec) {
		st = tacit_fail(TACIT_ERR_UNSUPPORTED,
				"cannot decode '%s': its sound is %s, which this system's ffmpeg cannot decode", name,
				avcodec_get_name(stream->codecpar->codec_id));
		goto out;
	}
	dec = avcodec_alloc_context3(codec);
	pkt = av_packet_alloc();
	frame = av_frame_alloc();
	if (!dec || !pkt || !frame) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory decoding '%s'", name);
		goto out;
	}
	if ((err = avcodec_parameters_to_context(dec, stream->codecpar)) < 0 ||
	    (err = avcodec_open2(dec, codec, NULL)) < 0) {
		st = tacit_fail(TACIT_ERR_FORMAT, "cannot decode '%s': %s", name, av_why(err, why, sizeof(why)));
		goto out;
	}
	if (dec->sample_rate <= 0 || dec->sample_rate > 1000000 || dec->ch_layout.nb_channels <= 0 ||
	    dec->ch_layout.nb_channels > 64) {
		st = tacit_fail(TACIT_ERR_FORMAT, "cannot decode '%s': invalid sample rate or channel count", name);
		goto out;
	}
	if (src_channels)
		*src_channels = dec->ch_layout.nb_channels;
	for (unsigned i = 0; i < fmt->nb_streams; i++)
		if ((int)i != si)
			fmt->streams[i]->discard = AVDISCARD_ALL;

	while (st == TACIT_OK) {
		err = av_read_frame(fmt, pkt);
		bool eof = err < 0;
		if (eof && err != AVERROR_EOF)
			last_err = err; /* truncated or damaged: keep what came before */
		if (!eof && pkt->stream_index != si) {
			av_packet_unref(pkt);
			continue;
		}
		err = avcodec_send_packet(dec, eof ? NULL : pkt);
		if (!eof)
			av_packet_unref(pkt);
		if (err < 0 && err != AVERROR(EAGAIN) && err != AVERROR_EOF) {
			n_errors++;
			last_err = err;
			if (n_errors > 1000)
				break;
		}
		while (st == TACIT_OK) {
			err = avcodec_receive_frame(dec, frame);
			if (err == AVERROR(EAGAIN) || err == AVERROR_EOF)
				break;
			if (err < 0) {
				n_errors++;
				last_err = err;
				break;
			}
			if (!swr || frame->sample_rate != dec->sample_rate) {
				/* Built on the first frame: some codecs only know their layout then. */
				swr_free(&swr);
				AVChannelLayout out_layout;
				av_channel_layout_default(&out_layout, o.n_channels);
				err = swr_alloc_set_opts2(&swr, &out_layout, AV_SAMPLE_FMT_FLT, TACIT_AUDIO_RATE,
							  &frame->ch_layout, (enum AVSampleFormat)frame->format,
							  frame->sample_rate, 0, NULL);
				if (err >= 0)
					err = set_unnamed_mix(swr, &frame->ch_layout, o.n_channels);
				if (err >= 0)
					err = swr_init(swr);
				if (err < 0) {
					st = tacit_fail(TACIT_ERR_FORMAT,
							"cannot decode '%s': its %d channels at %d Hz cannot be converted "
							"to %s at %d Hz (%s)",
							name, frame->ch_layout.nb_channels, frame->sample_rate,
							o.n_channels == 2 ? "stereo" : "mono", TACIT_AUDIO_RATE,
							av_why(err, why, sizeof(why)));
					break;
				}
				dec->sample_rate = frame->sample_rate;
			}
			any_frame = true;
			pcm_append(&o, swr, (const uint8_t **)frame->extended_data, frame->nb_samples, &st, name,
				   p->max_seconds);
			av_frame_unref(frame);
		}
		if (eof)
			break;
	}
	if (st == TACIT_OK && swr)
		pcm_append(&o, swr, NULL, 0, &st, name, p->max_seconds); /* flush the resampler */
	if (st == TACIT_OK && !any_frame && last_err < 0)
		st = tacit_fail(TACIT_ERR_FORMAT, "cannot decode '%s': %s", name, av_why(last_err, why, sizeof(why)));
	if (st == TACIT_OK && last_err < 0)
		tacit_log(TACIT_LOG_WARN, "'%s' is damaged or truncated: kept the first %.1f s", name,
			  (double)o.total_frames / TACIT_AUDIO_RATE);
out:
	if (st == TACIT_OK && out) {
		out->samples = o.samples;
		out->n_frames = o.n_frames;
		out->n_channels = o.n_channels;
		out->sample_rate = TACIT_AUDIO_RATE;
	} else {
		free(o.samples);
	}
	av_frame_free(&frame);
	av_packet_free(&pkt);
	swr_free(&swr);
	avcodec_free_context(&dec);
	return st;
}

static enum tacit_status check_params(const struct tacit_audio_params *p, struct tacit_audio *out)
{
	if (!out)
		return tacit_fail(TACIT_ERR_USAGE, "no output for the decoded audio");
	memset(out, 0, sizeof(*out));
	if (p->channels != 1 && p->channels != 2)
		return tacit_fail(TACIT_ERR_USAGE, "audio channels must be 1 or 2, not %d", p->channels);
	if (!(p->max_seconds > 0))
		return tacit_fail(TACIT_ERR_USAGE, "audio length limit must be positive");
	pthread_once(&av_once, av_setup);
	return TACIT_OK;
}

static enum tacit_status open_file(const char *path, AVFormatContext **fmt)
{
	struct stat sb;
	char why[128];
	if (!path)
		return tacit_fail(TACIT_ERR_USAGE, "no audio file given");
	if (stat(path, &sb) != 0)
		return tacit_fail_errno(errno == ENOENT ? TACIT_ERR_NOT_FOUND : TACIT_ERR_IO, "cannot open '%s'", path);
	if (S_ISDIR(sb.st_mode))
		return tacit_fail(TACIT_ERR_IO, "cannot open '%s': Is a directory", path);
	if (S_ISREG(sb.st_mode) && sb.st_size == 0)
		return tacit_fail(TACIT_ERR_FORMAT, "cannot decode '%s': the file is empty", path);
	int err = avformat_open_input(fmt, path, NULL, NULL);
	if (err == AVERROR_INVALIDDATA)
		return tacit_fail(TACIT_ERR_FORMAT,
				  "cannot decode '%s': it is not a recording tacit can read, or it is damaged or "
				  "incomplete (a recording stopped before it was saved looks like this)",
				  path);
	if (err < 0)
		return tacit_fail(err == AVERROR(EACCES) ? TACIT_ERR_IO : TACIT_ERR_FORMAT, "cannot decode '%s': %s",
				  path, av_why(err, why, sizeof(why)));
	return TACIT_OK;
}

enum tacit_status media_load_file(const char *path, const struct tacit_audio_params *p, struct tacit_audio *out)
{
	AVFormatContext *fmt = NULL;
	enum tacit_status st = check_params(p, out);

	if (st != TACIT_OK)
		return st;
	if ((st = open_file(path, &fmt)) != TACIT_OK)
		return st;
	st = decode(fmt, path, p, out, NULL, NULL, NULL);
	avformat_close_input(&fmt);
	return st;
}

enum tacit_status media_decode_file(const char *path, const struct tacit_audio_params *params, media_sink_fn sink,
				    void *user, int *src_channels)
{
	struct tacit_audio_params p = params ? *params : tacit_audio_default_params();
	struct tacit_audio unused;
	AVFormatContext *fmt = NULL;
	enum tacit_status st = check_params(&p, &unused);

	if (src_channels)
		*src_channels = 0;
	if (st != TACIT_OK)
		return st;
	if (!sink)
		return tacit_fail(TACIT_ERR_USAGE, "media_decode_file: no sink");
	if ((st = open_file(path, &fmt)) != TACIT_OK)
		return st;
	st = decode(fmt, path, &p, NULL, sink, user, src_channels);
	avformat_close_input(&fmt);
	return st;
}

enum tacit_status media_load_memory(const void *data, size_t len, const char *name,
				   const struct tacit_audio_params *p, struct tacit_audio *out)
{
	struct mem_src src = { data, len, 0 };
	AVFormatContext *fmt = NULL;
	AVIOContext *io = NULL;
	unsigned char *iobuf = NULL;
	char why[128];
	enum tacit_status st = check_params(p, out);

	if (!name)
		name = "audio buffer";
	if (st != TACIT_OK)
		return st;
	if (!data || len == 0)
		return tacit_fail(TACIT_ERR_FORMAT, "cannot decode '%s': it is empty", name);
	iobuf = av_malloc(MEDIA_IO_BUF);
	fmt = avformat_alloc_context();
	if (iobuf)
		io = avio_alloc_context(iobuf, MEDIA_IO_BUF, 0, &src, mem_read, NULL, mem_seek);
	if (!iobuf || !fmt || !io) {
		if (!io)
			av_free(iobuf);
		avformat_free_context(fmt);
		avio_context_free(&io);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory decoding '%s'", name);
	}
	fmt->pb = io;
	fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
	int err = avformat_open_input(&fmt, NULL, NULL, NULL); /* frees fmt on failure */
	if (err < 0)
		st = tacit_fail(TACIT_ERR_FORMAT, "cannot decode '%s': %s", name, av_why(err, why, sizeof(why)));
	else
		st = decode(fmt, name, p, out, NULL, NULL, NULL);
	avformat_close_input(&fmt);
	if (io)
		av_freep(&io->buffer);
	avio_context_free(&io);
	return st;
}
