// Fixture: type units from clang. clang only moves types with an ODR
// identity (C++ types) into type units, so this is C++ with C-like types
// and extern "C" functions. Built by scripts/build-fixtures.sh with
// -fdebug-types-section (DWARF 4: .debug_types; DWARF 5: DW_UT_type units
// in .debug_info, referenced with DW_FORM_ref_sig8).
#include <stdint.h>

namespace tu {
enum class Color : uint8_t { Red = 1, Green = 2, Blue = 250 };

struct Point {
  int32_t x;
  int32_t y;
};

struct Shape {
  Point origin;
  Color color;
  uint16_t flags : 3;
  uint16_t layer : 13;
  Shape *next;
  const char *name;
};

union Payload {
  Point point;
  uint64_t raw;
};

typedef Shape shape_t;
} // namespace tu

extern "C" {
tu::Shape tu_global_shape;
tu::Payload tu_global_payload;

__attribute__((noinline)) int tu_area(const tu::shape_t *s, tu::Payload *p) {
  return s->origin.x * s->origin.y + static_cast<int>(s->color) + static_cast<int>(p->raw);
}
}
