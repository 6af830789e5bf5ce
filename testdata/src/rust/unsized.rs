// Unsized tails, fn-item fields and zero-sized parameters: the shapes of the
// 6.12 kernel's Rust code (CStr, BStr, Wtf8, iterator adaptors holding fn
// items, `()` arguments) that once gave BTF the kernel rejects.
#![no_std]

pub struct MyStr { pub inner: [u8] }
pub struct Wrap<F> { pub n: u64, pub f: F }
fn double(x: u64) -> u64 { x * 2 }
#[no_mangle]
pub fn dst_len(s: &MyStr) -> usize { s.inner.len() }
#[inline(never)]
pub fn take_unit(a: u32, u: (), b: u64) -> u64 { let _ = u; a as u64 + b }
#[inline(never)]
pub fn only_unit(u: ()) -> u32 { let _ = u; 7 }
#[no_mangle]
pub fn use_all(x: u64) -> u64 {
    let w = Wrap { n: x, f: double };
    take_unit(1, (), (w.f)(w.n)) + only_unit(()) as u64
}
#[no_mangle]
pub static WRAP_SIZE: usize = core::mem::size_of::<Wrap<fn(u64) -> u64>>();
pub struct Holder<'a> { pub s: &'a MyStr, pub a: u32, pub b: u16, pub c: u8, pub w: Wrap<fn(u64) -> u64> }
#[no_mangle]
pub fn holder_sum(h: &Holder<'_>) -> u64 { h.a as u64 + h.b as u64 + h.c as u64 + h.w.n + h.s.inner.len() as u64 }
