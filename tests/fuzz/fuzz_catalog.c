/*
 * fuzz_catalog.c — the catalog loader on arbitrary bytes (it parses outside input when
 * TACIT_CATALOG points at a file). Whatever parses is also scored against a profile, so
 * the scorer sees every layout the validator lets through.
 */
#include <tacit.h>

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tacit_catalog *cat = NULL;
	if (tacit_catalog_parse((const char *)data, size, &cat) != TACIT_OK)
		return 0;
	size_t n = tacit_catalog_count(cat);
	struct tacit_fit *fits = calloc(n, sizeof(*fits));
	struct tacit_system sys;
	for (size_t i = 0; fits && i < tacit_profile_count(); i++)
		if (tacit_profile_get(tacit_profile_name(i), &sys) == TACIT_OK)
			(void)tacit_fit_score_all(&sys, cat, NULL, fits);
	free(fits);
	tacit_catalog_free(cat);
	return 0;
}
