/* hvm_counters_shadow: hvm_npt's control domain beside tests/hvm/counters.S built with
 * -DCOUNTERS_SHADOW, as a paging=shadow domain. */
#include "../hvm_npt/main.c"
