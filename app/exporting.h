#ifndef PLEDGED_APP_EXPORTING_H
#define PLEDGED_APP_EXPORTING_H
/*
 * A running ledger export: the store's cursor feeding core/export.h's
 * formatter. Each export holds a database connection of its own for as
 * long as it runs, so it never holds one of the request pool's.
 */
#include "core/export.h"
#include "core/fault.h"

struct app;
struct exporting;

/* Starts exporting p (from/to checked, the campaign looked up, until_seq
 * pinned to the head when 0): *out, whose export's out buffer already
 * holds the CSV header. An export holds donors' names and emails, so with
 * who (a token's name) the read is logged first as `action`
 * (ledger.export, ledger.manifest), or refused; who NULL (the command
 * line) logs nothing. FAULT_INVALID ("from"), FAULT_NOT_FOUND,
 * FAULT_UNAVAILABLE, FAULT_NOMEM. */
int exporting_open(struct exporting **out, struct app *a,
                   const struct export_params *p, const char *who,
                   const char *action, struct fault *f)
    __attribute__((warn_unused_result));

/* The export being produced (its params, out buffer, done flag). */
struct export *exporting_export(struct exporting *e);

/* Produces rows until out holds at least want bytes or the ledger ends. */
int exporting_fill(struct exporting *e, size_t want, struct fault *f)
    __attribute__((warn_unused_result));

/* Runs the export to its end, keeping none of its bytes, and signs the
 * manifest of what it held. */
int exporting_manifest(struct signed_doc *out, struct exporting *e,
                       const struct signer *k, struct fault *f)
    __attribute__((warn_unused_result));

/* Ends the export early or late and frees it. Accepts NULL. */
void exporting_close(struct exporting *e);

#endif
