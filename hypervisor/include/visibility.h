/* Forced into every hypervisor object: all symbols are hidden, so even references
 * to extern declarations are direct RIP-relative (no GOT), with gcc and clang alike. */
#pragma GCC visibility push(hidden)
