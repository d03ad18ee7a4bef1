#include "../hvm_npt/main.c"
