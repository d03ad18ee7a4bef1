/*
 * Refusals that say why (docs/error-handling.md "Refusals with loglvl=debug"):
 * with loglvl=debug every hypercall that fails, and every grant op that is
 * refused, logs one rate-limited line naming the domain, the call, its
 * arguments and the rule. The code that refuses states the rule with
 * REFUSE_WHY (kept, per CPU, until the hypercall returns); the dispatcher
 * prints the line. Off (any other loglvl), REFUSE_WHY is one load and branch.
 */
#ifndef TANDEM_REFUSE_H
#define TANDEM_REFUSE_H

#include "types.h"

struct domain;

extern bool refuse_log_on;

/* From boot: on for loglvl=debug or all. */
void refuse_enable(bool on);
/* Append the rule (printf format) to this CPU's note for the running hypercall. */
void refuse_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define REFUSE_WHY(...) do { if (__builtin_expect(refuse_log_on, 0)) refuse_note(__VA_ARGS__); } while (0)
/* The dispatcher, at hypercall entry and with its result (rc in -4095..-1: refused). */
void refuse_begin(void);
void refuse_report(const struct domain *d, unsigned long nr, uint64_t a1, uint64_t a2, uint64_t a3, long rc);
/* One refused op of a batch that itself returns 0 (grant ops, status GNTST_*): logged at once with the note. */
void refuse_log_op(const struct domain *d, const char *what, long status);

#endif
