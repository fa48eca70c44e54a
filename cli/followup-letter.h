/*
 * Paper letters of the ladder (cli/followup-letter.c).  When the policy's
 * level is a letter, `dunmail followup` renders the level's template into
 * a text file to print and post, and records the letter as a task.  A
 * letter needs both postal addresses: the user's ([identity]
 * postal_address) and the client's (client add --address).
 */
#ifndef DUNMAIL_CLI_FOLLOWUP_LETTER_H
#define DUNMAIL_CLI_FOLLOWUP_LETTER_H

#include "cli/cli.h"
#include "common/date.h"
#include "draft/template.h"
#include "store/store.h"

/*
 * Where letters go: option (--letters), else [followup] letters, else a
 * "letters" directory beside the database.  "~/" is expanded.
 */
char *followup_letters_directory(cli_context *ctx, const dm_config *config, const char *option,
                                 GError **error);

/*
 * The values only a letter has: both addresses, the sender's company and
 * the letter's date.  False, with an error saying what to set, when an
 * address is missing: a letter without one cannot be posted.
 */
bool followup_letter_values(template_values *values, const dm_config *config,
                            const store_client *client, dm_date day, GError **error);

/*
 * Writes the letter into dir as DATE-CLIENT-NUMBERS.txt (names reduced to
 * letters, digits and dashes) and returns the file's path.
 */
char *followup_letter_write(const char *dir, dm_date day, const char *client_name,
                            const char *numbers, const char *text, GError **error);

#endif
