#ifndef PLEDGED_CLI_VERIFY_PROOF_H
#define PLEDGED_CLI_VERIFY_PROOF_H
#include <stdbool.h>

/* True when `pledged verify` was given a proof and a checkpoint: the
 * offline check of cli/verify_proof.c, which needs no database. */
bool verify_proof_wanted(int argc, char **argv);

/* Exit status: 0 valid, 1 not, 2 unreadable or bad usage. */
int verify_proof_main(int argc, char **argv);

#endif
