/*
 * Reminder templates: one file per language and kind,
 * <dir>/<lang>/<kind>.txt, written as
 *
 *     Subject: Invoice {invoice_number}: payment reminder
 *
 *     {?contact_name}Dear {contact_name},{/contact_name}
 *     ...
 *
 * Lines starting with "#" before the Subject line are comments.  The syntax
 * (doc/dunmail-templates.5 is the user reference):
 *
 *   {name}             a value; unknown names fail at load time, and a known
 *                      name without a value fails at render time, so a client
 *                      never reads a blank where an amount belongs
 *   {due_date_short}   a date placeholder + "_short": the short date form
 *   {days_overdue_text} a day count + "_text": "14 days", "14 dni"
 *   {#invoices}...{/invoices}  repeated for every invoice of the list; inside,
 *                      each invoice's own values come first
 *   {?name}...{/name}  shown only when name has a non-empty value
 *   {^name}...{/name}  shown only when it has none
 *   {{                 a literal "{"
 *
 * A line that holds nothing but a section tag ({#x} {?x} {^x} {/x}) is
 * dropped whole, so sections can sit on lines of their own.
 *
 * Values are typed (text, money, date, days, number, percent) and written
 * in the conventions of the language the template is in (draft/locale.h).
 */
#ifndef DUNMAIL_DRAFT_TEMPLATE_H
#define DUNMAIL_DRAFT_TEMPLATE_H

#include "common/date.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* The kinds dunmail's policy asks for; a template folder may add others. */
#define TEMPLATE_KIND_PRENOTE "prenote"
#define TEMPLATE_KIND_REMINDER1 "reminder1"
#define TEMPLATE_KIND_REMINDER2 "reminder2"
#define TEMPLATE_KIND_REMINDER3 "reminder3"
#define TEMPLATE_KIND_FINAL "final"
#define TEMPLATE_KIND_PROMISE_BROKEN "promise-broken"
#define TEMPLATE_KIND_DISPUTE_ACK "dispute-ack"
#define TEMPLATE_KIND_LETTER "letter"
/* A consolidated reminder listing several invoices ({#invoices}). */
#define TEMPLATE_KIND_STATEMENT "statement"

/* The language every other one falls back to. */
#define TEMPLATE_FALLBACK_LANGUAGE "en"

/* The standard kinds, NULL-terminated; static, do not free. */
const char *const *template_kinds(void);

/* Is name a documented placeholder (also "x_short" for dates, "x_text" for day counts)? */
bool template_placeholder_known(const char *name);

typedef struct template_set template_set;

/*
 * Loads <dir>/<lang>/<kind>.txt for every dir (NULL-terminated, later dirs
 * override earlier ones kind by kind) and every language (NULL-terminated;
 * NULL means all of locale_languages()).  English is always loaded too, as
 * the fallback.  Missing folders are skipped.  Every problem in every file
 * is reported, each line "file:line: what", in one DM_ERROR_CONFIG error;
 * then NULL is returned.  Free with template_set_free.
 */
template_set *template_set_load(const char *const *dirs, const char *const *languages,
                                GError **error);
void template_set_free(template_set *set);

/* Is there a template for exactly this language (no fallback) and kind? */
bool template_set_has(const template_set *set, const char *lang, const char *kind);

/* The file a template came from, or NULL; owned by the set. */
const char *template_set_path(const template_set *set, const char *lang, const char *kind);

/*
 * The values a template is rendered with.  Setting a name again replaces
 * its value.  Strings are copied.
 */
typedef struct template_values template_values;

template_values *template_values_new(void);
void template_values_free(template_values *values);

void template_values_set_text(template_values *values, const char *name, const char *text);
void template_values_set_money(template_values *values, const char *name, int64_t minor,
                               const char *currency);
/* DM_DATE_NONE removes the value, so optional dates can be passed as they are. */
void template_values_set_date(template_values *values, const char *name, dm_date date);
void template_values_set_days(template_values *values, const char *name, int64_t days);
void template_values_set_number(template_values *values, const char *name, int64_t number);
void template_values_set_percent(template_values *values, const char *name, int32_t basis_points);

/*
 * Appends an item (one invoice) to the list called list ("invoices") and
 * returns its values, to be filled with the set_* functions.  The item is
 * owned by values: do not free it.
 */
template_values *template_values_add_item(template_values *values, const char *list);

/*
 * Renders the template of kind for lang.  When lang has no such template
 * the English one is used and *used_fallback (may be NULL) is set to true;
 * the values are then written the English way, to match the text.
 * Fails with DM_ERROR_NOT_FOUND when neither exists, and DM_ERROR_INPUT
 * listing every "file:line: no value for {x}".  On success *subject and
 * *body are newly allocated UTF-8 strings for the caller to g_free.
 */
bool template_render(const template_set *set, const char *lang, const char *kind,
                     const template_values *values, char **subject, char **body,
                     bool *used_fallback, GError **error);

#endif
