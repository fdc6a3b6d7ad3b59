/* rng.c: GSL random streams keyed on (seed, key).
 *
 * Why a hash and not seed + key: neighbouring keys must give unrelated
 * streams, and mt19937 only takes 32 bits of seed. XXH3 of the pair spreads
 * all 128 input bits over 64, and folding the halves with XOR keeps every
 * input bit in play. Two different keys share a stream with probability
 * 2^-32 per pair; a shared stream is harmless (the two tasks use it for
 * different things), never a correctness problem. */
#include "foldwise/core.h"

static unsigned long rng_seed32(uint64_t seed, uint64_t key)
{
    uint64_t h = fw_hash_mix(seed, key);
    unsigned long s = (unsigned long)((h ^ (h >> 32)) & 0xffffffffUL);
    /* gsl's mt19937 maps seed 0 to its default 4357: keep 0 distinct. */
    return s ? s : 0x9e3779b9UL;
}

gsl_rng *fw_rng_alloc(uint64_t seed, uint64_t key)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r)
        gsl_rng_set(r, rng_seed32(seed, key));
    return r;
}

void fw_rng_reseed(gsl_rng *r, uint64_t seed, uint64_t key)
{
    gsl_rng_set(r, rng_seed32(seed, key));
}

void fw_shuffle(gsl_rng *r, size_t *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)gsl_rng_uniform_int(r, (unsigned long)i);
        size_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}
