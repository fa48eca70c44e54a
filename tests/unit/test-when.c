/*
 * The date resolver over the shipped word files: every language, every
 * shape, the year inference, the strictness cases and a 1 MB input.
 * Unless a case says otherwise the anchor is Wednesday 2026-11-18.
 */
#include "tests/unit/testutil.h"

#include "common/util.h"
#include "filter/when.h"

#include <time.h>

static const char *const all_languages[] = {"en", "pl", "bg", "nl", "ro", "es", "de", "fr", NULL};

#define ANCHOR "2026-11-18"

typedef struct {
	const char *language; /* NULL: every loaded language */
	const char *text;
	const char *expect; /* NULL: no date */
	const char *anchor; /* NULL: ANCHOR */
} when_case;

static const when_case cases_en[] = {
    {"en", "2026-12-03", "2026-12-03", NULL},
    /* A delay counted from today after its count: "10 days from today". */
    {"en", "we will pay 10 days from today", "2026-11-28", NULL},
    {"en", "5 working days from now", "2026-11-25", NULL},
    {"en", "payable 30 days from the invoice date", NULL, NULL},
    {"en", "We will pay by Friday.", "2026-11-20", NULL},
    {"en", "by Wednesday", "2026-11-18", NULL},
    {"en", "next Monday", "2026-11-23", NULL},
    {"en", "next Friday", "2026-11-27", NULL},
    {"en", "Friday next week", "2026-11-27", NULL},
    {"en", "next week Friday", "2026-11-27", NULL},
    {"en", "last Friday", "2026-11-13", NULL},
    {"en", "by the end of the month", "2026-11-30", NULL},
    {"en", "within 5 working days", "2026-11-25", NULL},
    {"en", "within the next 10 business days", "2026-12-02", NULL},
    {"en", "within three days", "2026-11-21", NULL},
    {"en", "in two weeks", "2026-12-02", NULL},
    {"en", "in a week", "2026-11-25", NULL},
    {"en", "in 2 months", "2027-01-18", NULL},
    {"en", "TOMORROW", "2026-11-19", NULL},
    {"en", "the day after tomorrow", "2026-11-20", NULL},
    {"en", "We paid yesterday", "2026-11-17", NULL},
    {"en", "today", "2026-11-18", NULL},
    {"en", "on the 2nd of December", "2026-12-02", NULL},
    {"en", "December 2", "2026-12-02", NULL},
    {"en", "December 2nd, 2027", "2027-12-02", NULL},
    {"en", "3 Dec", "2026-12-03", NULL},
    {"en", "Dec. 3", "2026-12-03", NULL},
    {"en", "2 December 2026", "2026-12-02", NULL},
    {"en", "next week", "2026-11-27", NULL},
    {"en", "this week", "2026-11-20", NULL},
    {"en", "beginning of next month", "2026-12-01", NULL},
    {"en", "mid-month", "2026-12-15", NULL},
    {"en", "end of December", "2026-12-31", NULL},
    {"en", "early December", "2026-12-01", NULL},
    {"en", "next month", "2026-12-31", NULL},
    {"en", "Friday, 4 December", "2026-12-04", NULL},
    {"en", "I'm back on 30 November", "2026-11-30", NULL},
    {"en", "30 November we will be back", "2026-11-30", NULL},
    {"en", "Office hours Monday to Friday, we pay on Thursday", "2026-11-19", NULL},
    {"en", "this week", "2026-11-22", "2026-11-22"}, /* a Sunday: the week's Friday passed */
    {"en", "We may 3 times ask", NULL, NULL},
    {"en", "On May 3 we pay", "2027-05-03", NULL},
    {"en", "out of office 01.12.2026-05.12.2026", "2026-12-01", NULL},
};

static const when_case cases_pl[] = {
    {"pl", "do piątku", "2026-11-20", NULL},
    {"pl", "DO PIĄTKU", "2026-11-20", NULL},
    {"pl", "do piatku", "2026-11-20", NULL},
    {"pl", "w piątek", "2026-11-20", NULL},
    {"pl", "przed piątkiem", "2026-11-20", NULL},
    {"pl", "we wtorek", "2026-11-24", NULL},
    {"pl", "w środę", "2026-11-18", NULL},
    {"pl", "zapłacimy w przyszły piątek", "2026-11-27", NULL},
    {"pl", "w zeszły poniedziałek", "2026-11-16", NULL},
    {"pl", "3 grudnia", "2026-12-03", NULL},
    {"pl", "3 gru", "2026-12-03", NULL},
    {"pl", "3 XII 2026", "2026-12-03", NULL},
    {"pl", "3 grudnia 2026 r.", "2026-12-03", NULL},
    {"pl", "do 15.12.2026", "2026-12-15", NULL},
    {"pl", "w ciągu 5 dni roboczych", "2026-11-25", NULL},
    {"pl", "w ciągu pięciu dni", "2026-11-23", NULL},
    {"pl", "za dwa tygodnie", "2026-12-02", NULL},
    {"pl", "za tydzień", "2026-11-25", NULL},
    {"pl", "jutro", "2026-11-19", NULL},
    {"pl", "pojutrze", "2026-11-20", NULL},
    {"pl", "przedwczoraj zapłaciliśmy", "2026-11-16", NULL},
    {"pl", "wczoraj", "2026-11-17", NULL},
    {"pl", "do końca miesiąca", "2026-11-30", NULL},
    {"pl", "do końca tygodnia", "2026-11-20", NULL},
    {"pl", "w przyszłym tygodniu", "2026-11-27", NULL},
    {"pl", "na początku przyszłego miesiąca", "2026-12-01", NULL},
    {"pl", "w połowie grudnia", "2026-12-15", NULL},
    {"pl", "do końca grudnia", "2026-12-31", NULL},
    {"pl", "wracam w grudniu 3-go grudnia", "2026-12-03", NULL},
    {"pl", "Dokument wyślemy", NULL, NULL},
    /* "się" folds to "sie", so "sie" cannot be August's abbreviation. */
    {"pl", "zobowiązujemy się 3 grudnia zapłacić", "2026-12-03", NULL},
    {"pl", "rozliczymy się 15 grudnia", "2026-12-15", NULL},
    {"pl", "3 sierp. 2027", "2027-08-03", NULL},
};

static const when_case cases_bg[] = {
    {"bg", "до петък", "2026-11-20", NULL},
    {"bg", "ДО ПЕТЪК", "2026-11-20", NULL},
    {"bg", "в петък", "2026-11-20", NULL},
    {"bg", "в понеделника", "2026-11-23", NULL},
    {"bg", "следващия понеделник", "2026-11-23", NULL},
    {"bg", "следващия петък", "2026-11-27", NULL},
    {"bg", "4 декември", "2026-12-04", NULL},
    {"bg", "4-ти декември", "2026-12-04", NULL},
    {"bg", "3 дек.", "2026-12-03", NULL},
    {"bg", "5 май", "2027-05-05", NULL},
    {"bg", "в рамките на 3 работни дни", "2026-11-23", NULL},
    {"bg", "в рамките на три дни", "2026-11-21", NULL},
    {"bg", "след 2 седмици", "2026-12-02", NULL},
    {"bg", "утре", "2026-11-19", NULL},
    {"bg", "вдругиден", "2026-11-20", NULL},
    {"bg", "вчера платихме", "2026-11-17", NULL},
    {"bg", "до края на месеца", "2026-11-30", NULL},
    {"bg", "следващата седмица", "2026-11-27", NULL},
    {"bg", "до 30.11.2026 г.", "2026-11-30", NULL},
    {"bg", "в началото на следващия месец", "2026-12-01", NULL},
};

static const when_case cases_nl[] = {
    {"nl", "uiterlijk vrijdag", "2026-11-20", NULL},
    {"nl", "op maandag", "2026-11-23", NULL},
    {"nl", "1 december", "2026-12-01", NULL},
    {"nl", "1e december", "2026-12-01", NULL},
    {"nl", "3 mrt", "2027-03-03", NULL},
    {"nl", "binnen 5 werkdagen", "2026-11-25", NULL},
    {"nl", "binnen drie dagen", "2026-11-21", NULL},
    {"nl", "over twee weken", "2026-12-02", NULL},
    {"nl", "morgen", "2026-11-19", NULL},
    {"nl", "overmorgen", "2026-11-20", NULL},
    {"nl", "gisteren betaald", "2026-11-17", NULL},
    {"nl", "volgende week", "2026-11-27", NULL},
    {"nl", "volgende week vrijdag", "2026-11-27", NULL},
    {"nl", "aanstaande vrijdag", "2026-11-20", NULL},
    {"nl", "vrijdag jl.", "2026-11-13", NULL},
    {"nl", "eind van de maand", "2026-11-30", NULL},
    {"nl", "begin volgende maand", "2026-12-01", NULL},
    {"nl", "goede morgen, we betalen vrijdag", "2026-11-20", NULL},
    {"nl", "tot en met 04-12-2026", "2026-12-04", NULL},
};

static const when_case cases_ro[] = {
    {"ro", "până vineri", "2026-11-20", NULL},
    {"ro", "pana vineri", "2026-11-20", NULL},
    {"ro", "vineri", "2026-11-20", NULL},
    {"ro", "vinerea viitoare", "2026-11-27", NULL},
    {"ro", "vinerea trecută", "2026-11-13", NULL},
    {"ro", "în cursul săptămânii", "2026-11-20", NULL},
    {"ro", "în cursul săptămânii viitoare", "2026-11-27", NULL}, /* the longer phrase */
    {"ro", "2 decembrie", "2026-12-02", NULL},
    {"ro", "pe 2 decembrie 2026", "2026-12-02", NULL},
    {"ro", "în 3 zile lucrătoare", "2026-11-23", NULL},
    {"ro", "in 3 zile lucratoare", "2026-11-23", NULL},
    {"ro", "în două săptămâni", "2026-12-02", NULL},
    {"ro", "într-o săptămână", "2026-11-25", NULL},
    {"ro", "peste 2 luni", "2027-01-18", NULL},
    {"ro", "mâine", "2026-11-19", NULL},
    {"ro", "maine", "2026-11-19", NULL},
    {"ro", "poimâine", "2026-11-20", NULL},
    {"ro", "ieri am plătit", "2026-11-17", NULL},
    {"ro", "până la sfârșitul lunii", "2026-11-30", NULL},
    {"ro", "sfarsitul lunii decembrie", "2026-12-31", NULL},
    {"ro", "săptămâna viitoare", "2026-11-27", NULL},
    {"ro", "avem nevoie de 2 luni", NULL, NULL},
    {"ro", "plătim în 10 zile de azi", "2026-11-28", NULL},
    /* The time a client asks for counts from today. */
    {"ro", "ne mai trebuie zece zile", "2026-11-28", NULL},
    {"ro", "mai avem nevoie de două săptămâni", "2026-12-02", NULL},
    {"ro", "plătim în ședința de luni", "2026-11-23", NULL},
};

static const when_case cases_es[] = {
    {"es", "el viernes", "2026-11-20", NULL},
    {"es", "el próximo lunes", "2026-11-23", NULL},
    {"es", "el viernes que viene", "2026-11-20", NULL},
    {"es", "el viernes pasado", "2026-11-13", NULL},
    {"es", "4 de diciembre", "2026-12-04", NULL},
    {"es", "el 4 de diciembre de 2027", "2027-12-04", NULL},
    {"es", "1º de diciembre", "2026-12-01", NULL},
    {"es", "en 5 días hábiles", "2026-11-25", NULL},
    {"es", "dentro de tres días", "2026-11-21", NULL},
    {"es", "en dos semanas", "2026-12-02", NULL},
    {"es", "mañana", "2026-11-19", NULL},
    {"es", "manana", "2026-11-19", NULL},
    {"es", "pasado mañana", "2026-11-20", NULL},
    {"es", "ayer pagamos", "2026-11-17", NULL},
    {"es", "esta mañana hemos pagado", "2026-11-18", NULL},
    {"es", "pagaremos el lunes por la mañana", "2026-11-23", NULL},
    {"es", "la próxima semana", "2026-11-27", NULL},
    {"es", "a finales de mes", "2026-11-30", NULL},
    {"es", "a mediados de diciembre", "2026-12-15", NULL},
};

static const when_case cases_de[] = {
    {"de", "bis Freitag", "2026-11-20", NULL},
    {"de", "am Freitag", "2026-11-20", NULL},
    {"de", "nächsten Montag", "2026-11-23", NULL},
    {"de", "naechsten Freitag", "2026-11-27", NULL},
    {"de", "letzten Freitag", "2026-11-13", NULL},
    {"de", "3. Dezember", "2026-12-03", NULL},
    {"de", "am 3. Dez. 2026", "2026-12-03", NULL},
    {"de", "3. März", "2027-03-03", NULL},
    {"de", "3. Maerz", "2027-03-03", NULL},
    {"de", "3. Marz", "2027-03-03", NULL},
    {"de", "am 3.12.", "2026-12-03", NULL},
    {"de", "innerhalb von 5 Werktagen", "2026-11-25", NULL},
    {"de", "in zwei Wochen", "2026-12-02", NULL},
    {"de", "morgen", "2026-11-19", NULL},
    {"de", "übermorgen", "2026-11-20", NULL},
    {"de", "uebermorgen", "2026-11-20", NULL},
    {"de", "heute Morgen überwiesen", "2026-11-18", NULL},
    {"de", "Guten Morgen, wir zahlen am Freitag", "2026-11-20", NULL},
    {"de", "nächste Woche", "2026-11-27", NULL},
    {"de", "Ende des Monats", "2026-11-30", NULL},
    {"de", "Anfang nächsten Monats", "2026-12-01", NULL},
    {"de", "Mitte Dezember", "2026-12-15", NULL},
    {"de", "gestern", "2026-11-17", NULL},
    {"de", "Freitag, den 4.12.", "2026-12-04", NULL},
    {"de", "Wir begleichen die Rechnung bis Ende Woche.", "2026-11-20", NULL}, /* Swiss */
    {"de", "Ende diese Woche", "2026-11-20", NULL},
};

static const when_case cases_fr[] = {
    {"fr", "vendredi", "2026-11-20", NULL},
    {"fr", "VENDREDI prochain", "2026-11-20", NULL},
    {"fr", "lundi prochain", "2026-11-23", NULL},
    {"fr", "vendredi dernier", "2026-11-13", NULL},
    {"fr", "2 décembre", "2026-12-02", NULL},
    {"fr", "2 decembre", "2026-12-02", NULL},
    {"fr", "1er décembre", "2026-12-01", NULL},
    {"fr", "le 2 fevrier", "2027-02-02", NULL},
    {"fr", "sous 5 jours ouvrés", "2026-11-25", NULL},
    {"fr", "sous 5 jours ouvres", "2026-11-25", NULL},
    {"fr", "dans trois jours", "2026-11-21", NULL},
    {"fr", "demain", "2026-11-19", NULL},
    {"fr", "après-demain", "2026-11-20", NULL},
    {"fr", "apres demain", "2026-11-20", NULL},
    {"fr", "aujourd’hui", "2026-11-18", NULL},
    {"fr", "hier", "2026-11-17", NULL},
    {"fr", "la semaine prochaine", "2026-11-27", NULL},
    {"fr", "d'ici la fin du mois", "2026-11-30", NULL},
    {"fr", "mi-décembre", "2026-12-15", NULL},
    {"fr", "fin décembre", "2026-12-31", NULL},
};

/* "The occurrence nearest to the anchor", with a mail of 22 November. */
static const when_case cases_year[] = {
    {"en", "2 December", "2026-12-02", "2026-11-22"},
    {"en", "3 January", "2027-01-03", "2026-11-22"},
    {"en", "19 November", "2026-11-19", "2026-11-22"},
    {"en", "3.1.", "2027-01-03", "2026-11-22"},
    {"en", "28/12", "2025-12-28", "2026-02-03"},
    {"en", "15 June", "2027-06-15", "2026-12-20"},
    {"en", "29.02.", "2028-02-29", "2027-12-30"},
    {"en", "29.02.", NULL, "2026-11-22"}, /* no leap year within reach */
    {"pl", "12.10.26", "2026-10-12", NULL},
    {"pl", "03/12/2026", "2026-12-03", NULL},
    {"pl", "3-12-2026", "2026-12-03", NULL},
    {"en", "2026-12-03T10:00", "2026-12-03", NULL},
};

/* A wrong date embarrasses more than a missed one. */
static const when_case cases_strict[] = {
    {NULL, "1250.00", NULL, NULL},
    {NULL, "12.50", NULL, NULL},
    {NULL, "1.250,00 EUR", NULL, NULL},
    {NULL, "Invoice 2026/11/045 for 1250.00 EUR", NULL, NULL},
    {NULL, "INV-2026-11-04", NULL, NULL},
    {NULL, "invoice #12.11.2026", NULL, NULL},
    {NULL, "+48 601 234 567", NULL, NULL},
    {NULL, "+48-601-234-567", NULL, NULL},
    {NULL, "tel. 0888/123 456", NULL, NULL},
    {NULL, "31.02.", NULL, NULL},
    {NULL, "31.02.2026", NULL, NULL},
    {NULL, "2026-13-01", NULL, NULL},
    {NULL, "2026-02-30", NULL, NULL},
    {NULL, "32.12.2026", NULL, NULL},
    {NULL, "we pay 1/2 now", NULL, NULL},
    {NULL, "a 24/7 service", NULL, NULL},
    {NULL, "5-10", NULL, NULL},
    {NULL, "version 1.2.3", NULL, NULL},
    {NULL, "10.0.0.1", NULL, NULL},
    {NULL, "12.10.1850", NULL, NULL},
    {NULL, "the marketing department", NULL, NULL},
    {NULL, "Dokument w załączniku", NULL, NULL},
    {NULL, "Mardigras Maintenance", NULL, NULL},
    {NULL, "at 12:30", NULL, NULL},
    {NULL, "", NULL, NULL},
    {NULL, "Vendredi13 Freitags", NULL, NULL},
    /* A month before a number that is no day: "mai" is also Romanian "more". */
    {"en", "We asked in May 3 times", NULL, NULL},
    {"en", "Dec 15 EUR", NULL, NULL},
    {"ro", "încă mai 15 lei de plătit", NULL, NULL},
    {"ro", "mai 2 ore", NULL, NULL},
    {"ro", "cel mai 10 minute", NULL, NULL},
    {"ro", "mai 3 facturi", NULL, NULL},
    {"en", "December 2, 2026", "2026-12-02", NULL},
    {"en", "by December 2.", "2026-12-02", NULL},
};

/*
 * The labelling conventions of when.h ("What the expressions resolve to"),
 * each in several languages.  A plural weekday ("on Thursdays") is the
 * weekday.
 */
static const when_case cases_plural_weekday[] = {
    {"en", "We pay suppliers on Thursdays.", "2026-11-19", NULL},
    {"en", "Office hours Mondays to Fridays, payments go out on Fridays", "2026-11-20", NULL},
    {"pl", "płacimy w czwartki", "2026-11-19", NULL},
    {"pl", "przelewy wysyłamy we wtorki", "2026-11-24", NULL},
    {"fr", "nous payons les jeudis", "2026-11-19", NULL},
    {"nl", "wij betalen op donderdagen", "2026-11-19", NULL},
    {"nl", "wij betalen donderdags", "2026-11-19", NULL},
    {"es", "pagamos los sábados", "2026-11-21", NULL},
    {"ro", "plătim joile", "2026-11-19", NULL},
    {"bg", "плащаме в четвъртъците", "2026-11-19", NULL},
};

/* "tomorrow" and "the day after" as clients type them: +1 and +2. */
static const when_case cases_tomorrow[] = {
    {"en", "will pay tmr", "2026-11-19", NULL},
    {"en", "will pay tmrw", "2026-11-19", NULL},
    {"en", "will pay 2moro", "2026-11-19", NULL},
    {"en", "will pay 2morrow!", "2026-11-19", NULL},
    {"en", "will pay tommorow", "2026-11-19", NULL},
    {"en", "will pay tomorow", "2026-11-19", NULL},
    {"en", "will pay tomoz", "2026-11-19", NULL},
    {"en", "day after tmrw", "2026-11-20", NULL},
    {"de", "zahlen ubermorgen", "2026-11-20", NULL},
    {"de", "zahlen morgn", "2026-11-19", NULL},
    {"fr", "on paye 2main", "2026-11-19", NULL},
    {"fr", "on paye dem1", "2026-11-19", NULL},
    {"fr", "on paye apres demain", "2026-11-20", NULL},
    {"es", "pagamos mñn", "2026-11-19", NULL},
    {"es", "pagamos pasado manana", "2026-11-20", NULL},
    {"bg", "plashtame utre", "2026-11-19", NULL},
    {"bg", "plashtame vdrugiden", "2026-11-20", NULL},
    {"nl", "betalen mrgn", "2026-11-19", NULL},
    {"pl", "zaplacimy jutro", "2026-11-19", NULL},
    {"ro", "platim maine", "2026-11-19", NULL},
    {"ro", "platim poimaine", "2026-11-20", NULL},
    {"en", "ref 2moro2", NULL, NULL}, /* glued to a number: an identifier */
    /* Dutch writes the part of the day into the word; Polish typos. */
    {"nl", "Dat bedrag wordt morgenochtend door mijn compagnon betaald.", "2026-11-19", NULL},
    {"nl", "Ik breng het morgenvroeg meteen in orde.", "2026-11-19", NULL},
    {"nl", "morgenmiddag", "2026-11-19", NULL},
    {"nl", "morgenavond", "2026-11-19", NULL},
    {"de", "morgenfrüh überweisen wir", "2026-11-19", NULL},
    {"pl", "jutor przelew, sorry za zwloke", "2026-11-19", NULL},
    {"pl", "jurto przelew", "2026-11-19", NULL},
    {"es", "mañana por la mañana", "2026-11-19", NULL},
    {"ro", "mâine dimineață", "2026-11-19", NULL},
};

/*
 * Parts of next week: its start is Monday, its middle Wednesday, its end
 * (and "next week" alone) Friday.  The anchor's week is 16-22 November.
 */
static const when_case cases_next_week_parts[] = {
    {"en", "early next week", "2026-11-23", NULL},
    {"en", "at the beginning of next week", "2026-11-23", NULL},
    {"en", "start of next week", "2026-11-23", NULL},
    {"en", "early next week", "2026-11-23", "2026-11-22"}, /* on a Sunday: tomorrow */
    {"en", "mid next week", "2026-11-25", NULL},
    {"en", "by the middle of next week", "2026-11-25", NULL},
    {"en", "by the end of next week", "2026-11-27", NULL},
    {"en", "next week", "2026-11-27", NULL},
    {"pl", "na początku przyszłego tygodnia", "2026-11-23", NULL},
    {"pl", "w połowie przyszłego tygodnia", "2026-11-25", NULL},
    {"pl", "pod koniec przyszłego tygodnia", "2026-11-27", NULL},
    {"de", "Anfang nächster Woche", "2026-11-23", NULL},
    {"de", "Mitte nächster Woche", "2026-11-25", NULL},
    {"de", "Ende der nächsten Woche", "2026-11-27", NULL},
    {"fr", "au début de la semaine prochaine", "2026-11-23", NULL},
    {"fr", "en milieu de semaine prochaine", "2026-11-25", NULL},
    {"fr", "fin de la semaine prochaine", "2026-11-27", NULL},
    {"nl", "begin volgende week", "2026-11-23", NULL},
    {"nl", "midden volgende week", "2026-11-25", NULL},
    {"nl", "eind volgende week", "2026-11-27", NULL},
    {"es", "a principios de la próxima semana", "2026-11-23", NULL},
    {"es", "a mediados de la semana que viene", "2026-11-25", NULL},
    {"es", "a finales de la próxima semana", "2026-11-27", NULL},
    {"ro", "la începutul săptămânii viitoare", "2026-11-23", NULL},
    {"ro", "la mijlocul săptămânii viitoare", "2026-11-25", NULL},
    {"ro", "la sfârșitul săptămânii viitoare", "2026-11-27", NULL},
    {"bg", "в началото на следващата седмица", "2026-11-23", NULL},
    {"bg", "в средата на следващата седмица", "2026-11-25", NULL},
    {"bg", "в края на следващата седмица", "2026-11-27", NULL},
};

/*
 * "After the weekend" is the Monday after the coming Sunday; a weekday
 * "after the weekend" is that day of the week after it.
 */
static const when_case cases_after_weekend[] = {
    {"en", "we will pay after the weekend", "2026-11-23", NULL},
    {"en", "after the weekend", "2026-11-23", "2026-11-21"}, /* a Saturday */
    {"en", "after the weekend", "2026-11-23", "2026-11-22"}, /* a Sunday */
    {"en", "after the weekend", "2026-11-30", "2026-11-23"}, /* a Monday: the next one */
    {"en", "on Monday after the weekend", "2026-11-23", NULL},
    {"en", "on Monday after the weekend", "2026-11-30", "2026-11-23"},
    {"en", "Tuesday after the weekend", "2026-11-24", NULL},
    {"pl", "zapłacimy po weekendzie", "2026-11-23", NULL},
    {"pl", "w poniedziałek po weekendzie", "2026-11-23", NULL},
    {"de", "nach dem Wochenende", "2026-11-23", NULL},
    {"de", "am Montag nach dem Wochenende", "2026-11-23", NULL},
    {"fr", "après le week-end", "2026-11-23", NULL},
    {"fr", "lundi après le weekend", "2026-11-23", NULL},
    {"nl", "na het weekend", "2026-11-23", NULL},
    {"es", "después del fin de semana", "2026-11-23", NULL},
    {"ro", "după weekend", "2026-11-23", NULL},
    {"bg", "след уикенда", "2026-11-23", NULL},
};

/*
 * The start of a month is its first working day (Monday to Friday): of
 * next month for "early next month", of this month while it is still
 * ahead for "beginning of the month", of the month named for "early
 * December".  1 November 2026 is a Sunday, 1 August 2026 a Saturday.
 */
static const when_case cases_month_start[] = {
    {"en", "early next month", "2026-11-02", "2026-10-14"},
    {"en", "at the start of next month", "2026-11-02", "2026-10-14"},
    {"de", "Anfang nächsten Monats", "2026-11-02", "2026-10-14"},
    {"fr", "début du mois prochain", "2026-11-02", "2026-10-14"},
    {"pl", "na początku przyszłego miesiąca", "2026-08-03", "2026-07-20"},
    {"es", "a principios del próximo mes", "2026-12-01", NULL},
    {"en", "beginning of the month", "2026-12-01", NULL}, /* 2 November has passed */
    {"en", "beginning of the month", "2026-11-02", "2026-10-31"},
    {"en", "beginning of the month", "2026-11-02", "2026-11-01"},
    {"nl", "begin van de maand", "2026-11-02", "2026-11-02"}, /* that very day */
    {"es", "a principios de mes", "2026-11-02", "2026-11-01"},
    {"ro", "la începutul lunii", "2026-08-03", "2026-08-01"},
    {"de", "Anfang Dezember", "2026-12-01", NULL},
    {"fr", "début décembre", "2026-12-01", NULL},
    {"en", "early August", "2026-08-03", "2026-07-10"},
    {"pl", "na początku sierpnia", "2026-08-03", "2026-07-10"},
    {"en", "mid-month", "2026-12-15", NULL}, /* the middle is unchanged */
    {"de", "Mitte Dezember", "2026-12-15", NULL},
};

/*
 * The last working day of the month is its last Monday to Friday (of the
 * next month once it has passed); the first working day of next month its
 * first.  31 October 2026 is a Saturday, 1 November a Sunday.
 */
static const when_case cases_month_working_days[] = {
    {"en", "on the last working day of the month", "2026-10-30", "2026-10-14"},
    {"en", "last business day of the month", "2027-01-29", "2027-01-12"},
    {"en", "last working day of the month", "2026-11-30", NULL},
    {"en", "last working day of the month", "2026-11-30", "2026-10-31"}, /* passed */
    {"de", "am letzten Werktag des Monats", "2026-10-30", "2026-10-14"},
    {"pl", "w ostatni dzień roboczy miesiąca", "2026-10-30", "2026-10-14"},
    {"fr", "le dernier jour ouvré du mois", "2026-10-30", "2026-10-14"},
    {"nl", "op de laatste werkdag van de maand", "2026-10-30", "2026-10-14"},
    {"es", "el último día hábil del mes", "2026-10-30", "2026-10-14"},
    {"ro", "în ultima zi lucrătoare a lunii", "2026-10-30", "2026-10-14"},
    {"bg", "в последния работен ден на месеца", "2026-10-30", "2026-10-14"},
    {"en", "on the first working day of next month", "2026-11-02", "2026-10-14"},
    {"de", "am ersten Werktag des nächsten Monats", "2026-11-02", "2026-10-14"},
    {"pl", "pierwszego dnia roboczego przyszłego miesiąca", "2026-11-02", "2026-10-14"},
    {"fr", "le premier jour ouvré du mois prochain", "2026-11-02", "2026-10-14"},
    {"nl", "de eerste werkdag van volgende maand", "2026-11-02", "2026-10-14"},
    {"es", "el primer día hábil del próximo mes", "2026-11-02", "2026-10-14"},
    {"ro", "prima zi lucrătoare a lunii viitoare", "2026-11-02", "2026-10-14"},
    {"bg", "първия работен ден на следващия месец", "2026-11-02", "2026-10-14"},
    {"en", "first working day of the month", "2026-11-02", "2026-10-31"},
    {"de", "am ersten Werktag des Monats", "2026-12-01", NULL},
    {"pl", "pierwszego dnia roboczego miesiąca", "2026-11-02", "2026-11-01"},
};

/*
 * A bare day of the month, read only with WHEN_BARE_DAY and only in the
 * ordinal or article shape of its language: the next such day on or after
 * the anchor.  Amounts, times, hours and invoice numbers are refused.
 */
static const when_case cases_bare_day[] = {
    {"en", "We pay on the 25th.", "2026-11-25", NULL},
    {"en", "Payment goes out with the 15th run", "2026-12-15", NULL},
    {"en", "by the 18th", "2026-11-18", NULL}, /* the anchor's day */
    {"en", "on the 1st", "2026-12-01", NULL},
    {"en", "on the 31st", "2026-12-31", NULL}, /* November has no 31st */
    {"en", "25th", "2026-11-25", NULL},
    {"en", "on the 25", NULL, NULL},
    {"en", "this is the 3rd reminder, we pay on the 25th", "2026-11-25", NULL},
    {"en", "on the 3rd of December", "2026-12-03", NULL},
    {"en", "on 12.50", NULL, NULL},
    /* A day and month without the final dot after a date's preposition:
     * "12.50" alone is an amount, "on 23.11," is a date. */
    {"en", "on 23.11, thanks", "2026-11-23", NULL},
    {"ro", "restul pe 23.11, mulțumesc", "2026-11-23", NULL},
    {"pl", "zapłacimy do 4.12", "2026-12-04", NULL},
    {"de", "bis 4.12 überweisen wir", "2026-12-04", NULL},
    {"en", "by 10.05 am", NULL, NULL},
    {"en", "on 10.05 EUR", NULL, NULL},
    {"en", "we pay 10.05 now", NULL, NULL},
    {"en", "the 15th at 15:30", "2026-12-15", NULL},
    {"en", "at 15:30", NULL, NULL},
    {"en", "invoice FV/2026/10/045", NULL, NULL},
    {"en", "invoice INV-2026-0142", NULL, NULL},
    {"en", "on the 15th of 1.250,00", "2026-12-15", NULL},
    {"en", "1.250,00 EUR", NULL, NULL},
    {"de", "Wir zahlen am 15.", "2026-12-15", NULL},
    {"de", "zum 25. überweisen wir", "2026-11-25", NULL},
    {"de", "bis zum 20.", "2026-11-20", NULL},
    {"de", "ab dem 1.", "2026-12-01", NULL},
    {"de", "am 15. Dezember", "2026-12-15", NULL},
    {"de", "am 15", NULL, NULL}, /* the German ordinal is "15." */
    {"de", "am 15:30", NULL, NULL},
    {"de", "am 12.50", NULL, NULL},
    {"de", "15h", NULL, NULL},
    {"de", "am 15. um 10 Uhr", "2026-12-15", NULL},
    {"de", "Die Überweisung geht mit dem 15. raus.", "2026-12-15", NULL},
    {"de", "per 25. überwiesen", "2026-11-25", NULL}, /* Swiss and Austrian */
    {"de", "bis am 20.", "2026-11-20", NULL},
    {"de", "auf den 15. terminiert", "2026-12-15", NULL},
    {"de", "mit dem 15 Mitarbeiter", NULL, NULL},
    {"de", "am 15ten", "2026-12-15", NULL}, /* the ending instead of the dot */
    {"de", "bis zum 20sten", "2026-11-20", NULL},
    {"de", "15ten", NULL, NULL},
    {"fr", "le 15", "2026-12-15", NULL},
    {"fr", "le 1er", "2026-12-01", NULL},
    {"fr", "jusqu'au 20", "2026-11-20", NULL},
    {"fr", "le 15h", NULL, NULL},
    {"fr", "le 15 h 30", NULL, NULL},
    {"fr", "le 12.50", NULL, NULL},
    {"fr", "le 15 %", NULL, NULL},
    {"fr", "15", NULL, NULL}, /* no article */
    {"es", "el día 10", "2026-12-10", NULL},
    {"es", "el 25", "2026-11-25", NULL},
    {"es", "el 10%", NULL, NULL},
    {"es", "el 10 por ciento", NULL, NULL},
    {"es", "el 15:30", NULL, NULL},
    {"pl", "zapłacimy 15-go", "2026-12-15", NULL},
    {"pl", "rozliczymy się 15-go", "2026-12-15", NULL},
    {"pl", "do 25-tego", "2026-11-25", NULL},
    {"pl", "dnia 20", "2026-11-20", NULL},
    {"pl", "dnia 15:30", NULL, NULL},
    {"pl", "faktura FV/2026/10/045", NULL, NULL},
    {"pl", "15 zł", NULL, NULL},
    {"bg", "на 15-ти", "2026-12-15", NULL},
    {"bg", "на 25", "2026-11-25", NULL},
    {"bg", "до 20-ти", "2026-11-20", NULL},
    {"bg", "на 15 лв.", NULL, NULL},
    {"bg", "на 1.250,00 лв.", NULL, NULL},
    {"bg", "на 15 000 лева", NULL, NULL},
    {"ro", "pe 15", "2026-12-15", NULL},
    {"ro", "în 25", "2026-11-25", NULL},
    {"ro", "pe 15:30", NULL, NULL},
    {"ro", "în 15 ore", NULL, NULL},
    {"ro", "în 15 zile", "2026-12-03", NULL}, /* a quantity, as before */
    {"nl", "de 15e", "2026-12-15", NULL},
    {"nl", "op de 25ste", "2026-11-25", NULL},
    {"nl", "de 20de", "2026-11-20", NULL},
    {"nl", "de 15h", NULL, NULL},
    {"nl", "om 15:30", NULL, NULL},
    /* "of the 15th" dates an invoice, in the past: no bare day. */
    {"de", "Ihre Rechnung vom 15.", NULL, NULL},
    {"fr", "votre facture du 15", NULL, NULL},
    {"es", "su factura del 15", NULL, NULL},
    {"ro", "factura din 15", NULL, NULL},
    {NULL, "INV-2026-0142 for 12.50 at 15:30", NULL, NULL},
};

/*
 * The ordinal endings of a bare day as clients write them: Bulgarian short
 * and neuter forms ("на 30-и", "25-о число", "1-во"), with the article
 * ("30-ия"), and typed in Latin letters ("na 30-i").
 */
static const when_case cases_bare_day_ordinals[] = {
    {"bg", "ще платим на 30-и", "2026-11-30", NULL},
    {"bg", "с плащанията на 15-и", "2026-12-15", NULL},
    {"bg", "платежният ни ден е 25-о число", "2026-11-25", NULL},
    {"bg", "30-ти", "2026-11-30", NULL},
    {"bg", "до 25-и", "2026-11-25", NULL},
    {"bg", "на 1-во число", "2026-12-01", NULL},
    {"bg", "на 2-ро", "2026-12-02", NULL},
    {"bg", "на 20-ия", "2026-11-20", NULL},
    {"bg", "25-ото число", "2026-11-25", NULL},
    {"bg", "shte platim na 30-i", "2026-11-30", NULL},
    {"bg", "do 25-ti", "2026-11-25", NULL},
    {"bg", "na 20", "2026-11-20", NULL},
    {"bg", "30-и ноември", "2026-11-30", NULL},
    {"bg", "на 15-и в 10 ч.", "2026-12-15", NULL},
    {"bg", "15-и лв", NULL, NULL},
    {"bg", "на 15-ия етаж", NULL, NULL},
    /* The same family in the other languages, read already. */
    {"ro", "plătim pe 15", "2026-12-15", NULL},
    {"es", "pagamos el 15", "2026-12-15", NULL},
    {"es", "el día 15", "2026-12-15", NULL},
    {"fr", "nous payons le 15", "2026-12-15", NULL},
    {"pl", "zapłacimy 15-go", "2026-12-15", NULL},
    {"nl", "de 15e", "2026-12-15", NULL},
    {"nl", "op de 15de", "2026-12-15", NULL},
    {"en", "the 15th", "2026-12-15", NULL},
    {"en", "on 15th", "2026-12-15", NULL},
    /* Words after the number that name it a day of the month. */
    {"bg", "платежният ни ден е 25 число", "2026-11-25", NULL},
    {"pl", "płacimy 15. dnia", "2026-12-15", NULL},
    {"pl", "płacimy 15 dnia miesiąca", "2026-12-15", NULL},
    {"pl", "25 każdego miesiąca", "2026-11-25", NULL},
    {"pl", "opóźnienie 1 dnia", NULL, NULL}, /* one day */
    {"pl", "w ciągu 15 dni", "2026-12-03", NULL},
    {"en", "we pay on the 25 of each month", "2026-11-25", NULL},
    {"en", "25th of the month", "2026-11-25", NULL},
    {"de", "Zahlung 25. jedes Monats", "2026-11-25", NULL},
    {"de", "am 25. des Monats", "2026-11-25", NULL},
    {"fr", "nous payons 25 de chaque mois", "2026-11-25", NULL},
    {"es", "pagamos 25 de cada mes", "2026-11-25", NULL},
    {"nl", "wij betalen 25 van elke maand", "2026-11-25", NULL},
    {"ro", "plătim furnizorii 25 ale fiecărei luni", "2026-11-25", NULL},
    {"ro", "25 ale lunii", "2026-11-25", NULL},
    {"ro", "25 zile ale lunii", NULL, NULL},
    /* Romanian "in the date of the 15th". */
    {"ro", "în data de 15", "2026-12-15", NULL},
    {"ro", "plătim pe data de 25", "2026-11-25", NULL},
    {"ro", "până la data de 20", "2026-11-20", NULL},
    {"ro", "în data de 15:30", NULL, NULL},
    /* A payment run "of the 25th" is one, unlike an invoice "of the 15th". */
    {"es", "la pagamos en la remesa del 25", "2026-11-25", NULL},
    {"fr", "elle partira avec la campagne du 25", "2026-11-25", NULL},
    {"de", "mit dem Zahllauf vom 25.", "2026-11-25", NULL},
    {NULL, "4e sega nqmame pari", NULL, NULL}, /* "че": Bulgarian typed on a phone */
    {NULL, "a 1-to-1 meeting", NULL, NULL},
    {NULL, "a 2-to-1 vote", NULL, NULL},
};

/*
 * Payment runs on several days of the month ("on the 10th and the 25th"):
 * the next of them.  The days of a list rise and each has the form of the
 * first (its ending, its dot); a number that does not fit ends the list.
 */
static const when_case cases_bare_day_lists[] = {
    {"bg", "разплащаме се на 1-во и на 15-о число", "2026-12-01", NULL},
    {"bg", "на два пакета месечно – на 10-о и на 25-о число", "2026-11-25", "2026-11-17"},
    {"bg", "два пъти месечно - на 15-о и на 30-о число", "2026-10-30", "2026-10-16"},
    {"nl", "op de 10e en op de 25e", "2026-11-25", "2026-11-12"},
    {"nl", "de 10e en de 25e van de maand", "2026-11-25", "2026-11-12"},
    {"de", "jeweils am 10. und am 25. des Monats", "2026-11-25", "2026-11-16"},
    {"de", "am 10. und 25.", "2026-11-25", NULL},
    {"de", "am 5., 15. und 25.", "2026-11-25", NULL},
    {"de", "am 10. oder 25.", "2026-11-25", NULL},
    {"en", "on the 10th and 25th", "2026-11-25", NULL},
    {"en", "on the 10th and the 25th of each month", "2026-11-25", NULL},
    {"en", "the 1st and 15th", "2026-12-01", NULL},
    {"fr", "le 10 et le 25", "2026-11-25", NULL},
    {"es", "el 10 y el 25", "2026-11-25", NULL},
    {"es", "los días 10 y 25", "2026-11-25", NULL},
    {"ro", "pe 10 și pe 25", "2026-11-25", NULL},
    {"ro", "pe 10 si 25", "2026-11-25", NULL},
    {"pl", "10-go i 25-go", "2026-11-25", NULL},
    {"pl", "dnia 10 lub 25", "2026-11-25", NULL},
    /* A day word after the last day names them all ("10. i 25. dnia"):
     * the first that has not passed. */
    {"pl", "przelewy realizujemy dwa razy w miesiącu, 10. i 25. dnia miesiąca", "2026-11-10",
     "2026-10-27"},
    {"pl", "dwa razy w miesiącu – 10. i 25. dnia.", "2026-11-25", "2026-11-13"},
    {"pl", "10 i 25 dnia miesiąca", "2026-11-25", NULL},
    {"de", "10. und 25. jedes Monats", "2026-11-10", "2026-11-05"},
    {"en", "the 10 and 25 of each month", "2026-11-10", "2026-11-05"},
    {"fr", "10 et 25 de chaque mois", "2026-11-10", "2026-11-05"},
    {"es", "10 y 25 de cada mes", "2026-11-10", "2026-11-05"},
    {"nl", "10 en 25 van elke maand", "2026-11-10", "2026-11-05"},
    {"ro", "10 și 25 ale fiecărei luni", "2026-11-10", "2026-11-05"},
    {"bg", "10 и 25 число", "2026-11-10", "2026-11-05"},
    {"pl", "10 i 25 dni", NULL, NULL},
    {"pl", "kwoty 10 i 25 zł", NULL, NULL},
    {"pl", "pozycje 3 i 4, 25. dnia", "2026-11-25", NULL},
    {"pl", "10 i 25. dnia", "2026-11-25", NULL},
    /* What ends a list. */
    {"de", "am 15. und 3 Rechnungen", "2026-12-15", NULL},
    {"de", "am 10. und am 25", "2026-12-10", NULL},
    {"fr", "le 10 et 25 euros", "2026-12-10", NULL},
    {"en", "on the 10th and 5 days later", "2026-12-10", NULL},
    {"en", "on the 10th and 25", "2026-12-10", NULL},
    {"fr", "le 25 et le 10", "2026-11-25", NULL},
};

/*
 * "The coming Thursday" is the first Thursday after the anchor in every
 * language ("am kommenden Donnerstag", "this coming Friday", "идния
 * четвъртък", "joia care vine"); "next Thursday" follows each language's
 * next-weekday setting.  The end of this week is its Friday.  The anchor
 * is Wednesday 18 November.
 */
static const when_case cases_coming_weekday[] = {
    {"de", "im Zahllauf am kommenden Donnerstag", "2026-11-05", "2026-11-02"},
    {"de", "kommenden Donnerstag", "2026-11-19", NULL},
    {"de", "am kommenden Mittwoch", "2026-11-25", NULL}, /* not today */
    {"de", "nächsten Donnerstag", "2026-11-26", NULL},
    {"de", "Donnerstag nächste Woche", "2026-11-26", NULL},
    {"en", "this coming Friday", "2026-11-20", NULL},
    {"en", "the coming Thursday", "2026-11-19", NULL},
    {"en", "next Thursday", "2026-11-26", NULL},
    {"bg", "идния четвъртък", "2026-11-19", NULL},
    {"bg", "следващия четвъртък", "2026-11-26", NULL},
    {"ro", "joia care vine", "2026-11-19", NULL},
    {"ro", "joia viitoare", "2026-11-26", NULL},
    {"pl", "w przyszły czwartek", "2026-11-26", NULL},
    {"pl", "w najbliższy czwartek", "2026-11-19", NULL},
    {"fr", "jeudi prochain", "2026-11-19", NULL},
    {"es", "el jueves que viene", "2026-11-19", NULL},
    {"nl", "aanstaande donderdag", "2026-11-19", NULL},
    {"nl", "volgende week donderdag", "2026-11-26", NULL},
    {"nl", "deze week", "2026-11-20", NULL},
    {"nl", "eind deze week", "2026-11-20", NULL},
    {"pl", "do końca tygodnia", "2026-11-20", NULL},
    {"fr", "en fin de semaine", "2026-11-20", NULL},
    {"es", "a finales de semana", "2026-11-20", NULL},
    {"es", "antes del fin de semana", "2026-11-20", NULL},
    {"ro", "până la sfârșitul săptămânii", "2026-11-20", NULL},
    {"bg", "до края на седмицата", "2026-11-20", NULL},
};

/*
 * An ISO week by its number ("KW 45", "Kalenderwoche 45", "week 45") is
 * its Friday, as "next week" is; its beginning, middle and end are its
 * Monday, Wednesday and Friday.  Without a year, the year nearest the
 * anchor.  ISO week 45 of 2026 runs 2-8 November; 2026 has 53 weeks.
 */
static const when_case cases_week_number[] = {
    {"de", "die Zahlung ist für KW 45 eingeplant", "2026-11-06", "2026-10-23"},
    {"de", "in KW 45", "2026-11-06", "2026-10-23"},
    {"de", "KW45", "2026-11-06", "2026-10-23"},
    {"de", "Kalenderwoche 45", "2026-11-06", "2026-10-23"},
    {"de", "in der KW 47", "2026-11-20", NULL},
    {"de", "Anfang KW 47", "2026-11-16", "2026-10-23"},
    {"de", "Mitte KW 47", "2026-11-18", "2026-10-23"},
    {"de", "Ende KW 47", "2026-11-20", "2026-10-23"},
    {"de", "KW 2", "2027-01-15", "2026-12-20"},
    {"de", "KW 53", "2027-01-01", NULL},
    {"de", "KW 45/2027", "2027-11-12", NULL},
    {"de", "KW 54", NULL, NULL},
    {"de", "KW 0", NULL, NULL},
    {"de", "KW 45-46", NULL, NULL},
    {"de", "KW 45 %", NULL, NULL},
    {"de", "KW 45a", NULL, NULL},
    {"nl", "betaling staat gepland in week 45", "2026-11-06", "2026-10-23"},
    {"nl", "wk 45", "2026-11-06", "2026-10-23"},
    {"nl", "deze week 2 facturen", "2026-11-20", NULL}, /* this week, not week 2 */
    {"nl", "2 keer per week 3 uur", NULL, NULL},
    {"en", "payment planned for calendar week 45", "2026-11-06", "2026-10-23"},
    {"en", "in CW 45", "2026-11-06", "2026-10-23"},
    {"fr", "virement prévu semaine 45", "2026-11-06", "2026-10-23"},
    {"fr", "cette semaine 2 virements", "2026-11-20", NULL},
};

/*
 * A bare day with a month written out just before it in the same phrase
 * is that month's day: "our January run on the 8th".  When that day has
 * passed (the month names the invoice: "the October invoice on the 25th")
 * it is the plain bare day; a month right before the day ("December the
 * 3rd") is a written date, past or not.  Abbreviations and months that are
 * words too ("may", "mai") do not name one.
 */
static const when_case cases_bare_day_month[] = {
    {"en", "We'll be paying this with our January run on the 8th.", "2027-01-08", NULL},
    {"en", "our January runs on the 8th and the 22nd", "2027-01-08", NULL},
    {"en", "on the 8th of January", "2027-01-08", NULL},
    {"en", "the 8th January", "2027-01-08", NULL},
    {"en", "December the 3rd", "2026-12-03", NULL},
    {"en", "We'll pay the October invoice on the 25th", "2026-11-25", NULL},
    {"en", "the November invoice goes out on the 10th", "2026-12-10", NULL},
    {"en", "the invoice from October, paid on the 15th", "2026-12-15", NULL},
    {"en", "you may pay it on the 8th", "2026-12-08", NULL},
    /* Months that are names, where names stand: at the start of a sentence. */
    {"en", "April pays on the 15th", "2026-12-15", NULL},
    {"en", "Hi, June will pay on the 8th", "2026-12-08", NULL},
    {"pl", "Maja zapłaci 15-go", "2026-12-15", NULL},
    {"de", "mit unserem Januar-Zahllauf am 8.", "2027-01-08", NULL},
    {"fr", "avec la campagne de janvier le 8", "2027-01-08", NULL},
    {"es", "en la remesa de enero, el día 8", "2026-12-08", NULL}, /* a comma ends the phrase */
    {"es", "en la remesa de enero el día 8", "2027-01-08", NULL},
    {"ro", "plătim mai târziu pe 15", "2026-12-15", NULL},
};

/*
 * A payment run named by its weekday, as an adjective, a genitive or a
 * compound: the weekday.  The anchor is Wednesday 18 November.
 */
static const when_case cases_weekday_adjective[] = {
    {"en", "It goes with Thursday's payment run.", "2026-11-19", NULL},
    {"bg", "включена в четвъртъчния пакет плащания", "2026-11-12", "2026-11-09"},
    {"bg", "с петъчното плащане", "2026-11-20", NULL},
    {"bg", "в понеделнишкия превод", "2026-11-23", NULL},
    {"pl", "jest już w czwartkowym przebiegu płatności", "2026-11-19", NULL},
    {"pl", "czwartkowy przelew", "2026-11-19", NULL},
    {"pl", "w piątkowej paczce przelewów", "2026-11-20", NULL},
    {"nl", "in de donderdagse betaalrun", "2026-11-19", NULL},
    {"nl", "met de vrijdagse batch", "2026-11-20", NULL},
    {"de", "mit dem Donnerstagslauf", "2026-11-19", NULL},
    {"de", "im Donnerstags-Zahllauf", "2026-11-19", NULL},
    {"de", "mit der Freitagsüberweisung", "2026-11-20", NULL},
    {"de", "montags bis freitags erreichbar", NULL, NULL},
};

/*
 * Phrases found missing in the development replies: Spanish "en un plazo
 * máximo de", Romanian "de azi într-o săptămână", "fiecărei luni" (of
 * each month, not Monday).
 */
static const when_case cases_found_in_replies[] = {
    {"es", "el abono se hará efectivo en un plazo máximo de 10 días", "2026-11-16", "2026-11-06"},
    {"es", "en un plazo no superior a 5 días hábiles", "2026-11-25", NULL},
    {"es", "en el plazo máximo de dos semanas", "2026-12-02", NULL},
    {"ro", "Vă plătim de azi într-o săptămână.", "2026-11-25", NULL},
    {"ro", "de astăzi în 10 zile", "2026-11-28", NULL},
    {"ro", "plătim de două ori în cursul fiecărei luni", NULL, NULL},
    /* "today in a week" is a week from today. */
    {"ro", "azi într-o săptămână", "2026-11-25", NULL},
    {"de", "heute in einer Woche", "2026-11-25", NULL},
    {"de", "heute in 14 Tagen", "2026-12-02", NULL},
    {"pl", "dziś za tydzień", "2026-11-25", NULL},
    {"nl", "vandaag over een week", "2026-11-25", NULL},
    {"de", "heute in der Besprechung", "2026-11-18", NULL},
};

/*
 * A bare day "of next month" is that day of the month after the anchor's,
 * even when it is still ahead in this one.
 */
static const when_case cases_bare_day_next_month[] = {
    {"en", "on the 25th of next month", "2026-12-25", NULL},
    {"en", "the 10th next month", "2026-12-10", NULL},
    {"en", "on the 10th and 25th of next month", "2026-12-10", NULL},
    /* November has no 31st: what is left is "next month", its last day. */
    {"en", "on the 31st of next month", "2026-11-30", "2026-10-15"},
    {"de", "am 25. nächsten Monats", "2026-12-25", NULL},
    {"de", "zum 5. des Folgemonats", "2026-12-05", NULL},
    {"fr", "le 25 du mois prochain", "2026-12-25", NULL},
    {"es", "el 25 del mes que viene", "2026-12-25", NULL},
    {"es", "el día 20 del próximo mes", "2026-12-20", NULL},
    {"nl", "de 25e van volgende maand", "2026-12-25", NULL},
    {"pl", "25-go przyszłego miesiąca", "2026-12-25", NULL},
    {"pl", "dnia 20 następnego miesiąca", "2026-12-20", NULL},
    {"ro", "pe 25 luna viitoare", "2026-12-25", NULL},
    {"bg", "на 25-и следващия месец", "2026-12-25", NULL},
    {"bg", "на 25-о число на следващия месец", "2026-12-25", NULL},
    {"en", "on the 25th", "2026-11-25", NULL},
};

/* Bulgarian typed in Latin letters on a phone: weekdays, months, weeks. */
static const when_case cases_latin_bulgarian[] = {
    {"bg", "shte vi q platim v ponedelnik, 4e sega nqmame pari", "2026-11-23", NULL},
    {"bg", "V ponedelnik 6te vi q preveda", "2026-11-23", NULL},
    {"bg", "do petak", "2026-11-20", NULL},
    {"bg", "v petuk", "2026-11-20", NULL},
    {"bg", "v chetvartak", "2026-11-19", NULL},
    {"bg", "v srqda", "2026-11-18", NULL},
    {"bg", "sledvashtiya petak", "2026-11-27", NULL},
    {"bg", "na 4 dekemvri", "2026-12-04", NULL},
    {"bg", "do 30 noemvri", "2026-11-30", NULL},
    {"bg", "sledvashtata sedmica", "2026-11-27", NULL},
    {"bg", "do kraya na meseca", "2026-11-30", NULL},
    {"bg", "rabotim ot ponedelnik do petak", NULL, NULL},
};

/*
 * The return date of an absence (WHEN_RETURN_DAY): "until and including
 * X" and its kin are the first working day after X; a bare "until X" and
 * "back on X" are X.  4 December 2026 is a Friday, 30 November a Monday.
 */
static const when_case cases_return_day[] = {
    {"en", "I am out of the office until and including Friday 4 December", "2026-12-07", NULL},
    {"en", "away up to and including 30 November", "2026-12-01", NULL},
    {"en", "away until 4 December inclusive", "2026-12-07", NULL},
    {"en", "away until 4 December (inclusive)", "2026-12-07", NULL},
    {"en", "away until Sunday 22 November incl.", "2026-11-23", NULL},
    {"en", "away through Friday", "2026-11-23", NULL},
    {"en", "away until 4 December", "2026-12-04", NULL},
    {"en", "I am back on 7 December", "2026-12-07", NULL},
    {"nl", "afwezig t/m 4 december", "2026-12-07", NULL},
    {"nl", "afwezig tot en met vrijdag", "2026-11-23", NULL},
    {"nl", "tot en met 04-12-2026", "2026-12-07", NULL},
    {"nl", "tot 4 december", "2026-12-04", NULL},
    {"nl", "terug op 7 december", "2026-12-07", NULL},
    {"pl", "nieobecny do 4 grudnia włącznie", "2026-12-07", NULL},
    {"pl", "do 30.11. włącznie", "2026-12-01", NULL},
    {"pl", "do 4 grudnia", "2026-12-04", NULL},
    {"bg", "отсъствам до 4 декември включително", "2026-12-07", NULL},
    {"bg", "до включително 4 декември", "2026-12-07", NULL},
    {"de", "abwesend bis einschließlich 4. Dezember", "2026-12-07", NULL},
    {"de", "bis 4. Dezember einschließlich", "2026-12-07", NULL},
    {"de", "bis einschließlich Freitag", "2026-11-23", NULL},
    {"de", "bis 4. Dezember", "2026-12-04", NULL},
    {"de", "ab dem 7. Dezember wieder erreichbar", "2026-12-07", NULL},
    {"fr", "absent jusqu'au 4 décembre inclus", "2026-12-07", NULL},
    {"fr", "jusqu'au vendredi 4 décembre inclus", "2026-12-07", NULL},
    {"fr", "jusqu'au 4 décembre", "2026-12-04", NULL},
    {"fr", "de retour le 7 décembre", "2026-12-07", NULL},
    {"es", "fuera de la oficina hasta el 4 de diciembre inclusive", "2026-12-07", NULL},
    {"es", "hasta el 4 de diciembre", "2026-12-04", NULL},
    {"ro", "în concediu până pe 4 decembrie inclusiv", "2026-12-07", NULL},
    {"ro", "până pe 4 decembrie", "2026-12-04", NULL},
    /* "both inclusive" after a range. */
    {"es", "de vacaciones del 12 al 16 de octubre, ambos inclusive", "2026-10-19", "2026-10-13"},
    {"en", "away from 12 to 16 October, both inclusive", "2026-10-19", "2026-10-13"},
    {"en", "away until 16 October, both days inclusive", "2026-10-19", "2026-10-13"},
    {"fr", "absent du 12 au 16 octobre, les deux inclus", "2026-10-19", "2026-10-13"},
    {"de", "vom 12. bis 16. Oktober, jeweils einschließlich", "2026-10-19", "2026-10-13"},
    {"nl", "van 12 tot 16 oktober, beide inbegrepen", "2026-10-19", "2026-10-13"},
    {"ro", "între 12 și 16 octombrie, ambele inclusiv", "2026-10-19", "2026-10-13"},
    {"pl", "od 12 do 16 października, obie daty włącznie", "2026-10-19", "2026-10-13"},
    /* A year's abbreviation between the date and the inclusive word. */
    {"pl", "nieobecna do 23.10.2026 r. włącznie", "2026-10-26", NULL},
    {"pl", "do 30.11.2026 r. włącznie", "2026-12-01", NULL},
    {"pl", "do 30.11.2026r. włącznie", "2026-12-01", NULL},
    {"pl", "do 30.11.2026 roku włącznie", "2026-12-01", NULL},
    {"pl", "do 3 grudnia 2026 r. włącznie", "2026-12-04", NULL},
    {"pl", "do piątku, 4 grudnia 2026 r. włącznie", "2026-12-07", NULL},
    {"bg", "в отпуск съм до 23.10.2026 г. включително", "2026-10-26", NULL},
    {"bg", "до 23.10.2026г. включително", "2026-10-26", NULL},
    {"bg", "до 4 декември 2026 г. включително", "2026-12-07", NULL},
    {"bg", "до 4 декември 2026 год. вкл.", "2026-12-07", NULL},
    {"pl", "do 30.11.2026 r.", "2026-11-30", NULL},
};

/*
 * The conventions that did not change, each in several languages: this
 * week is its Friday, the middle of a month its 15th, the end its last day.
 */
static const when_case cases_unchanged[] = {
    {"en", "by the end of this week", "2026-11-20", NULL},
    {"de", "bis Ende dieser Woche", "2026-11-20", NULL},
    {"fr", "d'ici la fin de la semaine", "2026-11-20", NULL},
    {"nl", "eind deze week", "2026-11-20", NULL},
    {"pl", "w połowie miesiąca", "2026-12-15", NULL},
    {"fr", "à la mi-mois", "2026-12-15", NULL},
    {"es", "a mediados de mes", "2026-12-15", NULL},
    {"en", "mid-December", "2026-12-15", NULL},
    {"en", "end of the month", "2026-11-30", NULL},
    {"de", "Ende des Monats", "2026-11-30", NULL},
    {"ro", "până la sfârșitul lunii", "2026-11-30", NULL},
    {"en", "within 3 days", "2026-11-21", NULL},
    {"de", "innerhalb von 3 Tagen", "2026-11-21", NULL},
    {"es", "dentro de 3 días", "2026-11-21", NULL},
    {"en", "within 3 working days", "2026-11-23", NULL},
    {"pl", "w ciągu 3 dni roboczych", "2026-11-23", NULL},
    {"fr", "sous 3 jours ouvrés", "2026-11-23", NULL},
};

/*
 * A delay in hours is a delay in days when it is a whole number of days
 * ("within 48 hours", "sous 48 heures", "binnen 24 uur", "w ciągu 48
 * godzin", "în 48 de ore"); other hours ("in 15 hours") say a time of day,
 * not a date.  The regional words for "within" (Belgian "endéans", Swiss
 * "innert") and spelled-out counts read as the others.
 */
static const when_case cases_hours[] = {
    {"en", "You'll have the money within 48 hours.", "2026-11-20", NULL},
    {"en", "within 24 hours", "2026-11-19", NULL},
    {"en", "in 72 hours", "2026-11-21", NULL},
    {"en", "within 48h", "2026-11-20", NULL},
    {"en", "within the next 48 hrs", "2026-11-20", NULL},
    {"en", "the 48 hours we spent on it", NULL, NULL},
    {"en", "within 5 hours", NULL, NULL},
    {"en", "in 36 hours", NULL, NULL},
    {"fr", "Vous recevrez les fonds sous 48 heures.", "2026-11-20", NULL},
    {"fr", "sous 48h", "2026-11-20", NULL},
    {"fr", "dans les 24 heures", "2026-11-19", NULL},
    {"fr", "les 48 heures de travail", NULL, NULL},
    {"de", "innerhalb von 48 Stunden", "2026-11-20", NULL},
    {"de", "binnen 24 Stunden", "2026-11-19", NULL},
    {"de", "innert 48 Stunden", "2026-11-20", NULL},
    {"de", "am 15. um 10 Uhr", NULL, NULL},
    {"es", "en 48 horas", "2026-11-20", NULL},
    {"es", "en las próximas 24 horas", "2026-11-19", NULL},
    {"es", "dentro de 72 horas", "2026-11-21", NULL},
    {"es", "las 48 horas que dedicamos", NULL, NULL},
    {"nl", "binnen 24 uur", "2026-11-19", NULL},
    {"nl", "binnen 48 uur overgemaakt", "2026-11-20", NULL},
    {"nl", "in 3 uur", NULL, NULL},
    {"pl", "w ciągu 48 godzin", "2026-11-20", NULL},
    {"pl", "w ciągu 24h", "2026-11-19", NULL},
    {"pl", "48 godzin pracy", NULL, NULL},
    {"ro", "în 48 de ore", "2026-11-20", NULL},
    {"ro", "în termen de 24 de ore", "2026-11-19", NULL},
    {"ro", "în 15 ore", NULL, NULL},
    {"ro", "în 20 de zile", "2026-12-08", NULL},
    {"bg", "в рамките на 48 часа", "2026-11-20", NULL},
    {"bg", "до 24 часа", "2026-11-19", NULL},
    {"bg", "48 часа работа", NULL, NULL},
    /* Regional words for "within", spelled-out counts. */
    {"fr", "Endéans les trois jours ouvrables, le montant sera sur votre compte.", "2026-11-23",
     NULL},
    {"fr", "endéans les dix jours ouvrables", "2026-12-02", NULL},
    {"fr", "endéans les 8 jours", "2026-11-26", NULL},
    {"de", "Die Zahlung wird innert drei Bankwerktagen ausgelöst.", "2026-11-23", NULL},
    {"de", "innert 10 Tagen", "2026-11-28", NULL},
    {"de", "innert nützlicher Frist", NULL, NULL},
    {"de", "binnen zwölf Tagen", "2026-11-30", NULL},
    {"nl", "Binnen de 14 dagen wordt het overgeschreven.", "2026-12-02", NULL},
    {"nl", "binnen de drie werkdagen", "2026-11-23", NULL},
    {"es", "en doce días", "2026-11-30", NULL},
    {"pl", "w ciągu dwunastu dni", "2026-11-30", NULL},
};

/*
 * A fortnight and the week-later forms: "in a fortnight", "dans quinze
 * jours", "dentro de quince días" (the French and Spanish fortnight,
 * fourteen days: "quinze jours" is no count of fifteen, nor "huit jours",
 * "in acht Tagen", "over acht dagen" one of eight), and a weekday a week
 * after its next occurrence: "Friday week", "a week on Friday", "vendredi
 * en huit", "Freitag in einer Woche", "vrijdag over een week", "w piątek
 * za tydzień", "vinerea peste o săptămână".  Digits keep their count
 * ("dans 15 jours" is fifteen days).  The anchor is Wednesday 18 November.
 */
static const when_case cases_fortnight[] = {
    {"en", "Going to run the payment in a fortnight, when the grant lands.", "2026-12-02", NULL},
    {"en", "within a fortnight", "2026-12-02", NULL},
    {"en", "a fortnight from now", "2026-12-02", NULL},
    {"en", "two weeks today", "2026-12-02", NULL},
    {"en", "a week today", "2026-11-25", NULL},
    {"en", "we paid a fortnight ago", NULL, NULL},
    {"en", "our fortnightly run", NULL, NULL},
    {"en", "Booked for payment Friday week.", "2026-11-27", NULL},
    {"en", "Monday week", "2026-11-30", NULL},
    {"en", "Wednesday week", "2026-11-25", NULL}, /* the anchor's weekday: a week on */
    {"en", "a week on Friday", "2026-11-27", NULL},
    {"en", "a week from Friday", "2026-11-27", NULL},
    {"en", "Friday week 48", "2026-11-20", NULL}, /* a week's number, not a week later */
    {"en", "on Friday week-end", "2026-11-20", NULL},
    {"fr", "dans quinze jours", "2026-12-02", NULL},
    {"fr", "sous quinzaine", "2026-12-02", NULL},
    {"fr", "d'ici quinze jours", "2026-12-02", NULL},
    {"fr", "dans huit jours", "2026-11-25", NULL},
    {"fr", "sous huitaine", "2026-11-25", NULL},
    {"fr", "dans 15 jours", "2026-12-03", NULL},
    {"fr", "vendredi en huit", "2026-11-27", NULL},
    {"fr", "d'aujourd'hui en huit", "2026-11-25", NULL},
    {"fr", "aujourd'hui en quinze", "2026-12-02", NULL},
    {"fr", "en huit fois", NULL, NULL},
    {"es", "dentro de quince días", "2026-12-02", NULL},
    {"es", "en quince días", "2026-12-02", NULL},
    {"es", "de hoy en quince días", "2026-12-02", NULL},
    {"es", "de hoy en ocho días", "2026-11-25", NULL},
    {"es", "dentro de 15 días", "2026-12-03", NULL},
    {"es", "el viernes de la semana que viene", "2026-11-27", NULL},
    {"de", "heute in zwei Wochen", "2026-12-02", NULL},
    {"de", "in acht Tagen", "2026-11-25", NULL},
    {"de", "heute in acht Tagen", "2026-11-25", NULL},
    {"de", "in vierzehn Tagen", "2026-12-02", NULL},
    {"de", "in 8 Tagen", "2026-11-26", NULL},
    {"de", "Freitag in einer Woche", "2026-11-27", NULL},
    {"de", "am Freitag in acht Tagen", "2026-11-27", NULL},
    {"nl", "Is geaccordeerd en gaat vrijdag over een week de deur uit.", "2026-11-27", NULL},
    {"nl", "over veertien dagen", "2026-12-02", NULL},
    {"nl", "binnen de acht dagen", "2026-11-25", NULL},
    {"nl", "vandaag over twee weken", "2026-12-02", NULL},
    {"pl", "w piątek za tydzień", "2026-11-27", NULL},
    {"pl", "dziś za dwa tygodnie", "2026-12-02", NULL},
    {"ro", "vinerea peste o săptămână", "2026-11-27", NULL},
    {"ro", "vineri într-o săptămână", "2026-11-27", NULL},
    {"ro", "peste două săptămâni", "2026-12-02", NULL},
    {"bg", "в петък след седмица", "2026-11-27", NULL},
    {"bg", "днес след две седмици", "2026-12-02", NULL},
};

/*
 * A weekday followed by its day of the month: the day number decides,
 * the weekday confirms it ("el jueves 26", "Friday the 27th", "vendredi
 * 27", "w piątek 27-go", "în vinerea de 27").  The nearest such day on
 * that weekday, in the anchor's month, the one before or the two after.
 * When none falls on the weekday, a day written as one (its ordinal
 * ending or dot, a word before it: "Thursday the 27th", "am Donnerstag,
 * den 27.") is read by its number; a plain number that does not fit may
 * be a count ("am Montag 3 Rechnungen"): the weekday alone, unless it
 * ends its clause ("el jueves 27.").  The anchor is Wednesday 18
 * November 2026 (Thursday 26, Friday 27, Tuesday 1 December).
 */
static const when_case cases_weekday_day[] = {
    {"es", "La factura queda programada para pago el jueves 26.", "2026-11-26", NULL},
    {"es", "Quedará liquidada el jueves 26 como muy tarde.", "2026-11-26", NULL},
    {"es", "el jueves día 26", "2026-11-26", NULL},
    {"es", "el martes 1", "2026-12-01", NULL},
    {"es", "el jueves 27", "2026-11-27", NULL}, /* ends its clause: the number decides */
    {"es", "el jueves 27 como muy tarde", "2026-11-19", NULL},
    {"es", "el jueves día 27", "2026-11-27", NULL},
    {"es", "el lunes 3 facturas", "2026-11-23", NULL},
    {"es", "el lunes 16", "2026-11-16", NULL}, /* two days ago */
    {"en", "Friday the 27th", "2026-11-27", NULL},
    {"en", "on Friday 27th", "2026-11-27", NULL},
    {"en", "Friday 27", "2026-11-27", NULL},
    {"en", "Thursday the 27th", "2026-11-27", NULL},
    {"en", "Friday 15:30", "2026-11-20", NULL},
    {"en", "Friday 20 EUR", "2026-11-20", NULL},
    {"en", "Friday 3 invoices", "2026-11-20", NULL},
    {"fr", "vendredi 27", "2026-11-27", NULL},
    {"fr", "vendredi le 27", "2026-11-27", NULL},
    {"fr", "jeudi 27, comme convenu", "2026-11-27", NULL},
    {"fr", "jeudi 27 au plus tard", "2026-11-19", NULL},
    {"fr", "vendredi 20 h", "2026-11-20", NULL},
    {"de", "Freitag, den 27.", "2026-11-27", NULL},
    {"de", "am Freitag, 27.", "2026-11-27", NULL},
    {"de", "Donnerstag, den 27.", "2026-11-27", NULL},
    {"de", "am Montag 3 Rechnungen", "2026-11-23", NULL},
    {"nl", "vrijdag 27", "2026-11-27", NULL},
    {"nl", "vrijdag de 27e", "2026-11-27", NULL},
    {"pl", "w piątek 27-go", "2026-11-27", NULL},
    {"pl", "w czwartek 27-go", "2026-11-27", NULL},
    {"pl", "w piątek 27", "2026-11-27", NULL},
    {"ro", "în vinerea de 27", "2026-11-27", NULL},
    {"ro", "vineri, 27", "2026-11-27", NULL},
    {"ro", "joi 27 facturi", "2026-11-19", NULL},
    {"bg", "в петък, 27-и", "2026-11-27", NULL},
    {"bg", "петък 27-ми", "2026-11-27", NULL},
    {"bg", "в четвъртък 26", "2026-11-26", NULL},
};

/*
 * Days of the month spelled out: ordinal words ("the fifteenth",
 * "piętnastego", "am Fünfzehnten", "на петнадесети", "de vijftiende") and
 * the cardinals French, Spanish and Romanian name days by ("le quinze", "el
 * quince", "pe cincisprezece") read as bare days in their language's shape
 * from the tenth on, and before a month from the first ("drugiego
 * grudnia", "le premier décembre").  Below the tenth a word alone is too
 * often another ordinal ("the second reminder").  A bare day after the
 * noun of a payment run is one ("campagne de paiements du 25", "con la
 * del 15", "corte del 30").  Read with WHEN_BARE_DAY.
 */
static const when_case cases_day_words[] = {
    {"pl", "Faktura pójdzie razem z płatnościami piętnastego.", "2026-12-15", NULL},
    {"pl", "Najbliższy przebieg płatności mamy dziesiątego, tam ją wrzuciłam.", "2026-12-10", NULL},
    {"pl", "Przelew pójdzie z piętnastką, tak jak wszystkie faktury.", "2026-12-15", NULL},
    {"pl", "Faktura jest w zestawieniu na dwudziestego, więc poleci.", "2026-11-20", NULL},
    {"pl", "do dwudziestego piątego", "2026-11-25", NULL},
    {"pl", "piętnastego grudnia", "2026-12-15", NULL},
    {"pl", "drugiego grudnia", "2026-12-02", NULL},
    {"pl", "do drugiego razu", NULL, NULL},
    {"pl", "od dwudziestego wieku", NULL, NULL},
    {"pl", "piętnastego, kwota 15 zł", "2026-12-15", NULL},
    {"en", "on the fifteenth", "2026-12-15", NULL},
    {"en", "the twenty-fifth", "2026-11-25", NULL},
    {"en", "the fifteenth of December", "2026-12-15", NULL},
    {"en", "on the tenth and the twenty-fifth", "2026-11-25", NULL},
    {"en", "the second reminder", NULL, NULL},
    {"en", "our fifteenth anniversary", NULL, NULL},
    {"fr", "le quinze", "2026-12-15", NULL},
    {"fr", "au vingt-cinq", "2026-11-25", NULL},
    {"fr", "le premier décembre", "2026-12-01", NULL},
    {"fr", "le quinze décembre", "2026-12-15", NULL},
    {"fr", "quinze", NULL, NULL},
    {"fr", "le quinze pour cent", NULL, NULL},
    {"fr", "le deux", NULL, NULL},
    {"es", "el quince", "2026-12-15", NULL},
    {"es", "el día veinte", "2026-11-20", NULL},
    {"es", "el quince de diciembre", "2026-12-15", NULL},
    {"es", "el quince por ciento", NULL, NULL},
    {"de", "am Fünfzehnten", "2026-12-15", NULL},
    {"de", "bis zum Zwanzigsten", "2026-11-20", NULL},
    {"de", "am fünfzehnten Dezember", "2026-12-15", NULL},
    {"de", "Fünfzehnten", NULL, NULL},
    {"nl", "de vijftiende", "2026-12-15", NULL},
    {"nl", "op de twintigste", "2026-11-20", NULL},
    {"nl", "vijftiende december", "2026-12-15", NULL},
    {"bg", "на петнадесети", "2026-12-15", NULL},
    {"bg", "на двадесети", "2026-11-20", NULL},
    {"bg", "на петнадесети декември", "2026-12-15", NULL},
    {"ro", "pe cincisprezece", "2026-12-15", NULL},
    {"ro", "pe douăzeci", "2026-11-20", NULL},
    {"ro", "cincisprezece decembrie", "2026-12-15", NULL},
    {"ro", "întâi decembrie", "2026-12-01", NULL},
    {"ro", "cincisprezece", NULL, NULL},
    {NULL, "We'll pay once December comes", NULL, NULL}, /* Spanish "once" is 11 */
    {NULL, "piętnastego grudnia", "2026-12-15", NULL},
    /* After the noun of a payment run. */
    {"fr", "Elle passera dans notre campagne de paiements du 25.", "2026-11-25", NULL},
    {"fr", "Ce n'est pas encore payé, mais ça part avec le virement groupé du 25.", "2026-11-25",
     NULL},
    {"fr", "Nos virements fournisseurs partent le 25 : la vôtre en fera partie.", "2026-11-25",
     NULL},
    {"es", "Irá con la del 15, que es nuestra siguiente fecha de pagos.", "2026-12-15", NULL},
    {"es", "os la pasamos ahora con la del 30.", "2026-11-30", NULL},
    {"es", "El pago se gira en el corte del 30, por transferencia.", "2026-11-30", NULL},
    {"de", "im Überweisungslauf vom 25.", "2026-11-25", NULL},
    {"ro", "odată cu plățile din 25", "2026-11-25", NULL},
    {"fr", "votre facture du 15", NULL, NULL},
    {"es", "su factura del 15", NULL, NULL},
    {"fr", "le 15 : 30", NULL, NULL},
};

/*
 * The ends and edges of weeks and months: a longer phrase that starts
 * inside a shorter one wins ("d'ici la fin de la semaine prochaine" is
 * next week, not "la fin de la semaine"); after the weekend (Québec "la
 * fin de semaine" is the weekend, "el finde"); before the week is out;
 * the first of the month ("zum Monatsersten", "le premier du mois"); the
 * last working day of a named month ("last business day of December",
 * "ultima zi lucrătoare din decembrie") or of the month a payment run
 * implies ("einmal im Monat, am letzten Arbeitstag").  The anchor is
 * Wednesday 18 November.
 */
static const when_case cases_week_month_edges[] = {
    /* End of next week. */
    {"fr", "D'ici la fin de la semaine prochaine, le solde vous aura été versé.", "2026-11-27",
     NULL},
    {"fr", "Comptez sur un règlement d'ici la fin de la semaine prochaine, au plus tard.",
     "2026-11-27", NULL},
    {"fr", "à la fin de la semaine prochaine", "2026-11-27", NULL},
    {"fr", "d'ici la fin de la semaine", "2026-11-20", NULL},
    {"fr", "d'ici la fin du mois prochain", "2026-12-31", NULL},
    {"es", "Para finales de la semana próxima estará todo pagado.", "2026-11-27", NULL},
    {"es", "a finales de la semana que viene", "2026-11-27", NULL},
    {"es", "para finales del mes que viene", "2026-12-31", NULL},
    {"en", "towards the end of next week", "2026-11-27", NULL},
    {"en", "by the end of the following week", "2026-11-27", NULL},
    {"de", "Ende der Folgewoche", "2026-11-27", NULL},
    {"de", "Anfang der Folgewoche", "2026-11-23", NULL},
    {"de", "bis Ende der nächsten Woche", "2026-11-27", NULL},
    {"nl", "tegen het einde van volgende week", "2026-11-27", NULL},
    {"pl", "do końca przyszłego tygodnia", "2026-11-27", NULL},
    {"ro", "până la finele săptămânii viitoare", "2026-11-27", NULL},
    {"bg", "до края на следващата седмица", "2026-11-27", NULL},
    /* After the weekend. */
    {"fr", "Je vais vous envoyer le paiement après la fin de semaine.", "2026-11-23", NULL},
    {"fr", "Je l'approuve après la fin de semaine et le paiement sort.", "2026-11-23",
     "2026-11-20"},
    {"fr", "en fin de semaine", "2026-11-20", NULL},
    {"es", "despues del finde te lo ingreso, ahroa mismo no tengo la firma", "2026-11-23", NULL},
    {"es", "tras el finde", "2026-11-23", NULL},
    {"pl", "po weekendzie", "2026-11-23", NULL},
    {"nl", "na het weekend", "2026-11-23", NULL},
    {"de", "nach dem WE", "2026-11-23", NULL},
    {"en", "after the w/e", "2026-11-23", NULL},
    {"ro", "după weekendul acesta", "2026-11-23", NULL},
    {"bg", "след събота и неделя", "2026-11-23", NULL},
    /* Before the week is out. */
    {"es", "Antes de que acabe la semana te hago la transferencia.", "2026-11-20", NULL},
    {"es", "antes de que termine la semana", "2026-11-20", NULL},
    {"es", "antes del finde", "2026-11-20", NULL},
    {"en", "before the week is out", "2026-11-20", NULL},
    {"en", "before the weekend", "2026-11-20", NULL},
    {"de", "noch vor Wochenende", "2026-11-20", NULL},
    {"de", "vor dem Wochenende", "2026-11-20", NULL},
    {"fr", "avant le week-end", "2026-11-20", NULL},
    {"nl", "nog voor het weekend", "2026-11-20", NULL},
    {"pl", "jeszcze przed weekendem", "2026-11-20", NULL},
    {"ro", "înainte de weekend", "2026-11-20", NULL},
    {"bg", "преди уикенда", "2026-11-20", NULL},
    /* The first of the month. */
    {"de", "Die Hälfte ist gerade raus, die zweite Hälfte folgt zum Monatsersten.", "2026-12-01",
     NULL},
    {"de", "am Monatsanfang", "2026-12-01", NULL},
    {"de", "zum Ersten des nächsten Monats", "2026-12-01", NULL},
    {"fr", "le premier du mois", "2026-12-01", NULL},
    {"fr", "au premier du mois prochain", "2026-12-01", NULL},
    {"en", "on the first of the month", "2026-12-01", NULL},
    {"en", "the first of next month", "2026-12-01", NULL},
    {"es", "el primero de mes", "2026-12-01", NULL},
    {"es", "el uno del mes que viene", "2026-12-01", NULL},
    {"nl", "de eerste van de maand", "2026-12-01", NULL},
    {"pl", "pierwszego dnia przyszłego miesiąca", "2026-12-01", NULL},
    {"ro", "pe întâi ale lunii", "2026-12-01", NULL},
    {"ro", "pe întâi decembrie", "2026-12-01", NULL},
    {"bg", "на първо число", "2026-12-01", NULL},
    /* The last working day of a named month, or of the month. */
    {"ro", "Contabilitatea o trece la plată în ultima zi lucrătoare din decembrie.", "2026-12-31",
     NULL},
    {"en", "on the last business day of December", "2026-12-31", NULL},
    {"en", "the last working day of January", "2027-01-29", NULL},
    {"nl", "Op de laatste werkdag van november wordt uw factuur aangezuiverd.", "2026-11-30", NULL},
    {"de", "am letzten Arbeitstag im Januar", "2027-01-29", NULL},
    {"fr", "le dernier jour ouvré de janvier", "2027-01-29", NULL},
    {"fr", "le dernier jour ouvré d'octobre", "2026-10-30", NULL},
    {"es", "el último día hábil de enero", "2027-01-29", NULL},
    {"pl", "w ostatni dzień roboczy stycznia", "2027-01-29", NULL},
    {"bg", "в последния работен ден на януари", "2027-01-29", NULL},
    {"de", "einmal im Monat, am letzten Arbeitstag, bezahlt", "2026-11-30", "2026-11-05"},
    {"en", "paid monthly, on the last working day", "2026-11-30", NULL},
    {"de", "am letzten Arbeitstag vor Weihnachten", NULL, NULL},
    {"en", "on the last working day before Christmas", NULL, NULL},
    {"de", "am letzten Arbeitstag der Woche", "2026-11-20", NULL},
};

/*
 * A day and month without the final dot after a date's preposition, in
 * every language ("for", "für", "pour", "para", "na", "за", "pentru") or
 * after the words for a date ("z datą realizacji", "mit Datum", "con
 * fecha"), also before a dash that goes on with the sentence; "dd-mm"
 * with two digits each after one ("ingepland op 23-10.").  Amounts,
 * ranges and times stay none.
 */
static const when_case cases_date_prefix[] = {
    {NULL, "Payment is scheduled for 26.11 – faktura jest już zatwierdzona.", "2026-11-26", NULL},
    {"en", "Payment is scheduled for 26.11 - thanks", "2026-11-26", NULL},
    {"en", "value date 26.11", "2026-11-26", NULL},
    {"pl",
     "przelew mam już ustawiony w bankowości z datą realizacji 26.11 – wcześniej nie damy rady",
     "2026-11-26", NULL},
    {"de", "Zahlung für 26.11 – danke", "2026-11-26", NULL},
    {"de", "mit Datum 26.11 eingeplant", "2026-11-26", NULL},
    {"fr", "virement prévu pour 26.11 – merci", "2026-11-26", NULL},
    {"es", "transferencia con fecha 26.11 – gracias", "2026-11-26", NULL},
    {"ro", "plata este programată pentru 26.11 – mulțumesc", "2026-11-26", NULL},
    {"bg", "плащането е насрочено за 26.11 – благодаря", "2026-11-26", NULL},
    {"nl", "de betaling staat ingepland op 23-10.", "2026-10-23", "2026-10-19"},
    {"nl", "betaling op 05-12", "2026-12-05", NULL},
    {"en", "a charge for 10.05 EUR", NULL, NULL},
    {"en", "a charge for 12.50", NULL, NULL},
    {"fr", "pour 12.10 €", NULL, NULL},
    {"en", "for 5-10 days", NULL, NULL},
    {"nl", "op 5-12", NULL, NULL},
    {"nl", "op 23-10 werkdagen", NULL, NULL},
    {"pl", "zamówienie na 10-12 sztuk", NULL, NULL},
    {"pl", "przelew na 10-12, dziękuję", "2026-12-10", NULL},
    {"nl", "tel. 23-10", NULL, NULL},
    {"nl", "betaald 23-10", NULL, NULL},
};

static int
setup_words(void **state)
{
	const char *dirs[2] = {NULL, NULL};
	char *rules = g_build_filename(test_root(), "rules", NULL);
	GError *error = NULL;
	when_words *words;

	dirs[0] = rules;
	words = when_words_load(dirs, all_languages, &error);
	g_free(rules);
	if (words == NULL) {
		fprintf(stderr, "%s\n", error->message);
		g_error_free(error);
		return -1;
	}
	*state = words;
	return 0;
}

static int
teardown_words(void **state)
{
	when_words_free(*state);
	return 0;
}

static dm_date
iso(const char *text)
{
	dm_date date = 0;
	GError *error = NULL;

	if (!dm_date_parse_iso(text, &date, &error))
		fail_msg("%s", error->message);
	return date;
}

/*
 * Runs a table with when_find_flags's flags (0: through when_find);
 * reports every failing case before failing.
 */
static void
run_cases_flags(const when_words *words, const when_case *cases, size_t n, unsigned flags)
{
	size_t failures = 0;

	for (size_t k = 0; k < n; k++) {
		const when_case *c = &cases[k];
		when_match match = {0};
		char *explain = NULL;
		char got[DM_DATE_ISO_SIZE] = "none";
		dm_date anchor = iso(c->anchor != NULL ? c->anchor : ANCHOR);
		bool found = flags == 0
		                 ? when_find(words, c->language, c->text, anchor, &match, &explain)
		                 : when_find_flags(words, c->language, c->text, anchor, flags,
		                                   &match, &explain);

		if (found)
			dm_date_format_iso(match.date, got);
		if (found != (c->expect != NULL) || (found && strcmp(got, c->expect) != 0)) {
			fprintf(stderr, "[%s%s] \"%s\": expected %s, got %s (%s)\n",
			        c->language != NULL ? c->language : "all",
			        flags != 0 ? ", flags" : "", c->text,
			        c->expect != NULL ? c->expect : "none", got,
			        explain != NULL ? explain : "no explanation");
			failures++;
		}
		g_free(explain);
	}
	assert_int_equal(failures, 0);
}

static void
run_cases(const when_words *words, const when_case *cases, size_t n)
{
	run_cases_flags(words, cases, n, 0);
}

#define TABLE_TEST(name, table)                                                                    \
	static void name(void **state)                                                             \
	{                                                                                          \
		run_cases(*state, table, G_N_ELEMENTS(table));                                     \
	}

TABLE_TEST(test_english, cases_en)
TABLE_TEST(test_polish, cases_pl)
TABLE_TEST(test_bulgarian, cases_bg)
TABLE_TEST(test_dutch, cases_nl)
TABLE_TEST(test_romanian, cases_ro)
TABLE_TEST(test_spanish, cases_es)
TABLE_TEST(test_german, cases_de)
TABLE_TEST(test_french, cases_fr)
TABLE_TEST(test_year_inference, cases_year)
TABLE_TEST(test_strictness, cases_strict)
TABLE_TEST(test_unchanged_conventions, cases_unchanged)
TABLE_TEST(test_plural_weekday, cases_plural_weekday)
TABLE_TEST(test_tomorrow_spellings, cases_tomorrow)
TABLE_TEST(test_next_week_parts, cases_next_week_parts)
TABLE_TEST(test_after_the_weekend, cases_after_weekend)
TABLE_TEST(test_month_start, cases_month_start)
TABLE_TEST(test_month_working_days, cases_month_working_days)
TABLE_TEST(test_latin_bulgarian, cases_latin_bulgarian)
TABLE_TEST(test_coming_weekday, cases_coming_weekday)
TABLE_TEST(test_week_number, cases_week_number)
TABLE_TEST(test_weekday_adjective, cases_weekday_adjective)
TABLE_TEST(test_found_in_replies, cases_found_in_replies)
TABLE_TEST(test_hours_and_regional_within, cases_hours)
TABLE_TEST(test_fortnight_and_week_later, cases_fortnight)
TABLE_TEST(test_weekday_and_day, cases_weekday_day)
TABLE_TEST(test_week_and_month_edges, cases_week_month_edges)
TABLE_TEST(test_date_prefix, cases_date_prefix)

static void
test_bare_day(void **state)
{
	static const when_case without_flag[] = {
	    {"en", "on the 25th", NULL, NULL},
	    {"de", "am 15.", NULL, NULL},
	    {"fr", "le 15", NULL, NULL},
	    {"pl", "15-go", NULL, NULL},
	};

	run_cases_flags(*state, cases_bare_day, G_N_ELEMENTS(cases_bare_day), WHEN_BARE_DAY);
	run_cases(*state, without_flag, G_N_ELEMENTS(without_flag));
}

static void
test_bare_day_ordinals(void **state)
{
	run_cases_flags(*state, cases_bare_day_ordinals, G_N_ELEMENTS(cases_bare_day_ordinals),
	                WHEN_BARE_DAY);
}

static void
test_day_words(void **state)
{
	run_cases_flags(*state, cases_day_words, G_N_ELEMENTS(cases_day_words), WHEN_BARE_DAY);
}

static void
test_bare_day_lists(void **state)
{
	run_cases_flags(*state, cases_bare_day_lists, G_N_ELEMENTS(cases_bare_day_lists),
	                WHEN_BARE_DAY);
}

static void
test_bare_day_month(void **state)
{
	run_cases_flags(*state, cases_bare_day_month, G_N_ELEMENTS(cases_bare_day_month),
	                WHEN_BARE_DAY);
}

static void
test_bare_day_next_month(void **state)
{
	run_cases_flags(*state, cases_bare_day_next_month, G_N_ELEMENTS(cases_bare_day_next_month),
	                WHEN_BARE_DAY);
}

static void
test_return_day(void **state)
{
	/* Without the flag an inclusive end is the day itself, as before. */
	static const when_case without_flag[] = {
	    {"en", "until and including Friday 4 December", "2026-12-04", NULL},
	    {"nl", "t/m 4 december", "2026-12-04", NULL},
	    {"pl", "do 4 grudnia włącznie", "2026-12-04", NULL},
	    {"de", "bis einschließlich 4. Dezember", "2026-12-04", NULL},
	    {"nl", "kantoor open maandag t/m vrijdag", NULL, NULL},
	    {"pl", "do 30.11.2026 r. włącznie", "2026-11-30", NULL},
	    {"bg", "до 23.10.2026 г. включително", "2026-10-23", NULL},
	    {"bg", "23.10.2026 г.", "2026-10-23", NULL},
	};

	run_cases_flags(*state, cases_return_day, G_N_ELEMENTS(cases_return_day), WHEN_RETURN_DAY);
	run_cases(*state, without_flag, G_N_ELEMENTS(without_flag));
}

/* Every language's cases also resolve with all languages loaded at once. */
static void
test_all_languages_together(void **state)
{
	static const when_case cases[] = {
	    {NULL, "do piątku", "2026-11-20", NULL},
	    {NULL, "до петък", "2026-11-20", NULL},
	    {NULL, "uiterlijk vrijdag", "2026-11-20", NULL},
	    {NULL, "până vineri", "2026-11-20", NULL},
	    {NULL, "el viernes", "2026-11-20", NULL},
	    {NULL, "Können Sie bis Freitag zahlen?", "2026-11-20", NULL},
	    {NULL, "vendredi", "2026-11-20", NULL},
	    {NULL, "3 grudnia", "2026-12-03", NULL},
	    {NULL, "4 декември", "2026-12-04", NULL},
	    {NULL, "2 decembrie", "2026-12-02", NULL},
	    {NULL, "within 3 days", "2026-11-21", NULL},
	    {NULL, "binnen 5 werkdagen", "2026-11-25", NULL},
	    {NULL, "en 5 días hábiles", "2026-11-25", NULL},
	};
	run_cases(*state, cases, G_N_ELEMENTS(cases));
}

/* The language argument keeps another language's homonyms out. */
static void
test_language_filter(void **state)
{
	const when_words *words = *state;
	dm_date anchor = iso(ANCHOR);
	when_match match;

	assert_false(when_find(words, "de", "Die Rechnung liegt hier bei.", anchor, &match, NULL));
	assert_true(when_find(words, "fr", "payé hier", anchor, &match, NULL));
	assert_int_equal(match.date, anchor - 1);
	assert_false(when_find(words, "xx", "tomorrow", anchor, &match, NULL));
	assert_false(when_find(words, "en", "do piątku", anchor, &match, NULL));
}

static void
test_explain_and_span(void **state)
{
	const when_words *words = *state;
	const char *text = "Dzień dobry, zapłacimy do piątku. Pozdrawiam";
	when_match match = {0};
	char *explain = NULL;
	dm_date date = 0;

	assert_true(when_find(words, "pl", text, iso(ANCHOR), &match, &explain));
	assert_string_equal(explain,
	                    "\"do piątku\" -> weekday 5 on or after 2026-11-18 -> 2026-11-20");
	assert_int_equal(match.start, strstr(text, "do piątku") - text);
	assert_int_equal(match.end, strstr(text, ".") - text);
	g_free(explain);

	/* A payment verb lets a bare "30.11" be a date, but is no part of one. */
	const char *bare = "Zapłacimy 30.11, wcześniej nie damy rady.";
	explain = NULL;
	assert_true(when_find(words, "pl", bare, iso(ANCHOR), &match, &explain));
	assert_int_equal(match.date, iso("2026-11-30"));
	assert_int_equal(match.start, strstr(bare, "30.11") - bare);
	g_free(explain);
	const char *tomorrow = "Dzień dobry, zapłacimy jutro. Pozdrawiam";
	explain = NULL;
	assert_true(when_find(words, "pl", tomorrow, iso(ANCHOR), &match, &explain));
	assert_int_equal(match.start, strstr(tomorrow, "jutro") - tomorrow);
	g_free(explain);

	explain = NULL;
	assert_true(
	    when_resolve(words, "We will pay on 3 December 2026.", iso(ANCHOR), &date, &explain));
	assert_int_equal(date, iso("2026-12-03"));
	assert_non_null(strstr(explain, "\"on 3 December 2026\""));
	g_free(explain);

	/* Nothing found leaves explain alone. */
	explain = NULL;
	assert_false(
	    when_resolve(words, "Thank you for your message.", iso(ANCHOR), &date, &explain));
	assert_null(explain);
}

/* The first expression wins, even when a later one is longer. */
static void
test_first_expression(void **state)
{
	static const when_case cases[] = {
	    {"en", "tomorrow or by the end of next week", "2026-11-19", NULL},
	    {"en", "Invoice 2026/11/045: we pay on 3 December", "2026-12-03", NULL},
	    {"en", "Amount 1250.00, paid yesterday", "2026-11-17", NULL},
	    {"pl", "Faktura 12/2026 zostanie opłacona jutro", "2026-11-19", NULL},
	};
	run_cases(*state, cases, G_N_ELEMENTS(cases));
}

/* Invalid UTF-8 counts as spaces and never breaks the scan. */
static void
test_invalid_utf8(void **state)
{
	const when_words *words = *state;
	dm_date date = 0;
	char *explain = NULL;

	assert_true(
	    when_resolve(words, "\xff\xfe by \xc3 Friday \xe2\x82", iso(ANCHOR), &date, &explain));
	assert_int_equal(date, iso("2026-11-20"));
	assert_true(g_utf8_validate(explain, -1, NULL));
	g_free(explain);
	assert_false(when_resolve(words, "\xc3\x28\xa0\xa1\xe2\x28\xa1", iso(ANCHOR), &date, NULL));
}

/* A 1 MB hostile input: bounded time, no date invented, none past the limit. */
static void
test_megabyte_garbage(void **state)
{
	const when_words *words = *state;
	/* Near misses that cannot combine into a real date, with broken UTF-8. */
	static const char *const pieces[] = {
	    "1250.00 ", "2026/11/045 ", "marketing ", "\xc3",      "do",    "ku ",
	    "12.50 ",   "5-",           "\xd0\xb4",   "\xd0\xbe ", "  ",    "+48 ",
	    "\n",       "1/",           "2 ",         "31.02. ",   "24/7 ", "INV-2026-11-04 ",
	    "\xe2\x80", "mardigras ",
	};
	const size_t size = 1024 * 1024;
	GString *garbage = g_string_sized_new(size + 64);
	guint32 seed = 12345;
	dm_date date = 0;
	clock_t started;
	double seconds;

	while (garbage->len < size) {
		seed = seed * 1103515245u + 12345u;
		g_string_append(garbage, pieces[(seed >> 16) % G_N_ELEMENTS(pieces)]);
	}
	started = clock();
	assert_false(when_resolve(words, garbage->str, iso(ANCHOR), &date, NULL));
	seconds = (double)(clock() - started) / CLOCKS_PER_SEC;
	assert_true(seconds < 2.0);

	/* A date past the scan limit is not looked at; one before it is. */
	g_string_append(garbage, " tomorrow");
	assert_false(when_resolve(words, garbage->str, iso(ANCHOR), &date, NULL));
	g_string_overwrite(garbage, WHEN_SCAN_LIMIT - 20, " tomorrow ");
	assert_true(when_resolve(words, garbage->str, iso(ANCHOR), &date, NULL));
	assert_int_equal(date, iso("2026-11-19"));
	g_string_free(garbage, TRUE);
}

/* The same with the flags, over near misses of a bare day and an inclusive end. */
static void
test_megabyte_garbage_flags(void **state)
{
	const when_words *words = *state;
	static const char *const pieces[] = {
	    "am 15 ",         "le 15h ",
	    "15:30 ",         "FV/2026/10/045 ",
	    "INV-2026-0142 ", "15 h ",
	    "12.50 ",         "\xc3",
	    "1.250,00 ",      "на 15 лв ",
	    "el 10% ",        "15-tys ",
	    "3rd time ",      "\n",
	    "dnia ",          "15 000 ",
	    "pe 15:30 ",      "de 15h ",
	    "t/m ",           "incl. ",
	    "włącznie ",      "until and including ",
	    "und am 25 ",     " et ",
	    "el 10% y ",      "10-tys i ",
	    "2026 r. ",       "KW 45-",
	    "week 54 ",       "KW 0 ",
	    "KW45a ",         "2026 \xd0\xb3. ", /* "2026 г." */
	};
	const size_t size = 1024 * 1024;
	GString *garbage = g_string_sized_new(size + 64);
	guint32 seed = 54321;
	when_match match;
	clock_t started;
	double seconds;

	while (garbage->len < size) {
		/* Whole pieces up to the scan limit: a piece cut there ("3rd"
		 * of "3rd time") would be a date of its own. */
		if (garbage->len + 32 >= WHEN_SCAN_LIMIT && garbage->len < WHEN_SCAN_LIMIT) {
			g_string_append_c(garbage, ' ');
			continue;
		}
		seed = seed * 1103515245u + 12345u;
		g_string_append(garbage, pieces[(seed >> 16) % G_N_ELEMENTS(pieces)]);
	}
	started = clock();
	assert_false(when_find_flags(words, NULL, garbage->str, iso(ANCHOR),
	                             WHEN_BARE_DAY | WHEN_RETURN_DAY, &match, NULL));
	seconds = (double)(clock() - started) / CLOCKS_PER_SEC;
	assert_true(seconds < 2.0);
	g_string_free(garbage, TRUE);
}

static void
write_file(const char *dir, const char *language, const char *contents)
{
	char *folder = g_build_filename(dir, language, NULL);
	char *path = g_build_filename(folder, "dates", NULL);
	GError *error = NULL;

	assert_int_equal(g_mkdir_with_parents(folder, 0755), 0);
	if (!g_file_set_contents(path, contents, -1, &error))
		fail_msg("%s", error->message);
	g_free(path);
	g_free(folder);
}

/* A user directory adds words to the shipped ones. */
static void
test_user_directory_adds_words(void **state)
{
	char *rules = g_build_filename(test_root(), "rules", NULL);
	char *user = test_tmpdir();
	const char *dirs[] = {rules, user, NULL};
	const char *languages[] = {"en", NULL};
	GError *error = NULL;
	when_words *words;
	dm_date date = 0;

	write_file(user, "en",
	           "# Our clients' shorthand.\n[weekdays]\n5 = fryday\n"
	           "[relative]\nend-of-month = EOM\n");
	words = when_words_load(dirs, languages, &error);
	assert_null(error);
	assert_non_null(words);
	assert_true(when_resolve(words, "by fryday", iso(ANCHOR), &date, NULL));
	assert_int_equal(date, iso("2026-11-20"));
	assert_true(when_resolve(words, "by eom", iso(ANCHOR), &date, NULL));
	assert_int_equal(date, iso("2026-11-30"));
	assert_true(when_resolve(words, "by Friday", iso(ANCHOR), &date, NULL));
	when_words_free(words);
	test_rmtree(user);
	g_free(user);
	g_free(rules);
}

/* Every problem of a file is reported at once, as file:line: message. */
static void
test_load_errors(void **state)
{
	char *dir = test_tmpdir();
	const char *dirs[] = {dir, NULL};
	const char *languages[] = {"en", NULL};
	const char *missing[] = {"xx", NULL};
	const char *hostile[] = {"../etc", NULL};
	char *path = g_build_filename(dir, "en", "dates", NULL);
	char *expect;
	GError *error = NULL;

	write_file(dir, "en",
	           "1 = one\n"                  /* 1: before any group */
	           "[months]\n"                 /* 2 */
	           "13 = thirteenth\n"          /* 3: no such month */
	           "[weekdays]\n"               /* 4 */
	           "5 = friday\n"               /* 5: fine */
	           "this line has no equals\n"  /* 6 */
	           "[relative]\n"               /* 7 */
	           "someday = someday\n"        /* 8: unknown operation */
	           "[settings]\n"               /* 9 */
	           "next-weekday = sometimes\n" /* 10 */
	           "[syntax]\n"                 /* 11 */
	           "prefix = , ,\n"             /* 12: no words */
	           "[colours]\n");              /* 13 */
	assert_null(when_words_load(dirs, languages, &error));
	assert_non_null(error);
	assert_true(g_error_matches(error, DM_ERROR, DM_ERROR_CONFIG));
	for (int line = 1; line <= 13; line++) {
		if (line == 2 || line == 4 || line == 5 || line == 7 || line == 9 || line == 11)
			continue;
		expect = g_strdup_printf("%s:%d: ", path, line);
		if (strstr(error->message, expect) == NULL)
			fail_msg("no error for line %d in:\n%s", line, error->message);
		g_free(expect);
	}
	g_clear_error(&error);

	assert_null(when_words_load(dirs, missing, &error));
	assert_non_null(strstr(error->message, "\"xx\""));
	g_clear_error(&error);
	assert_null(when_words_load(dirs, hostile, &error));
	assert_non_null(strstr(error->message, "not a language code"));
	g_clear_error(&error);

	test_rmtree(dir);
	g_free(dir);
	g_free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_english),
	    cmocka_unit_test(test_polish),
	    cmocka_unit_test(test_bulgarian),
	    cmocka_unit_test(test_dutch),
	    cmocka_unit_test(test_romanian),
	    cmocka_unit_test(test_spanish),
	    cmocka_unit_test(test_german),
	    cmocka_unit_test(test_french),
	    cmocka_unit_test(test_year_inference),
	    cmocka_unit_test(test_strictness),
	    cmocka_unit_test(test_unchanged_conventions),
	    cmocka_unit_test(test_plural_weekday),
	    cmocka_unit_test(test_tomorrow_spellings),
	    cmocka_unit_test(test_next_week_parts),
	    cmocka_unit_test(test_after_the_weekend),
	    cmocka_unit_test(test_month_start),
	    cmocka_unit_test(test_month_working_days),
	    cmocka_unit_test(test_latin_bulgarian),
	    cmocka_unit_test(test_coming_weekday),
	    cmocka_unit_test(test_week_number),
	    cmocka_unit_test(test_weekday_adjective),
	    cmocka_unit_test(test_found_in_replies),
	    cmocka_unit_test(test_hours_and_regional_within),
	    cmocka_unit_test(test_fortnight_and_week_later),
	    cmocka_unit_test(test_weekday_and_day),
	    cmocka_unit_test(test_week_and_month_edges),
	    cmocka_unit_test(test_date_prefix),
	    cmocka_unit_test(test_bare_day),
	    cmocka_unit_test(test_bare_day_ordinals),
	    cmocka_unit_test(test_bare_day_lists),
	    cmocka_unit_test(test_day_words),
	    cmocka_unit_test(test_bare_day_month),
	    cmocka_unit_test(test_bare_day_next_month),
	    cmocka_unit_test(test_return_day),
	    cmocka_unit_test(test_all_languages_together),
	    cmocka_unit_test(test_language_filter),
	    cmocka_unit_test(test_explain_and_span),
	    cmocka_unit_test(test_first_expression),
	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_megabyte_garbage),
	    cmocka_unit_test(test_megabyte_garbage_flags),
	    cmocka_unit_test(test_user_directory_adds_words),
	    cmocka_unit_test(test_load_errors),
	};
	return cmocka_run_group_tests(tests, setup_words, teardown_words);
}
