//! Fixture crate `mixed`: the Rust half of the mixed C+Rust object (its C
//! half is mixed_c.c); both describe `struct pair`, C and Rust each add
//! their own types.
#![no_std]
#![allow(dead_code, non_camel_case_types)]

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[repr(C)]
pub struct pair { pub a: i32, pub b: i64 }
pub struct RustOnly { x: u8, y: u32, z: Option<&'static pair> }

static P: pair = pair { a: 1, b: 2 };
#[no_mangle] pub static RUST_ONLY: RustOnly = RustOnly { x: 1, y: 2, z: Some(&P) };

#[no_mangle]
pub extern "C" fn rust_sum(p: *const pair) -> i64 {
    unsafe { (*p).a as i64 + (*p).b }
}
