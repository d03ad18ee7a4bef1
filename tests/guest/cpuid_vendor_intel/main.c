/* cpuid_vendor on an Intel CPU model. */
#define WANT_VENDOR "GenuineIntel"
#include "../cpuid_vendor/main.c"
