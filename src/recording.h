/*
 * recording.h — what the store asks of the recording files (recording.c) when it opens
 * a database on disk: the clean-up after a crash. Recording itself is public
 * (tacit_recording_* in tacit.h); imports use store_audio_tmp/adopt (store.h).
 */
#ifndef TACIT_RECORDING_H
#define TACIT_RECORDING_H

/* Repairs the recordings a crash left unfinished (at most 64 per open): each header is
 * set to the whole frames on disk and the row marked 'repaired' with the file's sha256,
 * or 'missing'. A file whose writer still holds its lock is left alone. Fails only when
 * the rows cannot be read. */
enum tacit_status recording_repair(struct tacit_store *s);

/* Removes the temporary files of imports that did not finish, unless their import still
 * runs (it holds the file's lock). */
void recording_remove_leftovers(struct tacit_store *s);

#endif
