/* hash.c: stable 64-bit hashes from libxxhash (XXH3-64). The digest of the
 * same bytes is the same on every platform and release of xxHash >= 0.8, so
 * task keys and data hashes stored in a journal stay valid across builds. */
#include "foldwise/core.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

uint64_t fw_hash64(const void *p, size_t n, uint64_t seed)
{
    return (uint64_t)XXH3_64bits_withSeed(p, n, (XXH64_hash_t)seed);
}

uint64_t fw_hash_str(const char *s, uint64_t seed)
{
    return fw_hash64(s, strlen(s), seed);
}

uint64_t fw_hash_mix(uint64_t a, uint64_t b)
{
    uint64_t v[2] = {a, b};
    return fw_hash64(v, sizeof v, 0x666f6c6477697365ULL);
}

struct fw_hasher {
    XXH3_state_t *st;
};

fw_hasher *fw_hasher_alloc(uint64_t seed)
{
    fw_hasher *h = malloc(sizeof *h);
    if (!h)
        return NULL;
    h->st = XXH3_createState();
    if (!h->st) {
        free(h);
        return NULL;
    }
    XXH3_64bits_reset_withSeed(h->st, (XXH64_hash_t)seed);
    return h;
}

void fw_hasher_update(fw_hasher *h, const void *p, size_t n)
{
    if (n)
        XXH3_64bits_update(h->st, p, n);
}

uint64_t fw_hasher_digest(const fw_hasher *h)
{
    return (uint64_t)XXH3_64bits_digest(h->st);
}

void fw_hasher_free(fw_hasher *h)
{
    if (!h)
        return;
    XXH3_freeState(h->st);
    free(h);
}
