/*
 * The planner's view of the store: one plan_client per client with its
 * chaseable invoices and what its mail says (cli/followup-snapshot.c).
 * Shared by `dunmail followup` and `dunmail tasks`.
 */
#ifndef DUNMAIL_CLI_FOLLOWUP_SNAPSHOT_H
#define DUNMAIL_CLI_FOLLOWUP_SNAPSHOT_H

#include "policy/plan.h"
#include "store/store.h"

typedef struct followup_snapshot followup_snapshot;

/* Reads every client; NULL with error on a store failure. */
followup_snapshot *followup_snapshot_load(store *db, GError **error);
void followup_snapshot_free(followup_snapshot *snapshot);
const plan_client *followup_snapshot_clients(const followup_snapshot *snapshot, size_t *n);
/* The store's record behind a planned invoice (owned by the snapshot). */
const store_invoice *followup_snapshot_invoice(const followup_snapshot *snapshot, int64_t id);
const store_client *followup_snapshot_client(const followup_snapshot *snapshot, int64_t id);

#endif
