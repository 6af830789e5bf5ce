# Hand-written DWARF 4 (assembled by tests/integration/dwarf_limits_test.cpp with `gcc -c`):
# a typedef whose abbreviation gives an unknown attribute (0x3f01) a form no DWARF version
# defines yet (0x2d). The form decides how many bytes the value takes, so nothing after it
# can be found: the encode must fail and name the form, not say "invalid DWARF".
	.section .debug_abbrev,"",@progbits
.Labbrev:
	.uleb128 1, 0x11; .byte 1; .uleb128 0x03, 0x08, 0x13, 0x05; .byte 0, 0
	.uleb128 2, 0x24; .byte 0; .uleb128 0x03, 0x08, 0x0b, 0x0b, 0x3e, 0x0b; .byte 0, 0
	.uleb128 3, 0x16; .byte 0; .uleb128 0x03, 0x08, 0x49, 0x13, 0x3f01, 0x2d; .byte 0, 0
	.byte 0

	.section .debug_info,"",@progbits
.Lcu:
	.long .Lend - .Lstart
.Lstart:
	.value 4
	.long .Labbrev
	.byte 8
	.uleb128 1; .string "form.c"; .value 0x000c
.Lint:	.uleb128 2; .string "int"; .byte 4, 5
	.uleb128 3; .string "future_t"; .long .Lint - .Lcu; .byte 1, 2, 3, 4
	.uleb128 2; .string "long"; .byte 8, 5
	.byte 0
.Lend:
