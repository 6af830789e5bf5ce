//! Fixture crate `wide`: 16-byte fieldless enums (reference §5 snippet 13)
//! whose enumerators need more than 64 bits, next to ones that fit.
#![no_std]
#![allow(dead_code)]

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[repr(u128)]
pub enum Flags { Small = 7, Huge = 1 << 70, Max = u128::MAX }
#[repr(i128)]
pub enum Signed { Neg = -1, Pos = 1, Far = -(1 << 100) }
pub struct HasWide { tag: u8, f: Flags, s: Signed }

#[no_mangle] pub static FLAGS: Flags = Flags::Small;
#[no_mangle] pub static SIGNED: Signed = Signed::Neg;
#[no_mangle] pub static HW: HasWide = HasWide { tag: 1, f: Flags::Huge, s: Signed::Far };
