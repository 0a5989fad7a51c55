/*
 * fuzz_owners.c — src/owners.c on any bytes a model may write: no crash, and when the
 * check takes the input, checking its own output again changes nothing (every owner it
 * leaves is a name or "unassigned").
 */
#include "internal.h"

#include "owners.h"

#include <assert.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "Alice", "Bob", "Zoë" };
	char *json = malloc(size + 1);
	struct buf a, b;
	int fixed = -1;
	if (!json)
		return 0;
	if (size)
		memcpy(json, data, size);
	json[size] = '\0';
	buf_init(&a);
	buf_init(&b);
	if (owners_check(json, names, 3, &a, NULL) == TACIT_OK) {
		assert(owners_check(a.data, names, 3, &b, &fixed) == TACIT_OK);
		assert(fixed == 0);
	}
	buf_release(&a);
	buf_release(&b);
	free(json);
	return 0;
}
