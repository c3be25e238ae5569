#include "app/tiles.h"

#include "core/campaign.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    char campaign[CAMPAIGN_ID_MAX + 1];
    int level;
    int64_t first, count; /* count 0: empty */
    merkle_hash h[MERKLE_TILE_WIDTH];
};

struct tile_cache {
    pthread_mutex_t lock;
    size_t n;
    struct slot **slots; /* allocated on first use */
};

struct tile_cache *tile_cache_new(size_t slots)
{
    struct tile_cache *c = calloc(1, sizeof *c);
    if (c == NULL || (c->slots = calloc(slots, sizeof *c->slots)) == NULL) {
        free(c);
        return NULL;
    }
    c->n = slots;
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void tile_cache_free(struct tile_cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->slots[i]);
    free(c->slots);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* FNV-1a over the key. */
static size_t slot_of(const struct tile_cache *c, const char *campaign_id,
                      int level, int64_t first, int64_t count)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = campaign_id; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    uint64_t k[3] = {(uint64_t)level, (uint64_t)first, (uint64_t)count};
    for (int i = 0; i < 3; i++)
        h = (h ^ k[i]) * 1099511628211ULL;
    return (size_t)(h % c->n);
}

static bool same(const struct slot *s, const char *campaign_id, int level,
                 int64_t first, int64_t count)
{
    return s && s->count == count && s->first == first &&
           s->level == level && strcmp(s->campaign, campaign_id) == 0;
}

bool tile_cache_get(struct tile_cache *c, const char *campaign_id, int level,
                    int64_t first, int64_t count, merkle_hash *out)
{
    if (c == NULL || count < 1 || count > MERKLE_TILE_WIDTH)
        return false;
    size_t i = slot_of(c, campaign_id, level, first, count);
    pthread_mutex_lock(&c->lock);
    bool hit = same(c->slots[i], campaign_id, level, first, count);
    if (hit)
        memcpy(out, c->slots[i]->h, (size_t)count * MERKLE_HASH_LEN);
    pthread_mutex_unlock(&c->lock);
    return hit;
}

void tile_cache_put(struct tile_cache *c, const char *campaign_id, int level,
                    int64_t first, int64_t count, merkle_hash *hashes)
{
    if (c == NULL || count < 1 || count > MERKLE_TILE_WIDTH ||
        strlen(campaign_id) > CAMPAIGN_ID_MAX)
        return;
    size_t i = slot_of(c, campaign_id, level, first, count);
    pthread_mutex_lock(&c->lock);
    if (c->slots[i] == NULL)
        c->slots[i] = malloc(sizeof *c->slots[i]);
    struct slot *s = c->slots[i];
    if (s) {
        snprintf(s->campaign, sizeof s->campaign, "%s", campaign_id);
        s->level = level;
        s->first = first;
        s->count = count;
        memcpy(s->h, hashes, (size_t)count * MERKLE_HASH_LEN);
    }
    pthread_mutex_unlock(&c->lock);
}
