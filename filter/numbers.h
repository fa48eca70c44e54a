/*
 * Finding known invoice numbers in mail text (filter/numbers.c).
 *
 * A number is found when it occurs with word boundaries, ignoring case and
 * white space next to punctuation ("FV / 2026 / 031" is "fv/2026/031").
 * Bare numbers shorter than four digits are never looked for: "17" in mail
 * is a day or an amount, not an invoice.  Built once for the store's
 * invoices and searched for every message, the index costs about the same
 * for two thousand numbers as for twenty: the text is read once, and only
 * numbers that start like the word at hand are compared.
 */
#ifndef DUNMAIL_FILTER_NUMBERS_H
#define DUNMAIL_FILTER_NUMBERS_H

#include <glib.h>
#include <stddef.h>

typedef struct number_index number_index;

/* An index of numbers[0..n), which are copied. */
number_index *number_index_new(const char *const *numbers, size_t n);
void number_index_free(number_index *index);

/* The indexes (guint, ascending) of the numbers that occur in text. */
GArray *number_index_find(const number_index *index, const char *text);

#endif
