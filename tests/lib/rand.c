/* xorshift64 (Marsaglia): the fuzz tests' deterministic generator (test.h). */
#include "test.h"

uint64_t xorshift64(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}
