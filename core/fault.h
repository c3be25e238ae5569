#ifndef PLEDGED_FAULT_H
#define PLEDGED_FAULT_H
/*
 * Errors, on every floor.
 *
 * Functions return 0 or a negative FAULT_* code; the details go into a
 * caller-owned struct fault passed last, which may be NULL. The first fault
 * set wins: later fault_set() calls on the same struct are ignored, so the
 * innermost cause is the one reported. What an outer caller knows goes in
 * slots of its own instead of being lost behind that cause (as PostgreSQL's
 * errmsg / errcontext / errhint): fault_context() says what was being done
 * ("migration 003_x.sql failed"), fault_hint() what to do about it ("run
 * `pledged keygen --rotate`"). The API layer maps codes to HTTP statuses in
 * one table (api/reply.c); the code's name is the public "code" of the
 * JSON error.
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
    FAULT_RETRY = -14,          /* lost a race for a unique key that another
                                   transaction recorded meanwhile: run the
                                   whole operation again (never public) */
    FAULT_TOTAL_LIMIT = -15,    /* a total would pass MONEY_MAX_EXACT (422) */
    FAULT_KEY_RETIRED = -16,    /* our signing key was retired (503) */
    FAULT_DECLINED = -17,       /* the payment provider declined the card
                                   (402 card_declined); nothing was charged */
    FAULT_PROVIDER = -18,       /* the payment provider failed, timed out or
                                   could not be reached, retries included
                                   (502 provider_unavailable) */
};

struct fault {
    int code;           /* 0 while no fault is set */
    char field[40];     /* the one field at fault, or "" */
    char message[200];  /* the cause, set once */
    char context[160];  /* what was being done, or "" (outermost wins) */
    char hint[160];     /* what to do about it, or "" */
};

/* Sets f (unless NULL or already set) and returns code, so that a caller
 * can write `return fault_set(f, FAULT_INVALID, "amount_minor", ...)`. */
int fault_set(struct fault *f, int code, const char *field, const char *fmt,
              ...) __attribute__((format(printf, 4, 5)));

/* Says what the failing operation was doing. Each caller on the way up may
 * add its own: the last (outermost) one is kept, so `pledged` reports the
 * user's words. No-op on NULL or on a fault not set. */
void fault_context(struct fault *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Advice for the user (kept once set). No-op on NULL or a fault not set. */
void fault_hint(struct fault *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The stable snake_case name of a code, e.g. "amount_out_of_range". */
const char *fault_name(int code);

/* "context: message (code_name); hint" with the parts that are set, for
 * logs and the command line. */
void fault_describe(char *out, size_t cap, const struct fault *f);

#endif
