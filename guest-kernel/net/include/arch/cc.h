/*
 * lwIP's compiler and platform header for the bundled guest kernel (x86_64, freestanding,
 * -nostdinc): the types come from the compiler's stdint.h, printing and assertions from the
 * kernel (lwip_port.c). lwIP finds it as "arch/cc.h" (guest-kernel/net/include on its path).
 */
#ifndef LWIP_ARCH_CC_H
#define LWIP_ARCH_CC_H

#define BYTE_ORDER LITTLE_ENDIAN
#define LWIP_NO_INTTYPES_H 1            /* no inttypes.h: the format strings below */
#define LWIP_NO_UNISTD_H 1              /* ssize_t comes from lwIP's arch.h */
#define LWIP_NO_CTYPE_H 1               /* lwIP's own isdigit & co. */
#define LWIP_NO_LIMITS_H 1              /* gcc's limits.h wants a libc one under it */
#ifndef INT_MAX
#define INT_MAX __INT_MAX__
#endif
#define X8_F  "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "lu"

/* lwip_port.c: printk and kernel_panic, without lwIP seeing the kernel's headers. */
void lwip_port_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void lwip_port_assert(const char *msg, int line, const char *file);
unsigned int lwip_port_rand(void);

#define LWIP_PLATFORM_DIAG(x)   do { lwip_port_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) lwip_port_assert((x), __LINE__, __FILE__)
#define LWIP_RAND()             ((u32_t)lwip_port_rand())

#endif
