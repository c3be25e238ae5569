#include "app/seed.h"

#include "app/pledging.h"
#include "app/receipts.h"
#include "core/pledge.h"
#include "store/store.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const struct {
    int64_t amount_minor;
    const char *name;
    bool anonymous;
    const char *message;
} demo[] = {
    {0, "Ana Pereira", false, "Following every story."},
    {2500, "Jonas", false, NULL},
    {5000, NULL, true, NULL},
    {10000, "Marta K.", false, "Keep it independent!"},
    {15000, "Kwame Mensah", false, NULL},
    {25400, "Li Wei", true, NULL},
    {35000, "Sofia Romano", false, "For the local reporting."},
};

int seed_reference(struct store *s, const struct signer *k, int *added,
                   struct fault *f)
{
    struct campaign c;
    campaign_defaults(&c);
    snprintf(c.id, sizeof c.id, "help-us");
    snprintf(c.title, sizeof c.title, "Help us keep reporting");
    memcpy(c.currency, "USD", 4);
    c.goal_minor = 500000;
    c.tiers[0] = 0;
    c.tiers[1] = 250000;
    c.tiers[2] = 500000;
    c.ntiers = 3;
    snprintf(c.origins[0], sizeof c.origins[0], "http://127.0.0.1:8080");
    snprintf(c.origins[1], sizeof c.origins[1], "http://localhost:8080");
    c.norigins = 2;
    int rc = campaign_validate(&c, f);
    if (rc)
        return rc;
    struct fault exists = {0};
    rc = store_campaign_create(s, &c, NULL, NULL, &exists);
    if (rc && rc != FAULT_CONFLICT)
        return fault_set(f, rc, exists.field, "%s", exists.message);
    rc = 0; /* already there: a re-run only tops up missing demo pledges */

    int count = 0;
    struct pledge p;
    for (size_t i = 0; i < sizeof demo / sizeof demo[0] && rc == 0; i++) {
        char key[64];
        snprintf(key, sizeof key, "seed:help-us:%zu", i + 1);
        struct idem idem = {.key = key};
        crypto_generichash(idem.request_hash, 32, (const unsigned char *)key,
                           strlen(key), NULL, 0);
        struct pledge_request req = {
            .amount_minor = demo[i].amount_minor,
            .donor_name = demo[i].name,
            .donor_name_len = demo[i].name ? strlen(demo[i].name) : 0,
            .message = demo[i].message,
            .message_len = demo[i].message ? strlen(demo[i].message) : 0,
            .anonymous = demo[i].anonymous,
        };
        bool replayed;
        rc = pledging_make(&p, &replayed, s, "help-us", &req, &idem, f);
        count += rc == 0 && !replayed;
        struct signed_doc receipt = {0};
        if (rc == 0 && k)
            rc = receipts_pledge(&receipt, s, k, &p, f);
        signed_doc_release(&receipt);
    }
    if (added)
        *added = count;
    return rc;
}
