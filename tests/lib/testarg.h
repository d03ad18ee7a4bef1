/* Test kernel arguments: "key=N" words of the guest command line (tandem-run KERNEL -- key=N). */
#ifndef TANDEM_TESTARG_H
#define TANDEM_TESTARG_H

#include "guest.h"

/* The number after "key=" in start_info's command line (decimal or 0x hex), else dflt. */
unsigned long test_arg(const char *key, unsigned long dflt);

#endif
