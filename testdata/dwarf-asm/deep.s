# Hand-written DWARF 4, 100,000 levels deep three times over (assembled by
# tests/integration/resource_limits_test.cpp with `gcc -c`): a typedef chain,
# a pointer chain and structs nested by value (struct s { struct s' m; }),
# each link referring to the one before it. Every link has a fixed size, so
# "the previous DIE" is this DIE's offset minus that size.
	.section .debug_abbrev,"",@progbits
.Labbrev:
	.uleb128 1, 0x11; .byte 1; .uleb128 0x03, 0x08, 0x13, 0x05; .byte 0, 0
	.uleb128 2, 0x24; .byte 0; .uleb128 0x03, 0x08, 0x0b, 0x0b, 0x3e, 0x0b; .byte 0, 0
	.uleb128 3, 0x16; .byte 0; .uleb128 0x03, 0x08, 0x49, 0x13; .byte 0, 0
	.uleb128 4, 0x0f; .byte 0; .uleb128 0x0b, 0x0b, 0x49, 0x13; .byte 0, 0
	.uleb128 5, 0x13; .byte 1; .uleb128 0x03, 0x08, 0x0b, 0x06; .byte 0, 0
	.uleb128 6, 0x0d; .byte 0; .uleb128 0x03, 0x08, 0x49, 0x13, 0x38, 0x06; .byte 0, 0
	.byte 0

	.section .debug_info,"",@progbits
.Lcu:
	.long .Lend - .Lstart
.Lstart:
	.value 4
	.long .Labbrev
	.byte 8
	.uleb128 1; .string "deep.c"; .value 0x000c
.Lint:	.uleb128 2; .string "int"; .byte 4, 5

	# typedefs: 7 bytes each (code, "t\0", ref4)
	.uleb128 3; .string "t"; .long .Lint - .Lcu
	.rept 99999
1:	.uleb128 3; .string "t"; .long 1b - .Lcu - 7
	.endr
	.uleb128 3; .string "deep_typedef"; .long 1b - .Lcu

	# pointers: 6 bytes each (code, size, ref4)
	.uleb128 4; .byte 8; .long .Lint - .Lcu
	.rept 99999
1:	.uleb128 4; .byte 8; .long 1b - .Lcu - 6
	.endr
	.uleb128 3; .string "deep_pointer"; .long 1b - .Lcu

	# structs: 19 bytes each (code, "s\0", size4; member: code, "m\0", ref4, offset4; end)
	.uleb128 5; .string "s"; .long 4
	.uleb128 6; .string "m"; .long .Lint - .Lcu; .long 0
	.byte 0
	.rept 99999
1:	.uleb128 5; .string "s"; .long 4
	.uleb128 6; .string "m"; .long 1b - .Lcu - 19; .long 0
	.byte 0
	.endr
	.uleb128 3; .string "deep_struct"; .long 1b - .Lcu
	.byte 0
.Lend:
