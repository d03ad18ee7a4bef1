/* hvm_counters: hvm_npt's control domain (d0 waits for the HVM domain to power off) beside
 * tests/hvm/counters.S, HVMCALL_counters' checks. */
#include "../hvm_npt/main.c"
