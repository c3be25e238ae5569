#ifndef PLEDGED_EMBED_H
#define PLEDGED_EMBED_H
/* Files compiled into the binary by scripts/embed: the SQL migrations. */
#include <stddef.h>

struct embedded_file {
    const char *name;          /* base name, e.g. "001_ledger.sql" */
    const unsigned char *data; /* len bytes, then a NUL */
    size_t len;
};

extern const struct embedded_file embedded_sql[];
extern const size_t embedded_sql_count;

#endif
