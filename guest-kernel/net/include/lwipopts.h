/*
 * lwIP's configuration for the bundled guest kernel (docs/network.md): NO_SYS (no threads
 * inside lwIP: the kernel's net thread, netsvc.c, runs its input and timers, and every other
 * caller takes netsvc_lock), the raw callback API only (no netconn, no sockets), IPv4 with
 * ARP, DHCP, ICMP, UDP, TCP and DNS. Memory: lwIP's own heap and pools, static arrays in the
 * kernel's bss (about 300 KiB in all).
 */
#ifndef LWIP_LWIPOPTS_H
#define LWIP_LWIPOPTS_H

#define NO_SYS                      1
#define SYS_LIGHTWEIGHT_PROT        0   /* one lock around all of lwIP: netsvc_lock */
#define LWIP_SOCKET                 0
#define LWIP_NETCONN                0
#define LWIP_TIMERS                 1

#define LWIP_IPV4                   1
#define LWIP_IPV6                   0
#define LWIP_ARP                    1
#define LWIP_ETHERNET               1
#define LWIP_ICMP                   1
#define LWIP_RAW                    1   /* ping's ICMP echo requests and replies */
#define LWIP_UDP                    1
#define LWIP_TCP                    1
#define LWIP_DHCP                   1
#define LWIP_DNS                    1   /* names for ping and wget, from DHCP's server (10.0.2.3) */
#define LWIP_AUTOIP                 0
#define LWIP_IGMP                   0
#define LWIP_NETIF_HOSTNAME         1
#define LWIP_NETIF_STATUS_CALLBACK  1
#define LWIP_NETIF_LINK_CALLBACK    1
#define LWIP_STATS                  0
#define LWIP_ALTCP                  0
#define IP_REASSEMBLY               1
#define IP_FRAG                     1

/* Memory: an 8-byte aligned heap for PBUF_RAM and the pools beside it. */
#define MEM_ALIGNMENT               8
#define MEM_SIZE                    (128 * 1024)
#define MEMP_NUM_PBUF               32
#define MEMP_NUM_RAW_PCB            4
#define MEMP_NUM_UDP_PCB            6
#define MEMP_NUM_TCP_PCB            12
#define MEMP_NUM_TCP_PCB_LISTEN     4
#define MEMP_NUM_TCP_SEG            64
#define MEMP_NUM_SYS_TIMEOUT        (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 4)
#define PBUF_POOL_SIZE              64
#define PBUF_POOL_BUFSIZE           1536
#define ETH_PAD_SIZE                0

/* TCP: a full-size segment on Ethernet, 8 of them in flight each way. */
#define TCP_MSS                     1460
#define TCP_WND                     (8 * TCP_MSS)
#define TCP_SND_BUF                 (8 * TCP_MSS)
#define TCP_SND_QUEUELEN            (4 * TCP_SND_BUF / TCP_MSS)
#define LWIP_TCP_KEEPALIVE          0

#define LWIP_DEBUG                  0

#endif
