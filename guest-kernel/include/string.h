/*
 * <string.h> for code written against the C library's names (the store
 * library, pvdrivers/xenstored, also built hosted for unit tests): the
 * guest's are libtandem's (-nostdinc keeps the host's out).
 */
#ifndef GUEST_STRING_H
#define GUEST_STRING_H
#include <stddef.h>
#include <tandem-lib/string.h>
#endif
