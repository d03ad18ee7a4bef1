/* hvm_dmdisk_pio: hvm_dmdisk with the native driver on PIO (ide=pio): its outsider domain is the same. */
#include "../hvm_dmdisk/main.c"
