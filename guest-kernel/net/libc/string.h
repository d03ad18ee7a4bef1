/* The <string.h> lwIP includes: libtandem's strings (lib/include/tandem-lib/string.h). */
#ifndef LWIP_LIBC_STRING_H
#define LWIP_LIBC_STRING_H
#include <tandem-lib/string.h>
#endif
