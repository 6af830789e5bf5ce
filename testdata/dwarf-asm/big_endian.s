# Hand-written DWARF 3 for a big-endian target (scripts/build-fixtures.sh assembles it with
# clang --target=s390x-linux-gnu into testdata/cross/big_endian.s390x.dwarf3.o). Every value
# whose size or meaning depends on byte order is here: DW_AT_sibling as ref4 (on a struct
# that is walked and on an enum whose enumerators are skipped), a member location as a
# block2 expression, a variable location as a block4 expression, a data2 constant.
	.section .debug_abbrev,"",@progbits
.Labbrev:
	.uleb128 1, 0x11; .byte 1; .uleb128 0x03, 0x08, 0x13, 0x05; .byte 0, 0
	.uleb128 2, 0x24; .byte 0; .uleb128 0x03, 0x08, 0x0b, 0x0b, 0x3e, 0x0b; .byte 0, 0
	.uleb128 3, 0x13; .byte 1; .uleb128 0x03, 0x08, 0x0b, 0x0b, 0x01, 0x13; .byte 0, 0
	.uleb128 4, 0x0d; .byte 0; .uleb128 0x03, 0x08, 0x49, 0x13, 0x38, 0x0b; .byte 0, 0
	.uleb128 5, 0x0d; .byte 0; .uleb128 0x03, 0x08, 0x49, 0x13, 0x38, 0x03; .byte 0, 0
	.uleb128 6, 0x04; .byte 1; .uleb128 0x03, 0x08, 0x0b, 0x0b, 0x49, 0x13, 0x01, 0x13; .byte 0, 0
	.uleb128 7, 0x28; .byte 0; .uleb128 0x03, 0x08, 0x1c, 0x05; .byte 0, 0
	.uleb128 8, 0x34; .byte 0; .uleb128 0x03, 0x08, 0x49, 0x13, 0x3f, 0x0c, 0x02, 0x04; .byte 0, 0
	.uleb128 9, 0x16; .byte 0; .uleb128 0x03, 0x08, 0x49, 0x13; .byte 0, 0
	.byte 0

	.section .debug_info,"",@progbits
.Lcu:
	.long .Lend - .Lstart
.Lstart:
	.value 3
	.long .Labbrev
	.byte 8
	.uleb128 1; .string "big_endian.c"; .value 0x000c
.Lint:	.uleb128 2; .string "int"; .byte 4, 5
.Lshort: .uleb128 2; .string "short unsigned int"; .byte 2, 7
.Lpair:	.uleb128 3; .string "pair"; .byte 16; .long .Lafter_pair - .Lcu
	.uleb128 4; .string "first"; .long .Lint - .Lcu; .byte 0
	# DW_OP_plus_uconst 8, in a block2 (length 0x0002, big-endian)
	.uleb128 5; .string "second"; .long .Lint - .Lcu; .value 2; .byte 0x23, 8
	.byte 0
.Lafter_pair:
.Lenum:	.uleb128 6; .string "mode"; .byte 2; .long .Lshort - .Lcu; .long .Lafter_enum - .Lcu
	.uleb128 7; .string "MODE_OFF"; .value 0
	.uleb128 7; .string "MODE_ON"; .value 0x0102
	.byte 0
.Lafter_enum:
	# DW_OP_addr 0x1000, in a block4 (length 9, big-endian)
	.uleb128 8; .string "origin"; .long .Lpair - .Lcu; .byte 1; .long 9; .byte 0x03; .quad 0x1000
	.uleb128 9; .string "mode_t"; .long .Lenum - .Lcu
	.byte 0
.Lend:
