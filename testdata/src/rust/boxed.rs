//! Fixture crate `boxed`: an `alloc`-using no_std library (reference §5
//! snippet 27's std half): `Box<[u32]>`, `Box<dyn Tr>`, `Vec<u16>` and the
//! `{vtable}` globals they bring.
#![no_std]
#![allow(dead_code)]

extern crate alloc;

use alloc::boxed::Box;
use alloc::vec::Vec;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

pub trait Tr {
    fn get(&self) -> u32;
}
pub struct Impl(u32);
impl Tr for Impl {
    fn get(&self) -> u32 { self.0 }
}

pub struct Holder { s: Box<[u32]>, d: Box<dyn Tr>, v: Vec<u16> }

#[no_mangle]
pub extern "C" fn make(n: u32) -> u32 {
    let h = Holder { s: Box::new([n, n + 1]), d: Box::new(Impl(n)), v: Vec::from([1u16, 2]) };
    h.s[0] + h.d.get() + h.v.len() as u32
}
