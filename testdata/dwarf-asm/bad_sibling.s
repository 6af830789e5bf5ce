# Hand-written DWARF 4 (assembled by tests/integration/die_scanner_test.cpp with `gcc -c`):
# a struct whose DW_AT_sibling points past the DIE that really follows it (the typedef
# hidden_t). libdw follows DW_AT_sibling, so its walk never meets hidden_t; a reader that
# reads the section front to back would. dwarf2btf's own DIE reader must notice the
# disagreement and leave the unit to libdw: the BTF has shown_t and not hidden_t.
	.section .debug_abbrev,"",@progbits
.Labbrev:
	.uleb128 1, 0x11; .byte 1; .uleb128 0x03, 0x08, 0x13, 0x05; .byte 0, 0
	.uleb128 2, 0x24; .byte 0; .uleb128 0x03, 0x08, 0x0b, 0x0b, 0x3e, 0x0b; .byte 0, 0
	.uleb128 3, 0x13; .byte 1; .uleb128 0x03, 0x08, 0x0b, 0x0b, 0x01, 0x13; .byte 0, 0
	.uleb128 4, 0x0d; .byte 0; .uleb128 0x03, 0x08, 0x49, 0x13, 0x38, 0x0b; .byte 0, 0
	.uleb128 5, 0x16; .byte 0; .uleb128 0x03, 0x08, 0x49, 0x13; .byte 0, 0
	.byte 0

	.section .debug_info,"",@progbits
.Lcu:
	.long .Lend - .Lstart
.Lstart:
	.value 4
	.long .Labbrev
	.byte 8
	.uleb128 1; .string "sibling.c"; .value 0x000c
.Lint:	.uleb128 2; .string "int"; .byte 4, 5
	.uleb128 3; .string "s"; .byte 4; .long .Lafter - .Lcu
	.uleb128 4; .string "x"; .long .Lint - .Lcu; .byte 0
	.byte 0
	.uleb128 5; .string "hidden_t"; .long .Lint - .Lcu
.Lafter:
	.uleb128 5; .string "shown_t"; .long .Lint - .Lcu
	.byte 0
.Lend:
