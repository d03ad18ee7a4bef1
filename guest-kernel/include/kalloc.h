/* Small kernel allocations (kernel/kalloc.c): malloc-like, from the page allocator. */
#ifndef GUEST_KALLOC_H
#define GUEST_KALLOC_H

#include <stddef.h>

/* size bytes, 16-byte aligned, not zeroed; NULL when memory is out. */
void *kalloc(size_t size);
/* Give back a block from kalloc (NULL: nothing). */
void kfree(void *ptr);

#endif
