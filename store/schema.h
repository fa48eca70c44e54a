/* The schema as an ordered list of migrations (store/schema.c). Private to store/. */
#ifndef DUNMAIL_STORE_SCHEMA_H
#define DUNMAIL_STORE_SCHEMA_H

#include <stddef.h>

/* store_migrations[i] takes the schema from version i to i + 1. */
extern const char *const store_migrations[];
extern const size_t store_migration_count;

#endif
