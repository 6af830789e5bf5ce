//! Fixture crate `enums`: data-carrying enums and niches (reference §5
//! snippets 14-21, 35), each reachable from a `#[no_mangle]` static.
#![no_std]
#![allow(dead_code)]

use core::cell::UnsafeCell;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::num::NonZeroU32;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

pub enum Fieldless { A, B, C }
// 14: tagged variant_part.
pub enum D { A { a: u32, b: i32 }, B(u32, i64), C(u8), D }
// 15: explicit discriminants.
#[repr(u8)]
pub enum RD { X(u16) = 1, Y { v: u32 } = 7, Z = 9 }
// 16: repr(C) data enum.
#[repr(C, u8)]
pub enum CU { A(u32), B(u16) }
// 20: a single variant: no DW_AT_discr.
pub enum O { Only(u32) }
pub struct Big { a: [u64; 4], b: u8 }

static X: u32 = 5;
static Y: u8 = 6;

#[no_mangle] pub static VD: [D; 4] = [D::A { a: 1, b: -1 }, D::B(2, -2), D::C(3), D::D];
#[no_mangle] pub static VRD: [RD; 3] = [RD::X(1), RD::Y { v: 2 }, RD::Z];
#[no_mangle] pub static VCU: CU = CU::B(3);
// 17: pointer niche and integer niche.
#[no_mangle] pub static OREF: Option<&'static u32> = Some(&X);
#[no_mangle] pub static ONZ: Option<NonZeroU32> = NonZeroU32::new(4);
// 18: niche discriminant at offset 8.
#[no_mangle] pub static OTUP: Option<(u32, &'static u8)> = Some((1, &Y));
// 19: niche values in a fieldless enum, bool and char.
#[no_mangle] pub static OE: Option<Fieldless> = Some(Fieldless::C);
#[no_mangle] pub static OB: Option<bool> = None;
#[no_mangle] pub static OC: Option<char> = Some('z');
#[no_mangle] pub static VO: O = O::Only(7);
// 21: two-level niches.
#[no_mangle] pub static RES: Result<u32, i16> = Err(-3);
#[no_mangle] pub static OOB: Option<Option<bool>> = Some(None);
// 35: generic unions and wrappers.
#[no_mangle] pub static mut MU: MaybeUninit<Big> = MaybeUninit::uninit();
#[no_mangle] pub static mut UC: UnsafeCell<u32> = UnsafeCell::new(0);
#[no_mangle] pub static mut MD: ManuallyDrop<Big> = ManuallyDrop::new(Big { a: [0; 4], b: 0 });
