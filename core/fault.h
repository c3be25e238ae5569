#ifndef PLEDGED_FAULT_H
#define PLEDGED_FAULT_H
/*
 * Errors of the ledger core.
 *
 * Functions return 0 or a negative FAULT_* code; the details go into a
 * caller-owned struct fault passed last, which may be NULL. The first fault
 * set wins: later fault_set() calls on the same struct are ignored, so the
 * innermost cause is the one reported. The API layer maps codes to HTTP
 * statuses in one table (api/respond.c); the code's name is the public
 * "code" of the JSON error.
 */
#include <stddef.h>

enum fault_code {
    FAULT_OK = 0,
    FAULT_INVALID = -1,         /* a value is not acceptable (422) */
    FAULT_AMOUNT_RANGE = -2,    /* custom amount outside the bounds (422) */
    FAULT_CURRENCY = -3,        /* currency differs from the campaign's */
    FAULT_NOT_FOUND = -4,       /* no such campaign / pledge */
    FAULT_CLOSED = -5,          /* campaign closed or past its deadline */
    FAULT_IDEM_REUSED = -6,     /* key seen with another request */
    FAULT_IDEM_IN_FLIGHT = -7,  /* key's first request still running */
    FAULT_CONFLICT = -8,        /* e.g. already refunded, id taken */
    FAULT_OVERFLOW = -9,        /* money arithmetic would overflow */
    FAULT_UNAVAILABLE = -10,    /* database unreachable (retry later) */
    FAULT_INTERNAL = -11,       /* a bug or a broken invariant */
    FAULT_NOMEM = -12,
    FAULT_TAMPERED = -13,       /* ledger content fails verification */
    FAULT_TOTAL_LIMIT = -14,    /* a total would pass MONEY_MAX_EXACT (422) */
};

struct fault {
    int code;           /* 0 while no fault is set */
    char field[40];     /* the one field at fault, or "" */
    char message[200];
};

/* Sets f (unless NULL or already set) and returns code, so that a caller
 * can write `return fault_set(f, FAULT_INVALID, "amount_minor", ...)`. */
int fault_set(struct fault *f, int code, const char *field, const char *fmt,
              ...) __attribute__((format(printf, 4, 5)));

/* The stable snake_case name of a code, e.g. "amount_out_of_range". */
const char *fault_name(int code);

#endif
