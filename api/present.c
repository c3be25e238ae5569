#include "api/present.h"
#include "core/hex.h"

#include "core/clock.h"
#include "core/money.h"

/* The total the widget shows as raised: the campaign's choice. */
static int64_t shown_minor(const struct campaign *c, const struct totals *t)
{
    return c->show_collected ? t->collected_minor : t->raised_minor;
}

/* Both totals and which one is shown (docs/PAYMENTS.md). */
static void add_money(json_t *o, const struct campaign *c,
                      const struct totals *t)
{
    json_object_set_new(o, "collected_minor", json_integer(t->collected_minor));
    json_object_set_new(o, "shown_total",
                        json_string(c->show_collected ? "collected"
                                                      : "raised"));
    json_object_set_new(o, "shown_minor", json_integer(shown_minor(c, t)));
}

json_t *present_campaign(const struct campaign *c, const struct totals *t)
{
    json_t *tiers = json_array(), *origins = json_array();
    for (size_t i = 0; i < c->ntiers; i++)
        json_array_append_new(tiers, json_integer(c->tiers[i]));
    for (size_t i = 0; i < c->norigins; i++)
        json_array_append_new(origins, json_string(c->origins[i]));
    char deadline[CLOCK_RFC3339_LEN];
    if (c->has_deadline)
        clock_format(deadline, c->deadline_us);
    const struct currency *cur = currency_find(c->currency);
    int64_t shown = shown_minor(c, t);
    char raised[MONEY_DISPLAY_MAX] = "", goal[MONEY_DISPLAY_MAX] = "";
    if (cur) {
        money_format(raised, sizeof raised, shown, cur);
        money_format(goal, sizeof goal, c->goal_minor, cur);
    }
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:I, s:o, s:I, s:I, s:s?, s:s, s:o, s:I, s:I, s:I, "
        "s:I, s:s, s:i, s:{s:s, s:s}}",
        "id", c->id, "title", c->title, "currency", c->currency, "goal_minor",
        (json_int_t)c->goal_minor, "tiers", tiers, "min_custom_minor",
        (json_int_t)c->min_custom_minor, "max_custom_minor",
        (json_int_t)c->max_custom_minor, "deadline",
        c->has_deadline ? deadline : NULL, "status",
        c->open ? "open" : "closed", "allowed_origins", origins,
        "raised_minor", (json_int_t)t->raised_minor, "supporters",
        (json_int_t)t->supporters, "percent",
        (json_int_t)campaign_percent(c, shown), "seq", (json_int_t)t->seq,
        "currency_symbol", cur ? cur->symbol : c->currency,
        "currency_exponent", cur ? cur->exponent : 2, "display", "raised",
        raised, "goal", goal);
    add_money(o, c, t);
    json_object_set_new(o, "provider",
                        c->provider[0] ? json_string(c->provider)
                                       : json_null());
    json_object_set_new(o, "payment_link",
                        c->payment_link[0] ? json_string(c->payment_link)
                                           : json_null());
    json_object_set_new(o, "supporters_list",
                        json_string(supporters_list_name(c->supporters)));
    json_object_set_new(o, "pledge_ttl_s",
                        c->pledge_ttl_s ? json_integer(c->pledge_ttl_s)
                                        : json_null());
    return o;
}

json_t *present_pledge(const struct pledge *p)
{
    return json_pack(
        "{s:s, s:s, s:I, s:s, s:s, s:s?, s:b, s:s?, s:I, s:s}", "id", p->id,
        "campaign_id", p->campaign_id, "amount_minor",
        (json_int_t)p->amount_minor, "currency", p->currency, "kind",
        pledge_kind_name(p->kind), "donor_name",
        p->anonymous || !p->donor_name[0] ? NULL : p->donor_name, "anonymous",
        p->anonymous, "message", p->message[0] ? p->message : NULL, "seq",
        (json_int_t)p->seq, "created_at", p->created_at);
}

json_t *present_totals(const struct campaign *c, const struct totals *t)
{
    json_t *o = json_pack(
        "{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "campaign_id", c->id,
        "currency", c->currency, "raised_minor", (json_int_t)t->raised_minor,
        "supporters", (json_int_t)t->supporters, "goal_minor",
        (json_int_t)c->goal_minor, "percent",
        (json_int_t)campaign_percent(c, shown_minor(c, t)), "seq",
        (json_int_t)t->seq);
    add_money(o, c, t);
    return o;
}

json_t *present_payment(const struct ledger_entry *e)
{
    char hash[HEX32_LEN];
    hex_encode(hash, e->entry_hash, 32);
    return json_pack("{s:s, s:s, s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s, "
                     "s:s}",
                     "pledge_id", e->pledge_id, "campaign_id", e->campaign_id,
                     "seq", (json_int_t)e->seq, "kind", ledger_kind_name(e->kind),
                     "amount_minor", (json_int_t)e->amount_minor, "currency",
                     e->currency, "provider", e->provider, "reference",
                     e->reference, "method", e->method, "created_at",
                     e->created_at, "entry_hash", hash);
}
