//! Fixture crate `layouts`: plain data layouts (reference §5 snippets 1-13,
//! 22-26, 36, 38-40). Every type is reachable from a `#[no_mangle]` static
//! so rustc emits its DWARF even at opt-level 2.
#![no_std]
#![allow(dead_code, non_camel_case_types, non_upper_case_globals)]

use core::ffi::{c_char, c_int, c_void};
use core::marker::PhantomData;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

// 1, 2: default repr (reordered) vs repr(C).
pub struct S { a: u8, b: u32, c: u16 }
#[repr(C)]
pub struct C { a: u8, b: u32, c: u16 }
// 3, 4: packed with a misaligned float; over-aligned.
#[repr(C, packed)]
pub struct P { a: u8, b: u64, f: f64 }
#[repr(C, align(64))]
pub struct A { x: u32 }
// 5: tuple struct.
pub struct T(pub u32, pub u64);
// 7: zero-sized members.
pub struct Z;
pub struct W { z: Z, p: PhantomData<u64>, u: (), v: u32 }
// 9: primitives.
pub struct Prims {
    a: u8, b8: i8, c16: u16, d16: i16, e32: u32, g32: i32, h64: u64, i64_: i64,
    q: u128, r: i128, s: usize, t: isize, b: bool, c: char, f: f32, d: f64,
}
// 10-13: fieldless enums.
pub enum E { A, B, C }
#[repr(C)]
pub enum CE { A, B = 5 }
#[repr(i8)]
pub enum Sg { Neg = -1, Pos = 1 }
#[repr(u64)]
pub enum Big { S = 1, H = 0xffff_ffff_ffff_fff0 }
#[repr(i128)]
pub enum Wide { Lo = -1, Hi = 1 << 100 }
// 22: const generics.
pub struct G<T, const N: usize> { a: [T; N] }
// 23: leaf-name collision.
pub mod a { pub struct S { pub x: u8 } }
pub mod b { pub struct S { pub y: u64 } }
// 24-26: pointers, c_void, fat pointers.
pub struct Ptrs { a: *const u8, b: *mut u64, c: &'static u32, d: &'static mut i32 }
pub struct V { p: *mut c_void, c: c_char }
pub struct Sl { s: &'static str, t: &'static [u16], r: *const [u8], n: &'static [&'static str] }
// 36: arrays.
pub struct Arr { a: [u8; 4], b: [[u16; 3]; 2], c: [u64; 0], d: [Z; 4] }
// 38: long generic names and a non-ASCII identifier.
pub struct Wrap<T>(T);
type W10<T> = Wrap<Wrap<Wrap<Wrap<Wrap<Wrap<Wrap<Wrap<Wrap<Wrap<T>>>>>>>>>>;
pub type Deep = W10<W10<W10<u8>>>;
pub struct Größe { x: u8 }
// 39: bindgen-style kernel struct.
#[repr(C)]
pub struct task_struct { pub pid: c_int, pub comm: [c_char; 16] }
// 40: deep newtype chain (resolve depth).
pub struct N0(N1); pub struct N1(N2); pub struct N2(N3); pub struct N3(N4); pub struct N4(N5);
pub struct N5(N6); pub struct N6(N7); pub struct N7(N8); pub struct N8(N9); pub struct N9(N10);
pub struct N10(N11); pub struct N11(N12); pub struct N12(N13); pub struct N13(N14); pub struct N14(N15);
pub struct N15(N16); pub struct N16(N17); pub struct N17(N18); pub struct N18(N19); pub struct N19(N20);
pub struct N20(N21); pub struct N21(N22); pub struct N22(N23); pub struct N23(N24); pub struct N24(N25);
pub struct N25(N26); pub struct N26(N27); pub struct N27(N28); pub struct N28(N29); pub struct N29(N30);
pub struct N30(N31); pub struct N31(N32); pub struct N32(N33); pub struct N33(N34); pub struct N34(N35);
pub struct N35(N36); pub struct N36(N37); pub struct N37(N38); pub struct N38(N39); pub struct N39(u8);

static X32: u32 = 7;
static mut I32: i32 = 9;
static STR: [&str; 1] = ["x"];

#[no_mangle] pub static VS: S = S { a: 1, b: 2, c: 3 };
#[no_mangle] pub static VC: C = C { a: 1, b: 2, c: 3 };
#[no_mangle] pub static VP: P = P { a: 1, b: 2, f: 3.0 };
#[no_mangle] pub static VA: A = A { x: 1 };
#[no_mangle] pub static VT: T = T(1, 2);
// 6: tuple statics.
#[no_mangle] pub static TUP: (u32, u64, (u8, i8)) = (1, 2, (3, -4));
#[no_mangle] pub static VW: W = W { z: Z, p: PhantomData, u: (), v: 4 };
// 8: zero-sized statics.
#[no_mangle] pub static UNIT: () = ();
#[no_mangle] pub static ZS: Z = Z;
#[no_mangle] pub static VPRIMS: Prims = Prims {
    a: 1, b8: -1, c16: 2, d16: -2, e32: 3, g32: -3, h64: 4, i64_: -4,
    q: 5, r: -5, s: 6, t: -6, b: true, c: 'x', f: 1.0, d: 2.0,
};
#[no_mangle] pub static VE: E = E::B;
#[no_mangle] pub static VCE: CE = CE::B;
#[no_mangle] pub static VSG: Sg = Sg::Neg;
#[no_mangle] pub static VBIG: Big = Big::H;
#[no_mangle] pub static VWIDE: Wide = Wide::Hi;
#[no_mangle] pub static G3: G<u16, 3> = G { a: [1, 2, 3] };
#[no_mangle] pub static G4: G<u16, 4> = G { a: [1, 2, 3, 4] };
#[no_mangle] pub static VAS: a::S = a::S { x: 1 };
#[no_mangle] pub static VBS: b::S = b::S { y: 1 };
#[no_mangle] pub static mut VPTRS: Ptrs = Ptrs {
    a: core::ptr::null(), b: core::ptr::null_mut(), c: &X32, d: unsafe { &mut *core::ptr::addr_of_mut!(I32) },
};
#[no_mangle] pub static mut VV: V = V { p: core::ptr::null_mut(), c: 0 };
#[no_mangle] pub static mut VSL: Sl = Sl { s: "s", t: &[1, 2], r: &[1u8, 2] as *const [u8], n: &STR };
#[no_mangle] pub static VARR: Arr = Arr { a: [0; 4], b: [[0; 3]; 2], c: [], d: [Z, Z, Z, Z] };
#[no_mangle] pub static VDEEP: Deep = Wrap(Wrap(Wrap(Wrap(Wrap(Wrap(Wrap(Wrap(Wrap(Wrap(
    Wrap(Wrap(Wrap(Wrap(Wrap(Wrap(Wrap(Wrap(Wrap(Wrap(
    Wrap(Wrap(Wrap(Wrap(Wrap(Wrap(Wrap(Wrap(Wrap(Wrap(0))))))))))))))))))))))))))))));
#[no_mangle] pub static VGROSSE: Größe = Größe { x: 1 };
#[no_mangle] pub static mut VTASK: task_struct = task_struct { pid: 0, comm: [0; 16] };
#[no_mangle] pub static VN0: N0 = N0(N1(N2(N3(N4(N5(N6(N7(N8(N9(N10(N11(N12(N13(N14(N15(N16(N17(N18(N19(
    N20(N21(N22(N23(N24(N25(N26(N27(N28(N29(N30(N31(N32(N33(N34(N35(N36(N37(N38(N39(1))))))))))))))))))))))))))))))))))))))));
