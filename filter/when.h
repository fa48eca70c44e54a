/*
 * The date resolver: finds the first date expression in a phrase or a
 * sentence a client wrote ("do piątku", "2nd of December", "within 5
 * working days", "30.11.", "la fin du mois") and turns it into a calendar
 * date, relative to an anchor (the message's Date header).
 *
 * The code knows the shapes of date expressions; the words come from one
 * file per language, rules/<lang>/dates, so a user can add a spelling
 * without touching C.
 *
 * Word file format (GKeyFile syntax, read line by line so that errors can
 * name "file:line"):
 *
 *   # a comment                 (also ';' at the start of a line)
 *   [group]
 *   key = word, another word, a phrase of words
 *
 * A value is a comma-separated list of words or phrases.  Case and accents
 * do not matter: words and mail are folded the same way (lower case,
 * diacritics dropped, German ä ö ü ß written ae oe ue ss, as the rule
 * engine folds them).  A phrase matches whole words only, so "mar" never
 * matches inside "marketing"; inside a phrase, words may be separated by
 * spaces, hyphens, apostrophes or a slash ("après-demain", "aujourd'hui",
 * "t/m").
 *
 *   [months]    1 .. 12 = every name, inflection and abbreviation
 *   [weekdays]  1 (Monday) .. 7 (Sunday) = every name, case form,
 *               plural ("Thursdays", "czwartki", "jeudis") and the
 *               adjectives and compounds of a payment run ("czwartkowy",
 *               "четвъртъчния", "donderdagse", "Donnerstagslauf").  Avoid
 *               abbreviations that are words (English "sat", "sun",
 *               French "mon"): a weekday matches on its own.
 *   [numbers]   N (0 .. 999) = number words ("three", "trzy", "три")
 *   [days]      N (1 .. 31) = a day of the month spelled out, as dates
 *               name it: ordinal words ("fifteenth", "piętnastego",
 *               "Fünfzehnten", "петнадесети", "vijftiende", "z
 *               piętnastką") or the cardinals of French, Spanish and
 *               Romanian dates ("quinze", "quince", "cincisprezece")
 *   [units]     day, working-day, week, month, hour = words that follow
 *               a number ("days", "dni roboczych", "Werktagen", "heures")
 *   [relative]  an operation = its phrases.  Operations:
 *               today, tomorrow, day-after-tomorrow, yesterday,
 *               day-before-yesterday, this-week, next-week,
 *               beginning-of-next-week, mid-next-week, after-the-weekend,
 *               beginning-of-month, beginning-of-next-month,
 *               first-working-day-of-next-month, last-working-day-of-month,
 *               mid-month, mid-next-month, end-of-month, end-of-next-month,
 *               end-of-year, in-one-week, in-two-weeks, in-one-month
 *   [syntax]    within       words before "N units" ("within", "w ciągu")
 *               filler       words allowed between those and N ("the next")
 *               ordinal      suffixes glued to a day number ("nd", "er", "ти")
 *               day-month    words between day and month ("of", "de")
 *               next, next-after   before / after a weekday ("next", "prochain")
 *               coming, coming-after   before / after a weekday: its
 *                            first day after the anchor ("this coming",
 *                            "kommenden", "идния"; "care vine")
 *               last, last-after   before / after a weekday ("last", "dernier")
 *               week-later, week-later-after   before / after a weekday:
 *                            a week after its next occurrence ("a week
 *                            on"; "week" in "Friday week", "en huit",
 *                            "over een week", "za tydzień")
 *               weekday-day  words between a weekday and its day of the
 *                            month ("the" in "Friday the 27th", "de" in
 *                            "vinerea de 27", "den", "día")
 *               beginning-of, mid-of, end-of   before a month name
 *               last-working-day-of   before a month name: its last
 *                            Monday to Friday ("the last business day
 *                            of", "ultima zi lucrătoare din")
 *               prefix       words kept in the matched span only ("by",
 *                            "do"), the prepositions of a date ("for",
 *                            "für", "pentru", "за") and the words for one
 *                            ("z datą realizacji", "mit Datum", "con
 *                            fecha"), after which "dd.mm" is a date
 *               ignore       phrases that look like dates but are not
 *                            ("guten Morgen", "esta mañana")
 *               bare-day     words before a bare day of the month that
 *                            make it one ("am", "le", "el día", "dnia"),
 *                            up to four words, with the nouns of a
 *                            payment run ("campagne de paiements du",
 *                            "con la del", "Zahllauf vom")
 *               bare-day-after   words after a day number that make it
 *                            a day of the month, in any bare-day-shape
 *                            ("число", "of each month", "des Monats");
 *                            one that is also a unit ("dnia") only after
 *                            the ordinal dot or ending ("15. dnia")
 *               next-month-after   words after a bare day that put it in
 *                            the next month ("of next month", "nächsten
 *                            Monats", "du mois prochain")
 *               not-a-day    words after a bare day number that show it is
 *                            something else ("Uhr", "h", "лв", "reminder")
 *               inclusive, inclusive-after   before / after a date that an
 *                            absence includes ("until and including",
 *                            "t/m", "bis einschließlich"; "inclusive",
 *                            "włącznie", "включително", "inclus")
 *               year-mark    the abbreviation of "year" after a written
 *                            year, part of the date ("r.", "roku", "г.")
 *               and          words between the days of a list ("and",
 *                            "or", "und", "и")
 *               week-number  words before the number of an ISO week
 *                            ("KW", "Kalenderwoche", "week", "semaine")
 *   [settings]  next-weekday = following-week | nearest
 *               (what "next Friday" means, see below; following-week
 *               when a language's files do not say)
 *               bare-day-shape = ordinal | marker | ordinal-or-marker |
 *                                marker-and-dot
 *               (what makes a number a day of the month with
 *               WHEN_BARE_DAY: its ordinal suffix, "25th", "de 15e"; a
 *               bare-day word before it, "le 15", "el día 10", "pe 15";
 *               either, "15-go", "dnia 15", "на 15-ти"; or a bare-day word
 *               and the ordinal dot or ending, "am 15.", "am 15ten"; no
 *               bare day is read in a language whose files do not say)
 *
 * Loading reads <dir>/<lang>/dates for every directory and language; later
 * directories add words (a user cannot remove shipped words, only add).
 *
 * What the expressions resolve to: the single most likely date, relative
 * to the anchor (the message's date).
 *   - Dates with a month but no year: the occurrence nearest to the anchor,
 *     past or future ("2 December" in a mail of 22 November is this year's,
 *     "3 January" next year's, "19 November" three days ago).
 *   - Numbers are day-first, always (dd.mm.yyyy, dd/mm/yyyy, dd-mm-yyyy,
 *     dd.mm.yy, dd/mm, d.m. with its final dot); ISO yyyy-mm-dd too.
 *     Refused, because a wrong date embarrasses more than a missed one:
 *     "dd.mm" without the final dot (it is an amount: "12.50") unless a
 *     date's preposition or the word for a date comes before it ("on
 *     23.11, thanks", "scheduled for 26.11 – thanks", "z datą realizacji
 *     26.11") and no sign, unit or time word after it ("pour 12.10 €"),
 *     "dd-mm" (a range: "5-10") unless it has two digits each, follows a
 *     preposition and ends its clause ("ingepland op 23-10."), numbers
 *     glued to letters or other numbers ("INV-2026-11-04", "2026/11/045",
 *     "1.250,00", "+48-601-234-567"), proper fractions "1/2", "3/4" and
 *     "24/7", impossible dates (31.02.).
 *     A range of full dates ("01.12.2026-05.12.2026") gives its first.
 *     A year's abbreviation after a written year ("30.11.2026 r.",
 *     "23.10.2026 г.") belongs to the date.
 *   - A weekday: the next such day on or after the anchor ("by Friday" on a
 *     Friday is that day).  A plural weekday is a habit ("we pay on
 *     Thursdays", "w czwartki"): its next occurrence, as the weekday, and
 *     so is a run named by its weekday ("Thursday's payment run",
 *     "czwartkowy przelew", "der Donnerstagslauf").
 *     "last Friday": the latest one before the anchor.  "next Friday"
 *     depends on the language's next-weekday setting: following-week = the
 *     Friday of the week (Monday to Sunday) after the anchor's; nearest =
 *     the first Friday after the anchor.  "The coming Friday" ("this
 *     coming Friday", "am kommenden Freitag", "идния петък") is always the
 *     first Friday after the anchor, and "Friday next week" always the
 *     following week's.  "Friday week" ("a week on Friday", "vendredi en
 *     huit", "Freitag in einer Woche", "vrijdag over een week", "w piątek
 *     za tydzień") is a week after the next Friday on or after the
 *     anchor.  A weekday followed by a date ("Friday, 4 December")
 *     resolves to the date, and one followed by its day of the month ("el
 *     jueves 26", "Friday the 27th", "vendredi 27", "Freitag, den 27.", "w
 *     piątek 27-go", "în vinerea de 27") to the day with that number on
 *     that weekday nearest the anchor, in its month, the one before or the
 *     two after.  When no such day falls on the weekday, a day written as
 *     one (an ordinal ending or dot, a weekday-day word: "Thursday the
 *     27th", "Donnerstag, den 27.") is read by its number, the next on or
 *     after the anchor, since a number is typed more carefully than a
 *     weekday is remembered, and so is a plain number that ends its
 *     clause ("el jueves 27."); a plain number followed by words that does
 *     not fit may be a count ("am Montag 3 Rechnungen") and the weekday
 *     stands alone.
 *   - today, tomorrow, yesterday...: the anchor plus or minus days, in the
 *     spellings clients type too ("tmrw", "2moro", "ubermorgen", "dem1",
 *     "mñn", Bulgarian in Latin letters "utre", Polish "jutor") and the
 *     Dutch compounds of a part of the day ("morgenochtend",
 *     "morgenvroeg").  A delay after "today" counts from it: "heute in
 *     einer Woche", "azi într-o săptămână", "dziś za tydzień" are the
 *     anchor plus a week.
 *   - A period resolves to the single most likely day in it.
 *     Weeks run Monday to Sunday.  this-week ("this week", "by the end of
 *     this week") = Friday of the anchor's week (the anchor itself on a
 *     weekend); next-week ("next week", "end of next week") = Friday of the
 *     following week; beginning-of-next-week ("early next week", "start of
 *     next week") = its Monday; mid-next-week ("middle of next week") = its
 *     Wednesday; after-the-weekend = the Monday after the coming Sunday
 *     (from a Saturday or Sunday, the Monday just after; from a Monday,
 *     a week later), and a weekday after the weekend ("on Tuesday after the
 *     weekend") that day of the week after the coming Sunday.  An ISO
 *     week by its number ("KW 45", "Kalenderwoche 45", "week 45", "KW
 *     45/2027") = its Friday, in the year written or the one nearest the
 *     anchor; "Anfang / Mitte / Ende KW 47" = its Monday, Wednesday, Friday.
 *     Months: the start of a month is its first working day (Monday to
 *     Friday; a payment waits for a banking day).  beginning-of-next-month
 *     ("early next month", "start of next month") and first-working-day-
 *     of-next-month = the first working day of the next month;
 *     beginning-of-month ("beginning of the month", "first working day of
 *     the month") = the first working day of this month while it is still
 *     ahead (or the anchor), else of the next month;
 *     last-working-day-of-month = the last Monday to Friday of this month,
 *     or of the next when it has passed (said on the weekend after it);
 *     mid-month = the 15th of this month, or of the next when it has
 *     passed; end-of-month = the month's last day; end-of-next-month = the
 *     last day of the next month; "end of December" = 31 December, "mid
 *     December" = the 15th, "early December" = the first working day of
 *     December, "the last working day of December" its last Monday to
 *     Friday (the year nearest to the anchor).  The words name the edges
 *     of weeks and months the way clients do: "after the weekend" is
 *     also Québec's "après la fin de semaine" and Spanish "después del
 *     finde"; "before the week is out" ("antes de que acabe la semana",
 *     "noch vor dem Wochenende") is this week; "the first of the month"
 *     ("zum Monatsersten", "le premier du mois") the start of the month;
 *     the last working day told after a monthly run ("einmal im Monat, am
 *     letzten Arbeitstag") the month's, unless the week, the year or a
 *     holiday follows ("der Woche", "of the year", "before Christmas").
 *   - Overlapping phrases: a relative phrase is read on into a longer one
 *     that starts inside it and ends later, its fuller reading: "d'ici la
 *     fin de la semaine prochaine" is next week, not "la fin de la
 *     semaine"; "para finales de la semana próxima" is "la semana
 *     próxima"; "am letzten Arbeitstag im Januar" is January's.
 *   - in-one-week, in-two-weeks, in-one-month: the anchor plus a week, two
 *     weeks ("in a fortnight", "sous quinzaine"), a month.  The French and
 *     Spanish week and fortnight are eight and fifteen days when spelled
 *     out ("dans huit jours", "dans quinze jours", "dentro de quince días";
 *     so German "in acht Tagen", Flemish "over acht dagen"): a week and
 *     two weeks, not counts; in digits ("dans 15 jours") they keep their
 *     count.  A phrase of the word file wins over the general shape it
 *     also fits.
 *   - "within / in N days | weeks | months": the anchor plus N; "N working
 *     days" skips Saturdays and Sundays (dm_date_add_working_days).
 *     Hours count in whole days only: "within 48 hours", "sous 48 heures",
 *     "în 48 de ore" are the anchor plus two days; "in 15 hours" tells a
 *     time of day, not a date, and is none.
 *   - A bare day of the month, only with WHEN_BARE_DAY ("on the 25th",
 *     "with the 15th", "am 15.", "zum 15.", "le 15", "el día 10", "15-go",
 *     "dnia 15", "на 15-ти", "на 30-и", "25-о число", "pe 15", "în data de
 *     15", "de 15e", "25 of each month", "campagne de paiements du 25",
 *     "con la del 15", "corte del 30"): the next such day on or
 *     after the anchor (a 31st skips the months without one).  Spelled
 *     out ([days]) from the tenth on it is read the same way ("on the
 *     fifteenth", "piętnastego", "z piętnastką", "am Fünfzehnten", "le
 *     quinze", "el quince", "pe cincisprezece", "на петнадесети"); a
 *     smaller one alone is too often the ordinal of something else ("the
 *     second reminder"), but before a month every day word is a date,
 *     with or without the flag ("drugiego grudnia", "le premier
 *     décembre", "the fifteenth of December").  A list of
 *     payment-run days ("on the 10th and the 25th", "am 5., 15. und 25.",
 *     "на 10-о и на 25-о число") is the next of them; its days rise, and
 *     each has the form of the first (its ending, its dot).  A day word
 *     after the last day names them all ("10. i 25. dnia miesiąca", "10
 *     and 25 of each month"), the first of them that has not passed.  A
 *     bare day "of next month" ("on the 25th of next month", "am 25. nächsten
 *     Monats", "pe 25 luna viitoare") is that day of the month after the
 *     anchor's, even while it is still ahead in this one.  A month
 *     written out before it in the same phrase, at most four words back
 *     ("our January run on the 8th"), makes it that month's day, the
 *     occurrence nearest the anchor, unless that has passed: then the
 *     month names something else ("the October invoice on the 25th") and
 *     the day is the plain bare day, as it is when the month opens its
 *     sentence, where names stand ("April pays on the 15th"); a month
 *     right before it, or before its bare-day word ("December the 3rd"),
 *     always names it.  Refused: a number glued to other digits
 *     or signs (amounts "12.50", "1.250,00", times "15:30", invoice
 *     numbers "FV/2026/10/045", "INV-2026-0142"), to letters that are not
 *     an ordinal ("15h"), followed by a sign ("15 %", "15 €") or a glued
 *     hyphen ("1-to-1"), another number ("15 000"), a unit, a month name
 *     or a not-a-day word ("15 Uhr", "the 3rd reminder"), or right after
 *     an abbreviated month ("Dec the 3rd").  A colon after a space is
 *     French spacing ("le 25 : la vôtre"), unless digits follow ("le 15 :
 *     30").
 *   - The end of an absence, in an auto-reply: with WHEN_RETURN_DAY, an
 *     inclusive end ("until and including X", "up to and including X",
 *     "through X", "t/m X", "tot en met X", "do X włącznie", "до X
 *     включително", "bis einschließlich X", "jusqu'au X inclus", "hasta el X
 *     inclusive", "până pe X inclusiv", "X, ambos inclusive", "do
 *     30.11.2026 r. włącznie") is the first working day after X, the day
 *     its writer is back; without the flag it is X.  A bare "until X" is
 *     X, and so is "back on X".
 *
 * Work is bounded: only the first WHEN_SCAN_LIMIT bytes of a text are
 * read, in one linear pass; invalid UTF-8 bytes count as spaces.
 *
 * A when_words is immutable after loading and may be shared by threads.
 */
#ifndef DUNMAIL_FILTER_WHEN_H
#define DUNMAIL_FILTER_WHEN_H

#include "common/date.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* How much of a text the resolver reads, in bytes. */
#define WHEN_SCAN_LIMIT (64 * 1024)

typedef struct when_words when_words;

/*
 * Reads <dir>/<lang>/dates for each directory in dirs (NULL-terminated,
 * shipped rules/ first, then user directories) and each language code in
 * languages (NULL-terminated, at most 64).  A file missing from one
 * directory is fine as long as some directory has it.  Every problem of
 * every file is reported at once, one "file:line: message" per line, as
 * DM_ERROR_CONFIG.  Returns NULL on error; free with when_words_free.
 */
when_words *when_words_load(const char *const *dirs, const char *const *languages, GError **error);
void when_words_free(when_words *words);

/* One date expression found in a text. */
typedef struct {
	dm_date date; /* the resolved date */
	size_t start; /* byte offset of the expression in the text */
	size_t end;   /* byte offset just past it */
} when_match;

/*
 * Finds the first date expression in text (UTF-8; invalid bytes are
 * tolerated) using the words of language (a code given to
 * when_words_load), or of every loaded language when language is NULL.
 * Passing the language avoids words that mean something else in another
 * one (French "hier" is German "here").  Returns false when the text holds
 * none, or when language was not loaded.  When explain is non-NULL it
 * receives an owned description (free with g_free), such as
 * "\"do piątku\" -> weekday 5 on or after 2026-11-18 -> 2026-11-20";
 * it is left untouched when nothing is found.
 */
bool when_find(const when_words *words, const char *language, const char *text, dm_date anchor,
               when_match *match, char **explain);

/*
 * What when_find_flags reads beyond when_find, for callers that know the
 * kind of text they hold.
 *
 * WHEN_BARE_DAY: a bare day of the month, as payment runs say it ("on the
 * 25th", "am 15.", "le 15", "15-go"): the next such day on or after the
 * anchor.  A bare number is ambiguous in general text, so it is read only
 * when asked, and only in its language's ordinal or article shape (see
 * bare-day-shape above).
 */
#define WHEN_BARE_DAY (1u << 0)

/*
 * WHEN_RETURN_DAY: the text is an absence message (an auto-reply), whose
 * date is the day its writer is back: an inclusive end ("until and
 * including Friday", "t/m vrijdag", "do piątku włącznie") is the first
 * working day after it.  "until Friday" and "back on Monday" are that day.
 */
#define WHEN_RETURN_DAY (1u << 1)

/* when_find, also reading what flags (WHEN_*, or-ed) ask for; flags 0 is when_find. */
bool when_find_flags(const when_words *words, const char *language, const char *text,
                     dm_date anchor, unsigned flags, when_match *match, char **explain);

/* when_find over every loaded language, giving only the date. */
bool when_resolve(const when_words *words, const char *text, dm_date anchor, dm_date *date,
                  char **explain);

#endif
