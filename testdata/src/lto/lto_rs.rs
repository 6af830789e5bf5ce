//! Rust half of the cross-language LTO fixture (scripts/build-lto-fixtures.sh):
//! small extern "C" functions the C half calls (LTO inlines them into C), and a
//! call into C that LTO inlines here. `RsShape` is also a C struct name.
#![no_std]

#[repr(C)]
pub struct LtoPair {
    pub a: i32,
    pub b: i64,
}

pub struct RsState<'a> {
    tag: u8,
    count: u32,
    peer: Option<&'a LtoPair>,
}

pub enum RsShape {
    Dot,
    Line(u32),
    Box { w: u16, h: u16 },
}

extern "C" {
    fn c_weight(p: *const LtoPair) -> i64;
}

#[inline]
fn area(s: &RsShape) -> u32 {
    match s {
        RsShape::Dot => 0,
        RsShape::Line(l) => *l,
        RsShape::Box { w, h } => (*w as u32) * (*h as u32),
    }
}

#[no_mangle]
pub extern "C" fn rs_sum(p: &LtoPair) -> i64 {
    let st = RsState { tag: 1, count: p.a as u32, peer: Some(p) };
    let extra = match st.peer { Some(q) => q.b, None => 0 };
    (st.tag as i64) + (st.count as i64) + extra
}

#[no_mangle]
pub extern "C" fn rs_shape_area(kind: u32, a: u16, b: u16) -> u32 {
    let s = match kind {
        0 => RsShape::Dot,
        1 => RsShape::Line(a as u32),
        _ => RsShape::Box { w: a, h: b },
    };
    area(&s)
}

#[no_mangle]
pub extern "C" fn rs_weigh(p: &LtoPair) -> i64 {
    unsafe { c_weight(p) * 2 }
}

#[no_mangle]
pub static mut RS_COUNTER: RsState<'static> = RsState { tag: 0, count: 0, peer: None };

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

/// Returns Rust's `bool`, the DIBasicType C23's `bool` shares.
#[no_mangle]
pub extern "C" fn rs_is_light(p: &LtoPair) -> bool {
    p.a < 10
}
