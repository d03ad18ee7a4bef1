#include "../hvm_dmdisk/main.c"
