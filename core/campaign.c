#include "core/campaign.h"

#include "core/clock.h"

#include "core/money.h"
#include "core/origin.h"
#include "core/text.h"
#include "core/utf8.h"

#include <string.h>

void campaign_defaults(struct campaign *c)
{
    memset(c, 0, sizeof *c);
    c->min_custom_minor = 100;
    c->max_custom_minor = 100000000;
    c->open = true;
}

const char *supporters_list_name(enum supporters_list l)
{
    return l == SUPPORTERS_PUBLIC      ? "public"
           : l == SUPPORTERS_MODERATED ? "moderated"
                                       : "off";
}

int supporters_list_parse(enum supporters_list *out, const char *s)
{
    static const enum supporters_list all[] = {
        SUPPORTERS_OFF, SUPPORTERS_PUBLIC, SUPPORTERS_MODERATED};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (s && strcmp(s, supporters_list_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    return -1;
}

bool campaign_id_valid(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > CAMPAIGN_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = id[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-'))
            return false;
    }
    return true;
}

int campaign_validate(const struct campaign *c, struct fault *f)
{
    size_t chars;
    if (!campaign_id_valid(c->id))
        return fault_set(f, FAULT_INVALID, "id",
                         "id must match [a-z0-9-]{1,64}");
    if (!utf8_valid(c->title, strlen(c->title), &chars) || chars == 0 ||
        chars > CAMPAIGN_TITLE_MAX ||
        text_has_controls(c->title, strlen(c->title), false))
        return fault_set(f, FAULT_INVALID, "title",
                         "title must be 1 to %d characters of UTF-8, "
                         "no control characters",
                         CAMPAIGN_TITLE_MAX);
    if (currency_find(c->currency) == NULL)
        return fault_set(f, FAULT_INVALID, "currency",
                         "unknown ISO 4217 currency");
    if (c->goal_minor <= 0 || c->goal_minor > MONEY_MAX_EXACT)
        return fault_set(f, FAULT_INVALID, "goal_minor",
                         "goal_minor must be between 1 and %lld",
                         (long long)MONEY_MAX_EXACT);
    if (c->ntiers == 0 || c->ntiers > CAMPAIGN_TIERS_MAX)
        return fault_set(f, FAULT_INVALID, "tiers",
                         "tiers must list 1 to %d amounts", CAMPAIGN_TIERS_MAX);
    for (size_t i = 0; i < c->ntiers; i++) {
        if (c->tiers[i] < 0 || c->tiers[i] > MONEY_MAX_EXACT)
            return fault_set(f, FAULT_INVALID, "tiers",
                             "tier amounts must be between 0 and %lld",
                             (long long)MONEY_MAX_EXACT);
        if (i > 0 && c->tiers[i] <= c->tiers[i - 1])
            return fault_set(f, FAULT_INVALID, "tiers",
                             "tiers must be strictly ascending");
    }
    if (c->min_custom_minor <= 0 || c->min_custom_minor > MONEY_MAX_EXACT)
        return fault_set(f, FAULT_INVALID, "min_custom_minor",
                         "min_custom_minor must be positive");
    if (c->max_custom_minor < c->min_custom_minor ||
        c->max_custom_minor > MONEY_MAX_EXACT)
        return fault_set(f, FAULT_INVALID, "max_custom_minor",
                         "max_custom_minor must lie in [min_custom_minor, "
                         "%lld]", (long long)MONEY_MAX_EXACT);
    if (c->norigins > CAMPAIGN_ORIGINS_MAX)
        return fault_set(f, FAULT_INVALID, "allowed_origins",
                         "at most %d origins", CAMPAIGN_ORIGINS_MAX);
    for (size_t i = 0; i < c->norigins; i++)
        if (!origin_valid(c->origins[i], strlen(c->origins[i])))
            return fault_set(f, FAULT_INVALID, "allowed_origins",
                             "origins are http(s)://host[:port] as a browser "
                             "sends them: lower case, no path, no wildcard");
    if (c->has_deadline &&
        (c->deadline_us < CLOCK_MIN_US || c->deadline_us > CLOCK_MAX_US))
        return fault_set(f, FAULT_INVALID, "deadline",
                         "deadline must lie in years 1970 to 9999 (UTC)");
    if (c->provider[0] && strcmp(c->provider, "stripe") != 0 &&
        strcmp(c->provider, "offline") != 0)
        return fault_set(f, FAULT_INVALID, "provider",
                         "provider is null, \"stripe\" or \"offline\"");
    size_t link = strlen(c->payment_link);
    if (link && (strncmp(c->payment_link, "https://", 8) != 0 || link < 12 ||
                 text_has_controls(c->payment_link, link, false) ||
                 strpbrk(c->payment_link, " \"'<>\\") != NULL))
        return fault_set(f, FAULT_INVALID, "payment_link",
                         "payment_link is an https:// URL without spaces, "
                         "quotes or angle brackets");
    if (c->pledge_ttl_s < 0 || c->pledge_ttl_s > CAMPAIGN_TTL_MAX)
        return fault_set(f, FAULT_INVALID, "pledge_ttl_s",
                         "pledge_ttl_s is null or 1 to %lld seconds",
                         (long long)CAMPAIGN_TTL_MAX);
    return 0;
}

int campaign_accepts(const struct campaign *c, int64_t now_us,
                     struct fault *f)
{
    if (!c->open)
        return fault_set(f, FAULT_CLOSED, NULL, "campaign %s is closed",
                         c->id);
    if (c->has_deadline && now_us >= c->deadline_us)
        return fault_set(f, FAULT_CLOSED, NULL,
                         "campaign %s ended at its deadline", c->id);
    return 0;
}

int campaign_classify(enum pledge_kind *kind, const struct campaign *c,
                      int64_t amount_minor, struct fault *f)
{
    for (size_t i = 0; i < c->ntiers; i++) {
        if (c->tiers[i] == amount_minor) {
            *kind = PLEDGE_TIER;
            return 0;
        }
    }
    if (amount_minor < c->min_custom_minor ||
        amount_minor > c->max_custom_minor)
        return fault_set(f, FAULT_AMOUNT_RANGE, "amount_minor",
                         "a custom amount must be between %lld and %lld "
                         "minor units",
                         (long long)c->min_custom_minor,
                         (long long)c->max_custom_minor);
    *kind = PLEDGE_CUSTOM;
    return 0;
}

int64_t campaign_percent(const struct campaign *c, int64_t raised_minor)
{
    if (c->goal_minor <= 0 || raised_minor <= 0)
        return 0;
    /* raised * 100 may overflow for absurd values; divide first then. */
    int64_t p;
    if (__builtin_mul_overflow(raised_minor, 100, &p))
        return raised_minor / (c->goal_minor / 100 ? c->goal_minor / 100 : 1);
    return p / c->goal_minor;
}
