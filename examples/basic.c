/*
 * basic.c — the "basic usage" of include/tacit.h as a whole program: opens the meeting
 * store, imports the file named on the command line (a transcript needs no model; a
 * recording is transcribed with the downloaded speech model), then lists the meetings.
 * It includes only <tacit.h>; `make test` builds and runs it (tests/integration/examples.sh).
 */
#include <tacit.h>

#include <stdio.h>

int main(int argc, char **argv)
{
	struct tacit_store *store = NULL;
	struct tacit_session *list = NULL;
	size_t n = 0;
	int rc = 1;

	if (argc > 2) {
		fprintf(stderr, "usage: %s [TRANSCRIPT | RECORDING]\n", argv[0]);
		return 2;
	}
	/* A shared libtacit from another release may not match the header this was built with. */
	if (tacit_version_number() / 100 != TACIT_VERSION_NUMBER / 100) {
		fprintf(stderr, "basic: built for tacit %s, running with %d: rebuild it\n", TACIT_VERSION,
			tacit_version_number());
		return 1;
	}
	if (tacit_store_open(NULL, &store) != TACIT_OK)
		goto fail;
	if (argc == 2) {
		struct tacit_import_params ip = tacit_import_default_params();
		int64_t id = 0;
		if (tacit_store_import(store, argv[1], &ip, &id) != TACIT_OK)
			goto fail;
		printf("imported '%s' as meeting %lld\n", argv[1], (long long)id);
	}
	if (tacit_store_session_list(store, &list, &n) != TACIT_OK)
		goto fail;
	printf("%zu meeting%s\n", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++)
		printf("%lld  %s  %lld segments, %lld s\n", (long long)list[i].id, list[i].title,
		       (long long)list[i].n_segments, (long long)(list[i].duration_ms / 1000));
	rc = 0;
	goto out;
fail:
	/* The message says what failed and, when known, what to do ("run 'tacit pull ...'"). */
	fprintf(stderr, "basic: %s\n", tacit_errmsg());
out:
	tacit_free(list);
	tacit_store_close(store);
	return rc;
}
