/*
 * lang_detect.c — stop-word counting for en/fr/es/de. Words are split at anything that
 * is not an ASCII letter or a UTF-8 byte (so "l'équipe" gives "l" and "équipe"), folded
 * to lowercase ASCII, and looked up in each language's list of frequent function words;
 * a word in two lists counts for both, so only the words that differ decide. The winner
 * needs LANG_DETECT_MIN_HITS words and a clear lead over the second.
 */
#include "internal.h"

#include "lang_detect.h"

#include <strings.h>

static const struct {
	const char *code;
	const char *const *words;
} langs[] = {
	{ "en", (const char *const[]){ "the", "and", "is", "are", "was", "were", "to", "of", "that", "it", "we", "you",
				       "this", "for", "with", "have", "has", "be", "will", "not", "what", "they", "but",
				       "our", "about", "would", "should", "there", "i", "my", "do", "at", "can", "from",
				       "by", "if", "next", "week", "need", NULL } },
	{ "fr", (const char *const[]){ "le", "la", "les", "et", "est", "sont", "un", "une", "des", "du", "de", "que",
				       "qui", "nous", "vous", "pour", "pas", "avec", "dans", "sur", "ce", "cette", "il",
				       "elle", "je", "au", "aux", "mais", "ou", "tr\xc3\xa8s", "\xc3\xaatre", "avons",
				       "faut", "aussi", "donc", "peut", "semaine", "prochaine", "c", "l", "d", "j", "qu",
				       "\xc3\xa0", NULL } },
	{ "es", (const char *const[]){ "el", "la", "los", "las", "y", "es", "son", "un", "una", "de", "del", "que",
				       "en", "por", "para", "con", "no", "se", "lo", "nosotros", "vamos", "est\xc3\xa1",
				       "est\xc3\xa1n", "pero", "muy", "tambi\xc3\xa9n", "hay", "tenemos", "este", "esta",
				       "como", "m\xc3\xa1s", "su", "yo", "semana", "pr\xc3\xb3xima", "al", NULL } },
	{ "de", (const char *const[]){ "der", "die", "das", "und", "ist", "sind", "ein", "eine", "einen", "nicht",
				       "mit", "auf", "f\xc3\xbcr", "zu", "den", "dem", "wir", "ich", "sie", "es", "auch",
				       "aber", "noch", "wird", "werden", "haben", "hat", "bis", "dass", "vom", "zum", "im",
				       "uns", "oder", "woche", "n\xc3\xa4" "chste", "n\xc3\xa4" "chsten", NULL } },
};

bool lang_detect_knows(const char *code)
{
	for (size_t i = 0; code && i < ARRAY_SIZE(langs); i++)
		if (!strcasecmp(code, langs[i].code))
			return true;
	return false;
}

static bool word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

const char *lang_detect(const char *text, size_t len, size_t max_bytes, int *hits)
{
	int score[ARRAY_SIZE(langs)] = { 0 };
	char word[32];
	if (max_bytes && len > max_bytes)
		len = max_bytes;
	for (size_t i = 0; i < len;) {
		while (i < len && !word_byte((unsigned char)text[i]))
			i++;
		size_t n = 0;
		bool fits = true;
		while (i < len && word_byte((unsigned char)text[i])) {
			char c = text[i++];
			if (n + 1 < sizeof(word))
				word[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
			else
				fits = false;
		}
		word[n] = '\0';
		if (!n || !fits)
			continue;
		for (size_t l = 0; l < ARRAY_SIZE(langs); l++)
			for (const char *const *w = langs[l].words; *w; w++)
				if (!strcmp(*w, word)) {
					score[l]++;
					break;
				}
	}
	size_t best = 0, second = 1;
	if (score[second] > score[best])
		best = 1, second = 0;
	for (size_t l = 2; l < ARRAY_SIZE(langs); l++) {
		if (score[l] > score[best]) {
			second = best;
			best = l;
		} else if (score[l] > score[second]) {
			second = l;
		}
	}
	if (hits)
		*hits = score[best];
	/* a clear lead: a third more words than the runner-up, and two at least */
	if (score[best] < LANG_DETECT_MIN_HITS || score[best] * 3 < score[second] * 4 || score[best] - score[second] < 2)
		return NULL;
	return langs[best].code;
}
