# Hand-written DWARF 4 at the limits (assembled by tests/integration/dwarf_limits_test.cpp
# with `gcc -c`): unknown tags (0x5555; 0x8888 with a child), an unknown attribute (0x3f00,
# form data1, on two DIEs), an array bound above 2^32 and a struct of 70,000 members in the
# first unit; unknown languages (0x7777 in units 1 and 2, 0x9999 in unit 3). Unit 4 (C99)
# holds byte sizes past 4 GiB: a struct of 8 GiB, and a 16-byte struct whose members are
# an int[2][0x80000000] (8 GiB, past what an ARRAY may describe) and an int after it.
# Unit 5 (C99) holds an enum of 70,000 enumerators and a prototype of 70,000 parameters.
	.section .debug_abbrev,"",@progbits
.Labbrev:
	.uleb128 1, 0x11; .byte 1; .uleb128 0x03, 0x08, 0x13, 0x05; .byte 0, 0
	.uleb128 2, 0x24; .byte 0; .uleb128 0x03, 0x08, 0x0b, 0x0b, 0x3e, 0x0b, 0x3f00, 0x0b; .byte 0, 0
	.uleb128 3, 0x5555; .byte 0; .uleb128 0x03, 0x08; .byte 0, 0
	.uleb128 4, 0x13; .byte 1; .uleb128 0x03, 0x08, 0x0b, 0x06; .byte 0, 0
	.uleb128 5, 0x0d; .byte 0; .uleb128 0x03, 0x08, 0x49, 0x13, 0x38, 0x06; .byte 0, 0
	.uleb128 6, 0x01; .byte 1; .uleb128 0x49, 0x13; .byte 0, 0
	.uleb128 7, 0x21; .byte 0; .uleb128 0x49, 0x13, 0x2f, 0x07; .byte 0, 0
	.uleb128 8, 0x16; .byte 0; .uleb128 0x03, 0x08, 0x49, 0x13; .byte 0, 0
	.uleb128 9, 0x8888; .byte 1; .uleb128 0x03, 0x08; .byte 0, 0
	.uleb128 10, 0x13; .byte 1; .uleb128 0x03, 0x08, 0x0b, 0x07; .byte 0, 0
	.uleb128 11, 0x0d; .byte 0; .uleb128 0x03, 0x08, 0x49, 0x13, 0x38, 0x07; .byte 0, 0
	.uleb128 12, 0x01; .byte 1; .uleb128 0x49, 0x13; .byte 0, 0
	.uleb128 13, 0x04; .byte 1; .uleb128 0x03, 0x08, 0x0b, 0x0b; .byte 0, 0
	.uleb128 14, 0x28; .byte 0; .uleb128 0x03, 0x08, 0x1c, 0x06; .byte 0, 0
	.uleb128 15, 0x15; .byte 1; .uleb128 0x27, 0x19, 0x49, 0x13; .byte 0, 0
	.uleb128 16, 0x05; .byte 0; .uleb128 0x49, 0x13; .byte 0, 0
	.byte 0

	.section .debug_info,"",@progbits
.Lcu:
	.long .Lend - .Lstart
.Lstart:
	.value 4
	.long .Labbrev
	.byte 8
	.uleb128 1; .string "limits.c"; .value 0x7777
.Lint:	.uleb128 2; .string "int"; .byte 4, 5, 1
	.uleb128 3; .string "mystery"
.Larr:	.uleb128 6; .long .Lint - .Lcu
	.uleb128 7; .long .Lint - .Lcu; .quad 0x100000000
	.byte 0
	.uleb128 8; .string "huge_arr"; .long .Larr - .Lcu
.Lwide:	.uleb128 4; .string "wide"; .long 280000
	.set off, 0
	.rept 70000
	.uleb128 5; .string "m"; .long .Lint - .Lcu; .long off
	.set off, off + 4
	.endr
	.byte 0
	.uleb128 8; .string "wide_t"; .long .Lwide - .Lcu
	.uleb128 9; .string "future"
	.uleb128 3; .string "inner"
	.byte 0
	.uleb128 2; .string "long"; .byte 8, 5, 2
	.byte 0
.Lend:

	.irp lang, 0x7777, 0x9999
	.long 2f - 1f
1:	.value 4
	.long .Labbrev
	.byte 8
	.uleb128 1; .string "more.c"; .value \lang
	.uleb128 2; .string "short"; .byte 2, 5, 3
	.byte 0
2:
	.endr

.Lcu4h:	.long .Lend4 - .Lstart4
.Lstart4:
	.value 4
	.long .Labbrev
	.byte 8
.Lcu4:	.uleb128 1; .string "big.c"; .value 0x000c
.Lint4:	.uleb128 2; .string "int"; .byte 4, 5, 1
	.uleb128 10; .string "big"; .quad 0x200000000
	.uleb128 11; .string "a"; .long .Lint4 - .Lcu4h; .quad 0
	.uleb128 11; .string "b"; .long .Lint4 - .Lcu4h; .quad 0x100000000
	.byte 0
.Larr4:	.uleb128 12; .long .Lint4 - .Lcu4h
	.uleb128 7; .long .Lint4 - .Lcu4h; .quad 1
	.uleb128 7; .long .Lint4 - .Lcu4h; .quad 0x7fffffff
	.byte 0
	.uleb128 10; .string "holder"; .quad 16
	.uleb128 11; .string "arr"; .long .Larr4 - .Lcu4h; .quad 0
	.uleb128 11; .string "after"; .long .Lint4 - .Lcu4h; .quad 8
	.byte 0
	.byte 0
.Lend4:

.Lcu5h:	.long .Lend5 - .Lstart5
.Lstart5:
	.value 4
	.long .Labbrev
	.byte 8
	.uleb128 1; .string "wide.c"; .value 0x000c
.Lint5:	.uleb128 2; .string "int"; .byte 4, 5, 1
.Lenum5: .uleb128 13; .string "many"; .byte 4
	.set val, 0
	.rept 70000
	.uleb128 14; .string "E"; .long val
	.set val, val + 1
	.endr
	.byte 0
	.uleb128 8; .string "many_t"; .long .Lenum5 - .Lcu5h
.Lproto5: .uleb128 15; .long .Lint5 - .Lcu5h
	.rept 70000
	.uleb128 16; .long .Lint5 - .Lcu5h
	.endr
	.byte 0
	.uleb128 8; .string "wide_fn_t"; .long .Lproto5 - .Lcu5h
	.byte 0
.Lend5:
