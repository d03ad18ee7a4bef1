/*
 * Failure injection, a test knob (docs/error-handling.md): the hypervisor
 * command line `fail_step=SITE:N[@D][,...]` makes step N of SITE fail for
 * domain D (default: every domain). Compiled in always, off unless given.
 * Sites: "create" (domain_create), "build" (pv_build_domain).
 */
#ifndef TANDEM_FAULT_INJECT_H
#define TANDEM_FAULT_INJECT_H

#include "types.h"

#define FAIL_STEP_LEN 256
extern char opt_fail_step[FAIL_STEP_LEN];

/* True (and logged) if the command line asks step `step` of `site` to fail for domain `d`. */
bool fault_inject(const char *site, unsigned int step, unsigned int d);

#endif
