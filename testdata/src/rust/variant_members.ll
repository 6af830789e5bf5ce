; Fixture `variant_members` (issue 3): Rust DWARF that rustc 1.95 does not
; emit for the constructs below but LLVM's Rust debug-info model allows,
; written as LLVM IR because no Rust source produces it today. Built by
; scripts/build-rust-fixtures.sh with clang-22.
;
; - `Gen`: a struct with ordinary members beside a DW_TAG_variant_part (the
;   shape of a coroutine whose upvars are kept outside the variants):
;   resume: u32 @0, upvar: u64 @8, __state: u8 @16 (discriminant),
;   variants "0" -> Unresumed {}, "1" -> Suspend0 { x: u32 @20 },
;   "2" -> Done { v: u16 @18 }.
source_filename = "variant_members"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@GEN = global [24 x i8] zeroinitializer, align 8, !dbg !0

!llvm.module.flags = !{!50, !51}
!llvm.dbg.cu = !{!52}

!0 = !DIGlobalVariableExpression(var: !1, expr: !DIExpression())
!1 = distinct !DIGlobalVariable(name: "GEN", scope: !2, file: !3, line: 1, type: !4, isLocal: false, isDefinition: true, align: 64)
!2 = !DINamespace(name: "variant_members", scope: null)
!3 = !DIFile(filename: "variant_members.rs", directory: ".")
!4 = !DICompositeType(tag: DW_TAG_structure_type, name: "Gen", scope: !2, file: !3, size: 192, align: 64, elements: !5, identifier: "vm-gen")
!5 = !{!6, !8, !10}
!6 = !DIDerivedType(tag: DW_TAG_member, name: "resume", scope: !4, file: !3, baseType: !7, size: 32, align: 32, offset: 0)
!7 = !DIBasicType(name: "u32", size: 32, encoding: DW_ATE_unsigned)
!8 = !DIDerivedType(tag: DW_TAG_member, name: "upvar", scope: !4, file: !3, baseType: !9, size: 64, align: 64, offset: 64)
!9 = !DIBasicType(name: "u64", size: 64, encoding: DW_ATE_unsigned)
!10 = !DICompositeType(tag: DW_TAG_variant_part, scope: !4, file: !3, size: 192, align: 64, elements: !11, identifier: "vm-gen-vp", discriminator: !12)
!11 = !{!14, !16, !19}
!12 = !DIDerivedType(tag: DW_TAG_member, name: "__state", scope: !4, file: !3, baseType: !13, size: 8, align: 8, offset: 128, flags: DIFlagArtificial)
!13 = !DIBasicType(name: "u8", size: 8, encoding: DW_ATE_unsigned)
!14 = !DIDerivedType(tag: DW_TAG_member, name: "0", scope: !10, file: !3, baseType: !15, size: 192, align: 64, extraData: i8 0)
!15 = !DICompositeType(tag: DW_TAG_structure_type, name: "Unresumed", scope: !4, file: !3, size: 192, align: 64, elements: !{}, identifier: "vm-gen-0")
!16 = !DIDerivedType(tag: DW_TAG_member, name: "1", scope: !10, file: !3, baseType: !17, size: 192, align: 64, extraData: i8 1)
!17 = !DICompositeType(tag: DW_TAG_structure_type, name: "Suspend0", scope: !4, file: !3, size: 192, align: 64, elements: !{!18}, identifier: "vm-gen-1")
!18 = !DIDerivedType(tag: DW_TAG_member, name: "x", scope: !17, file: !3, baseType: !7, size: 32, align: 32, offset: 160)
!19 = !DIDerivedType(tag: DW_TAG_member, name: "2", scope: !10, file: !3, baseType: !20, size: 192, align: 64, extraData: i8 2)
!20 = !DICompositeType(tag: DW_TAG_structure_type, name: "Done", scope: !4, file: !3, size: 192, align: 64, elements: !{!21}, identifier: "vm-gen-2")
!21 = !DIDerivedType(tag: DW_TAG_member, name: "v", scope: !20, file: !3, baseType: !22, size: 16, align: 16, offset: 144)
!22 = !DIBasicType(name: "u16", size: 16, encoding: DW_ATE_unsigned)


!50 = !{i32 7, !"Dwarf Version", i32 4}
!51 = !{i32 2, !"Debug Info Version", i32 3}
!52 = distinct !DICompileUnit(language: DW_LANG_Rust, file: !53, producer: "hand-written IR (dwarf2btf fixture)", isOptimized: false, runtimeVersion: 0, emissionKind: FullDebug, globals: !54)
!53 = !DIFile(filename: "variant_members.rs/@/variant_members", directory: ".")
!54 = !{!0}
