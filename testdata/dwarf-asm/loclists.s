# Hand-written DWARF 5 (assembled by tests/integration/location_reader_test.cpp with
# `gcc -c`): formal parameters whose DW_AT_location covers every DW_LLE entry kind, an
# entry value, empty expressions, and lists that libdw cuts short (an address index past
# .debug_addr, an unknown entry kind, a truncated operation, an index past the offset
# table). dwarf2btf's LocationReader must list exactly what libdw lists, and leave the
# parameter with an unknown operation (0x04) to libdw. No relocations: every offset is a
# difference of labels in one section.
	.section .debug_abbrev,"",@progbits
.Labbrev:
	.uleb128 1, 0x11; .byte 1; .uleb128 0x03, 0x08, 0x13, 0x05, 0x11, 0x01, 0x73, 0x17, 0x8c, 0x17; .byte 0, 0
	.uleb128 2, 0x24; .byte 0; .uleb128 0x03, 0x08, 0x0b, 0x0b, 0x3e, 0x0b; .byte 0, 0
	.uleb128 3, 0x2e; .byte 1; .uleb128 0x03, 0x08; .byte 0, 0
	.uleb128 4, 0x05; .byte 0; .uleb128 0x03, 0x08, 0x49, 0x13, 0x02, 0x17; .byte 0, 0
	.uleb128 5, 0x05; .byte 0; .uleb128 0x03, 0x08, 0x49, 0x13, 0x02, 0x18; .byte 0, 0
	.uleb128 6, 0x05; .byte 0; .uleb128 0x03, 0x08, 0x49, 0x13, 0x02, 0x22; .byte 0, 0
	.byte 0

	.section .debug_addr,"",@progbits
.Laddr:
	.long .Laddr_end - .Laddr_ver
.Laddr_ver:
	.value 5
	.byte 8, 0
.Laddr_base:
	.quad 0x1000, 0x1010
.Laddr_end:

	.section .debug_loclists,"",@progbits
.Lll:
	.long .Lll_end - .Lll_ver
.Lll_ver:
	.value 5
	.byte 8, 0
	.long 2
.Lll_table:
	.long .LlistA - .Lll_table, .LlistB - .Lll_table
# A: offset_pair, base_address, offset_pair with an entry value, start_end, start_length,
#    default_location with an empty expression.
.LlistA:
	.byte 0x04; .uleb128 0, 0x10; .uleb128 1; .byte 0x55
	.byte 0x06; .quad 0x2000
	.byte 0x04; .uleb128 0x10, 0x20; .uleb128 4; .byte 0xa3, 1, 0x55, 0x9f
	.byte 0x07; .quad 0x3000, 0x3010; .uleb128 2; .byte 0x77, 8
	.byte 0x08; .quad 0x4000; .uleb128 8; .uleb128 2; .byte 0x30, 0x9f
	.byte 0x05; .uleb128 0
	.byte 0x00
# B: base_addressx, startx_length (a two-register aggregate), startx_endx.
.LlistB:
	.byte 0x01; .uleb128 0
	.byte 0x03; .uleb128 1, 4; .uleb128 6; .byte 0x51, 0x93, 8, 0x52, 0x93, 8
	.byte 0x02; .uleb128 0, 1; .uleb128 2; .byte 0x91, 0x70
	.byte 0x00
# C: an address index past .debug_addr after one good entry.
.LlistC:
	.byte 0x04; .uleb128 0, 4; .uleb128 1; .byte 0x53
	.byte 0x03; .uleb128 99, 4; .uleb128 1; .byte 0x50
	.byte 0x00
# D: an unknown entry kind after one good entry.
.LlistD:
	.byte 0x04; .uleb128 0, 4; .uleb128 1; .byte 0x54
	.byte 0x09; .uleb128 0, 4; .uleb128 1; .byte 0x50
	.byte 0x00
# E: DW_OP_const2u with one byte of its operand.
.LlistE:
	.byte 0x04; .uleb128 0, 4; .uleb128 1; .byte 0x56
	.byte 0x04; .uleb128 4, 8; .uleb128 2; .byte 0x0a, 1
	.byte 0x00
.Lll_end:

	.section .debug_info,"",@progbits
.Lcu:
	.long .Lend - .Lstart
.Lstart:
	.value 5
	.byte 1, 8
	.long 0
	.uleb128 1; .string "loclists.c"; .value 0x001d; .quad 0x1000
	.long .Laddr_base - .Laddr; .long .Lll_table - .Lll
.Lint:	.uleb128 2; .string "long"; .byte 8, 5
	.uleb128 3; .string "f"
	.uleb128 4; .string "a"; .long .Lint - .Lcu; .long .LlistA - .Lll
	.uleb128 4; .string "b"; .long .Lint - .Lcu; .long .LlistB - .Lll
	.uleb128 4; .string "c"; .long .Lint - .Lcu; .long .LlistC - .Lll
	.uleb128 4; .string "d"; .long .Lint - .Lcu; .long .LlistD - .Lll
	.uleb128 4; .string "e"; .long .Lint - .Lcu; .long .LlistE - .Lll
	.uleb128 5; .string "g"; .long .Lint - .Lcu; .uleb128 5; .byte 0xa3, 2, 0x75, 0, 0x9f
	.uleb128 5; .string "h"; .long .Lint - .Lcu; .uleb128 2; .byte 0x04, 0x55
	.uleb128 6; .string "i"; .long .Lint - .Lcu; .uleb128 1
	.uleb128 6; .string "j"; .long .Lint - .Lcu; .uleb128 100000
	.uleb128 5; .string "k"; .long .Lint - .Lcu; .uleb128 0
	.byte 0
	.byte 0
.Lend:

# A symbol, so the object has the symbol table libdwfl wants.
	.text
	.globl f
f:	ret
