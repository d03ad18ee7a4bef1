#include "../hvm_irq/main.c"
