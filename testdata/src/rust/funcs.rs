//! Fixture crate `funcs`: functions, closures, async, trait objects, function
//! pointers and a `.maps` definition (reference §5 snippets 27-34, 37).
#![no_std]
#![allow(dead_code)]

use core::cell::UnsafeCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

pub trait Tr {
    fn get(&self) -> u32;
}
pub struct S { v: u32, w: u8 }
impl S {
    #[inline(never)]
    pub fn m(&self) -> u32 { self.v + self.w as u32 }
}
impl Tr for S {
    fn get(&self) -> u32 { self.m() }
}

static SV: S = S { v: 1, w: 2 };

// 27: trait objects.
pub struct Dy { a: &'static dyn Tr, b: &'static (dyn Tr + Send + Sync) }
#[no_mangle] pub static mut VDY: Dy = Dy { a: &SV, b: &SV };

// 28: function pointers, including a never-returning one.
fn f1(x: u32) -> u64 { x as u64 }
extern "C" fn g1(_p: *const u8, n: usize) -> i32 { n as i32 }
fn h1(x: u8) -> u8 { x }
fn n1() -> ! { loop {} }
pub struct F { f: fn(u32) -> u64, g: extern "C" fn(*const u8, usize) -> i32, h: Option<fn(u8) -> u8>, n: fn() -> ! }
#[no_mangle] pub static VF: F = F { f: f1, g: g1, h: Some(h1), n: n1 };

// 29: global vs static linkage.
#[inline(never)]
pub fn helper(x: u32) -> u32 { x.wrapping_mul(3) }
#[no_mangle]
pub extern "C" fn prog(ctx: *const u8) -> u32 {
    helper(ctx as usize as u32) + g::<u32>(1) as u32 + g::<u8>(2) as u32 + un(1, (2, 3), 4) as u32
        + SV.m() + use_all(5) + unsafe { (*core::ptr::addr_of!(VDY)).a.get() } + drive()
}

// 30: a generic function instantiated twice.
#[inline(never)]
pub fn g<T: Into<u64>>(t: T) -> u64 { t.into() + 1 }

// 31: unnamed parameters.
#[no_mangle]
#[inline(never)]
pub fn un(_: u32, (a, b): (u32, u64), _c: u8) -> u64 { a as u64 + b }

// 33: a closure capturing by reference.
#[inline(never)]
pub fn use_all(x: u32) -> u32 {
    let e = [1u8, 2, 3];
    let c = |y: u32| y + x + e.len() as u32;
    c(1)
}

// 34: an async function: a coroutine with `__state` and members named "0".
pub struct Ready(u32);
impl Future for Ready {
    type Output = u32;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u32> { Poll::Ready(self.0) }
}
pub async fn af(x: u32) -> u32 { Ready(x).await + 1 }
#[no_mangle]
pub static mut FUT: Option<core::mem::MaybeUninit<[u8; 64]>> = None;
#[inline(never)]
pub fn drive() -> u32 {
    let fut = af(3);
    core::mem::size_of_val(&fut) as u32 + poll_once(fut)
}
#[inline(never)]
fn poll_once<Fu: Future<Output = u32>>(f: Fu) -> u32 {
    let mut f = f;
    let f = unsafe { Pin::new_unchecked(&mut f) };
    let w = noop_waker();
    let mut cx = Context::from_waker(&w);
    match f.poll(&mut cx) { Poll::Ready(v) => v, Poll::Pending => 0 }
}
fn noop_waker() -> core::task::Waker {
    use core::task::{RawWaker, RawWakerVTable};
    fn clone(_: *const ()) -> RawWaker { RawWaker::new(core::ptr::null(), &VTABLE) }
    fn noop(_: *const ()) {}
    static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, noop, noop, noop);
    unsafe { core::task::Waker::from_raw(RawWaker::new(core::ptr::null(), &VTABLE)) }
}

// 37: BTF map definitions, flat and UnsafeCell-wrapped.
#[repr(C)]
pub struct MapDef<K, V, const M: usize> {
    r#type: *const [i32; 1],
    key: *const K,
    value: *const V,
    max_entries: *const [i32; M],
}
unsafe impl<K, V, const M: usize> Sync for MapDef<K, V, M> {}
#[link_section = ".maps"]
#[no_mangle]
pub static COUNTS: MapDef<u32, u64, 16> = MapDef {
    r#type: core::ptr::null(), key: core::ptr::null(), value: core::ptr::null(), max_entries: core::ptr::null(),
};
pub struct Cell<T>(UnsafeCell<T>);
unsafe impl<T> Sync for Cell<T> {}
#[link_section = ".maps"]
#[no_mangle]
pub static WRAPPED: Cell<MapDef<u32, [u8; 8], 4>> = Cell(UnsafeCell::new(MapDef {
    r#type: core::ptr::null(), key: core::ptr::null(), value: core::ptr::null(), max_entries: core::ptr::null(),
}));
