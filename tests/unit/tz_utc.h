/*
 * tz_utc.h — the unit tests that write out local dates run them in UTC: tz_utc() sets
 * TZ and returns the old value, tz_restore() puts it back (and frees it).
 */
#ifndef TACIT_TEST_TZ_UTC_H
#define TACIT_TEST_TZ_UTC_H

#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline char *tz_utc(void)
{
	char *tz = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	setenv("TZ", "UTC", 1);
	tzset();
	return tz;
}

static inline void tz_restore(char *tz)
{
	if (tz)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	tzset();
	free(tz);
}

#endif
