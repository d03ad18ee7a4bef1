#include "../hvm_ioreq/main.c"
