/*
 * Where a sentence ends in a client's text, for the rules' clauses
 * (filter/rules.c) and for finding a promise's date (filter/classify.c).
 */
#ifndef DUNMAIL_FILTER_SENTENCE_H
#define DUNMAIL_FILTER_SENTENCE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Does the dot at text[i] end a sentence?  Not inside a number ("30.11.",
 * "1.250,00") and not after a day number ("am 4. Dezember", "bis zum 3.
 * nächsten Monats"): a number of one or two digits followed by ". " and a
 * word is read as an ordinal, which German, Polish and others write so.
 * text is length bytes long; text[i] must be '.'.
 */
bool sentence_dot_ends(const char *text, size_t length, size_t i);

#endif
