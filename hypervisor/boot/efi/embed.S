/*
 * The core image, stripped tandem.elf, embedded in tandem.efi's .data (the
 * GNU-EFI linker script keeps .data.* there). TANDEM_CORE is its path.
 */
        .section .data.tandem_core, "a"
        .balign 4096
        .globl tandem_core_start, tandem_core_end
tandem_core_start:
        .incbin TANDEM_CORE
tandem_core_end:

        .section .note.GNU-stack, "", @progbits
