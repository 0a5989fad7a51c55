/*
 * lang_detect.h — a cheap language guess for text in English, French, Spanish or German,
 * by counting each language's most common short words. Enough to tell which of the four
 * a meeting, or a model's answer, is written in; it never claims a language it has too
 * little evidence for.
 */
#ifndef TACIT_LANG_DETECT_H
#define TACIT_LANG_DETECT_H

#include "internal.h"

/* Words needed before a guess is made. */
#define LANG_DETECT_MIN_HITS 4

/* "en", "fr", "es" or "de" (static storage), or NULL when the text has too few of
 * those words or two languages score too close. Reads at most the first max_bytes of
 * text (0 = all); hits, when not NULL, gets the winner's count. */
const char *lang_detect(const char *text, size_t len, size_t max_bytes, int *hits);

/* Whether the code is one lang_detect() can return ("fr", "FR"). */
bool lang_detect_knows(const char *code);

#endif
