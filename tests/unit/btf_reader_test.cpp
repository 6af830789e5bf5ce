// Reading BTF: round trips through serialize(), exact offsets of strings,
// split BTF, every validation message, ELF/raw file detection, and no crash
// on truncated or corrupted input.
#include <cstring>
#include <gtest/gtest.h>

#include <unistd.h>

#include <random>
#include <sstream>

#include "btf_samples.h"
#include "dwarf2btf/btf/reader.h"
#include "dwarf2btf/dump/dump_c.h"
#include "dwarf2btf/dump/dump_raw.h"
#include "test_support.h"

using namespace d2b;
using namespace d2b::btf;
using d2b::test::TempDir;

namespace {

/// A raw BTF blob assembled field by field, so tests can corrupt any part.
struct Blob {
  uint8_t magic0 = 0x9f, magic1 = 0xeb, version = 1, flags = 0;
  uint32_t hdrLen = 24;
  int64_t typeOff = -1, typeLen = -1, strOff = -1, strLen = -1; // -1: computed
  std::vector<uint32_t> types;
  std::string strings = std::string("\0int\0x\0", 7);
  std::vector<uint8_t> bytes() const {
    std::vector<uint8_t> out = {magic0, magic1, version, flags};
    auto put = [&](uint32_t v) {
      for (int i = 0; i < 4; ++i)
        out.push_back(uint8_t(v >> (8 * i)));
    };
    const uint32_t tl = typeLen >= 0 ? uint32_t(typeLen) : uint32_t(types.size() * 4);
    put(hdrLen);
    put(typeOff >= 0 ? uint32_t(typeOff) : 0);
    put(tl);
    put(strOff >= 0 ? uint32_t(strOff) : uint32_t(types.size() * 4));
    put(strLen >= 0 ? uint32_t(strLen) : uint32_t(strings.size()));
    out.resize(hdrLen, 0);
    for (uint32_t w : types)
      put(w);
    out.insert(out.end(), strings.begin(), strings.end());
    return out;
  }
};

/// [1] INT 'int' (name at offset 1).
std::vector<uint32_t> intType() {
  return {1, makeInfo(Kind::Int, 0, false), 4, makeIntEncoding(kIntSigned, 0, 32)};
}

std::string parseError(const std::vector<uint8_t> &bytes, const Btf *base = nullptr) {
  Expected<ParsedBtf> p = parseBtf(bytes, base, "in.btf");
  return p ? std::string("<parsed>") : p.error().message();
}

} // namespace

TEST(BtfReader, RoundTripsEveryKindInBothByteOrders) {
  Btf b;
  test::addEveryKind(b);
  for (std::endian order : {std::endian::little, std::endian::big}) {
    std::vector<uint8_t> bytes = b.serialize(order);
    Expected<ParsedBtf> p = parseBtf(bytes, nullptr, "x");
    ASSERT_TRUE(p) << p.error().message();
    EXPECT_EQ(p->order, order);
    EXPECT_EQ(p->btf.words(), b.words());
    EXPECT_EQ(p->btf.offsets(), b.offsets());
    EXPECT_EQ(p->btf.strings().bytes(), b.strings().bytes());
    EXPECT_EQ(p->btf.serialize(order), bytes);
  }
}

TEST(BtfReader, StringsKeepTheirFileOffsetsEvenWhenDuplicated) {
  // Two copies of "x": the type names the second one, which must stay put.
  Blob blob;
  blob.strings = std::string("\0x\0int\0x\0", 9);
  blob.types = {7, makeInfo(Kind::Int, 0, false),     4, makeIntEncoding(0, 0, 32),
                3, makeInfo(Kind::Typedef, 0, false), 1};
  Expected<ParsedBtf> p = parseBtf(blob.bytes(), nullptr, "dup");
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->btf.type(1).nameOff(), 7u);
  EXPECT_EQ(p->btf.name(1), "x");
  EXPECT_EQ(p->btf.name(2), "int");
  EXPECT_EQ(p->btf.strings().size(), 9u);
  EXPECT_EQ(p->btf.serialize(std::endian::little), blob.bytes());
  // Interning afterwards finds the first copy and appends nothing.
  EXPECT_EQ(p->btf.strings().find("x"), 1u);
}

TEST(BtfReader, AppendRawKeepsOffsetsForStandaloneAndSplitTables) {
  StringTable st;
  st.appendRaw(std::string_view("\0ab\0c\0ab\0", 9));
  EXPECT_EQ(st.size(), 9u);
  EXPECT_EQ(st.at(1), "ab");
  EXPECT_EQ(st.at(4), "c");
  EXPECT_EQ(st.at(6), "ab");
  EXPECT_EQ(st.at(2), "b"); // an offset into the middle of a string is a suffix
  EXPECT_EQ(st.find("ab"), 1u);
  StringTable split(100);
  split.appendRaw(std::string_view("q\0r\0", 4));
  EXPECT_EQ(split.at(100), "q");
  EXPECT_EQ(split.at(102), "r");
  EXPECT_EQ(split.add("r"), 102u);
  EXPECT_EQ(split.add("new"), 104u);
}

TEST(BtfReader, MovedStringTableKeepsItsIndexAndTheSourceStaysUsable) {
  StringTable a;
  a.add("one");
  a.add("two");
  StringTable b = std::move(a);
  EXPECT_EQ(b.find("two"), 5u);
  EXPECT_EQ(b.add("one"), 1u);
  EXPECT_EQ(a.size(), 1u); // NOLINT(bugprone-use-after-move): reset to a fresh table
  EXPECT_EQ(a.add("zz"), 1u);
  StringTable c;
  c = std::move(b);
  EXPECT_EQ(c.add("three"), 9u);
  EXPECT_EQ(c.find("one"), 1u);
}

TEST(BtfReader, SplitBtfContinuesIdsAndStringOffsetsAfterTheBase) {
  Btf base;
  test::addEveryKind(base);
  Btf split(&base);
  const uint32_t p = split.addPtr(19);
  Member m[] = {{"where", p, 0}, {"brand_new_name", 1, 64}};
  split.addComposite(false, "module_thing", 16, m);
  std::vector<uint8_t> bytes = split.serialize(std::endian::big);
  Expected<ParsedBtf> parsed = parseBtf(bytes, &base, "mod.ko");
  ASSERT_TRUE(parsed) << parsed.error().message();
  const Btf &s = parsed->btf;
  EXPECT_EQ(s.startId(), base.endId());
  EXPECT_EQ(s.endId(), base.endId() + 2);
  EXPECT_EQ(s.type(base.endId()).kind(), Kind::Ptr);
  EXPECT_EQ(s.name(base.endId() + 1), "module_thing");
  EXPECT_EQ(s.strings().firstOffset(), base.strings().size());
  EXPECT_EQ(s.name(19), "point"); // base types are reachable through the split
  EXPECT_EQ(s.words(), split.words());
}

TEST(BtfReader, SplitBtfMayHaveNoStrings) {
  Btf base;
  base.addInt("int", 4, kIntSigned);
  Btf split(&base);
  split.addPtr(1);
  ASSERT_EQ(split.strings().size(), 0u);
  Expected<ParsedBtf> parsed = parseBtf(split.serialize(std::endian::little), &base, "s");
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->btf.type(2).type(), 1u);
}

// An empty type section is legal (libbpf opens it too). Found by fuzz_btf
// and fuzz_dedup (testdata/fuzz/*/empty-type-section.btf): the one-copy
// load passed an empty vector's null data() to memcpy.
TEST(BtfReader, EmptyTypeSectionInEitherByteOrder) {
  Btf none;
  for (std::endian order : {std::endian::little, std::endian::big}) {
    Expected<ParsedBtf> parsed = parseBtf(none.serialize(order), nullptr, "none.btf");
    ASSERT_TRUE(parsed) << parsed.error().message();
    EXPECT_EQ(parsed->btf.ownCount(), 0u);
    EXPECT_EQ(parsed->btf.checkedTypes(), 0u);
  }
}

TEST(BtfReader, HeaderErrors) {
  Blob ok;
  ok.types = intType();
  EXPECT_EQ(parseError(ok.bytes()), "<parsed>");
  const std::vector<uint8_t> okBytes = ok.bytes();
  EXPECT_EQ(parseError(std::vector<uint8_t>(okBytes.begin(), okBytes.begin() + 10)),
            "in.btf: BTF header: truncated: 10 bytes, the header alone needs 24");
  Blob b = ok;
  b.magic0 = 0x7f;
  b.magic1 = 'E';
  EXPECT_EQ(parseError(b.bytes()),
            "in.btf: BTF header: bad magic 7f 45 (expected eb 9f in either order)");
  b = ok;
  b.version = 2;
  EXPECT_EQ(parseError(b.bytes()), "in.btf: BTF header: unsupported version 2");
  b = ok;
  b.hdrLen = 16;
  EXPECT_EQ(parseError(b.bytes()),
            "in.btf: BTF header: hdr_len 16 is smaller than the 24 bytes of the header");
  b = ok;
  b.hdrLen = 4096;
  const std::vector<uint8_t> longHeader = b.bytes();
  EXPECT_EQ(parseError(std::vector<uint8_t>(longHeader.begin(), longHeader.begin() + 100)),
            "in.btf: BTF header: hdr_len 4096 exceeds the data size 100");
  b = ok;
  b.strLen = 100;
  EXPECT_EQ(parseError(b.bytes()), "in.btf: BTF header: string section [0x10, 0x74) extends "
                                   "past the end of the data (0x17 bytes after the header)");
  b = ok;
  b.typeLen = 20;
  EXPECT_EQ(parseError(b.bytes()),
            "in.btf: BTF header: type section [0x0, 0x14) runs into the string section at 0x10");
  b = ok;
  b.typeOff = 2;
  b.typeLen = 12;
  EXPECT_EQ(parseError(b.bytes()),
            "in.btf: BTF header: type section offset 0x2 is not 4-byte aligned");
  // A longer header is fine (libbpf and the kernel accept zeroed extensions).
  b = ok;
  b.hdrLen = 32;
  EXPECT_EQ(parseError(b.bytes()), "<parsed>");
}

TEST(BtfReader, StringSectionErrors) {
  Blob b;
  b.types = intType();
  b.strings = "";
  EXPECT_EQ(parseError(b.bytes()), "in.btf: .BTF+0x28: string section is empty (it must hold "
                                   "at least the empty string)");
  b.strings = std::string("\0int", 4);
  EXPECT_EQ(parseError(b.bytes()), "in.btf: .BTF+0x2b: string section is not NUL-terminated");
  b.strings = std::string("x\0int\0", 6);
  EXPECT_EQ(parseError(b.bytes()),
            "in.btf: .BTF+0x28: string section does not start with the empty string");
  // Split BTF strings need not start with "" (offset 0 is the base's).
  Btf base;
  base.addInt("int", 4, kIntSigned);
  Blob s;
  s.types = {base.strings().size(), makeInfo(Kind::Typedef, 0, false), 1};
  s.strings = std::string("t\0", 2);
  EXPECT_EQ(parseError(s.bytes(), &base), "<parsed>");
}

TEST(BtfReader, TypeErrorsNameTheTypeAndTheOffset) {
  Blob b;
  b.types = intType();
  b.types.insert(b.types.end(), {0, makeInfo(Kind::Ptr, 0, false), 1});
  b.types.push_back(0);
  b.types.push_back(uint32_t(25) << 24);
  b.types.push_back(0);
  EXPECT_EQ(parseError(b.bytes()), "in.btf: .BTF+0x38: type [3]: unknown kind 25");
  b.types[b.types.size() - 2] = 0; // kind 0 (UNKN) is not a type either
  EXPECT_EQ(parseError(b.bytes()), "in.btf: .BTF+0x38: type [3]: unknown kind 0");
  b.types = intType();
  b.types.insert(b.types.end(), {0, makeInfo(Kind::Struct, 2, false), 8, 5, 1, 0});
  EXPECT_EQ(parseError(b.bytes()), "in.btf: .BTF+0x28: type [2]: truncated: STRUCT with vlen 2 "
                                   "needs 36 bytes, 24 left in the type section");
  b.types = intType();
  b.types.insert(b.types.end(), {0, makeInfo(Kind::Ptr, 0, false)});
  EXPECT_EQ(parseError(b.bytes()), "in.btf: .BTF+0x28: type [2]: truncated: 12 bytes of type "
                                   "header needed, 8 left in the type section");
}

TEST(BtfReader, ReferenceErrorsNameTheField) {
  Blob b;
  b.types = intType();
  b.types[0] = 99;
  EXPECT_EQ(parseError(b.bytes()), "in.btf: .BTF+0x18: type [1]: name offset 0x63 is outside "
                                   "the strings [0, 0x7)");
  b.types = intType();
  b.types.insert(b.types.end(), {0, makeInfo(Kind::Struct, 2, false), 8, 5, 1, 0, 50, 1, 32});
  EXPECT_EQ(parseError(b.bytes()), "in.btf: .BTF+0x40: type [2]: member 1 name offset 0x32 is "
                                   "outside the strings [0, 0x7)");
  b.types = intType();
  b.types.insert(b.types.end(), {0, makeInfo(Kind::Struct, 2, false), 8, 5, 1, 0, 5, 7, 32});
  EXPECT_EQ(parseError(b.bytes()), "in.btf: .BTF+0x44: type [2]: member 1 type id 7 does not "
                                   "exist (last type id is 2)");
  b.types = intType();
  b.types.insert(b.types.end(), {0, makeInfo(Kind::Array, 0, false), 0, 1, 3, 4});
  EXPECT_EQ(parseError(b.bytes()), "in.btf: .BTF+0x38: type [2]: array index type id 3 does not "
                                   "exist (last type id is 2)");
  b.types = intType();
  b.types.insert(b.types.end(), {0, makeInfo(Kind::FuncProto, 1, false), 9, 0, 1});
  EXPECT_EQ(parseError(b.bytes()), "in.btf: .BTF+0x30: type [2]: return type id 9 does not "
                                   "exist (last type id is 2)");
  b.types = intType();
  b.types.insert(b.types.end(), {5, makeInfo(Kind::Enum, 1, false), 4, 44, 0});
  EXPECT_EQ(parseError(b.bytes()), "in.btf: .BTF+0x34: type [2]: enumerator 0 name offset 0x2c "
                                   "is outside the strings [0, 0x7)");
  // In split BTF ids and offsets below the split's range are the base's.
  Btf base;
  base.addInt("int", 4, kIntSigned);
  Blob s;
  s.types = {1, makeInfo(Kind::Typedef, 0, false), 1, 0, makeInfo(Kind::Ptr, 0, false), 3};
  s.strings = std::string("t\0", 2);
  EXPECT_EQ(parseError(s.bytes(), &base), "<parsed>");
  s.types[5] = 4;
  EXPECT_EQ(parseError(s.bytes(), &base),
            "in.btf: .BTF+0x2c: type [3]: type id 4 does not exist (last type id is 3)");
  s.types[0] = 7;
  EXPECT_EQ(parseError(s.bytes(), &base),
            "in.btf: .BTF+0x18: type [2]: name offset 0x7 is outside the strings [0, 0x7)");
}

TEST(BtfReader, GarbageNeverCrashes) {
  // Every truncation and many random corruptions of a blob with every kind:
  // parsing either fails cleanly or yields BTF the dumpers can print.
  Btf b;
  test::addEveryKind(b);
  const std::vector<uint8_t> good = b.serialize(std::endian::little);
  auto exercise = [](const std::vector<uint8_t> &bytes) {
    Expected<ParsedBtf> p = parseBtf(bytes, nullptr, "fuzz");
    if (!p) {
      EXPECT_FALSE(p.error().message().empty());
      return false;
    }
    std::ostringstream os;
    dump::dumpRaw(p->btf, os);
    (void)dump::dumpC(p->btf, os);
    (void)dump::dumpCLayoutAsserts(p->btf, os);
    return true;
  };
  size_t parsed = 0;
  for (size_t n = 0; n < good.size(); ++n)
    parsed += exercise(std::vector<uint8_t>(good.begin(), good.begin() + n));
  EXPECT_EQ(parsed, 0u); // every proper prefix cuts the string section short
  std::mt19937 rng(12345);
  for (int i = 0; i < 4000; ++i) {
    std::vector<uint8_t> bytes = good;
    const int flips = 1 + int(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      // Bias towards the header and type section, where the structure is.
      const size_t at = rng() % 2 ? rng() % 64 : rng() % bytes.size();
      bytes[at] ^= uint8_t(1u << (rng() % 8));
    }
    parsed += exercise(bytes);
  }
  EXPECT_GT(parsed, 0u); // some corruptions (in names, values) still parse
}

TEST(BtfFile, ReadsRawFilesAndElfSectionsOfEveryClassAndByteOrder) {
  Btf b;
  test::addEveryKind(b);
  TempDir dir;
  const std::vector<uint8_t> le = b.serialize(std::endian::little);
  const std::vector<uint8_t> be = b.serialize(std::endian::big);
  test::writeRawBtf(b, std::endian::big, dir.path("be.btf"));
  Expected<std::vector<uint8_t>> raw = readBtfBytes(dir.path("be.btf"));
  ASSERT_TRUE(raw) << raw.error().message();
  EXPECT_EQ(*raw, be);
  for (bool elf64 : {false, true})
    for (bool big : {false, true}) {
      const std::string path = dir.path(std::string(elf64 ? "64" : "32") + (big ? "be" : "le"));
      test::writeElfWithBtf(path, big ? be : le, elf64, big);
      Expected<std::vector<uint8_t>> got = readBtfBytes(path);
      ASSERT_TRUE(got) << got.error().message();
      EXPECT_EQ(*got, big ? be : le) << path;
    }
}

// A kernel build passes vmlinux, hundreds of MB, as the base of every
// module: only the .BTF section may be read. A sparse 1 TiB ELF (its .BTF at
// the start) cannot be read whole on this machine, so reading it whole fails.
TEST(BtfFile, ReadsOnlyTheBtfSectionOfAnElf) {
  Btf b;
  test::addEveryKind(b);
  TempDir dir;
  const std::vector<uint8_t> le = b.serialize(std::endian::little);
  const std::string path = dir.path("huge.o");
  test::writeElfWithBtf(path, le, true, false);
  if (::truncate(path.c_str(), off_t(1) << 40) != 0)
    GTEST_SKIP() << "cannot make a sparse 1 TiB file here: " << std::strerror(errno);
  Expected<std::vector<uint8_t>> got = readBtfBytes(path);
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(*got, le);
}

// readBtf parses in place what readBtfBytes would copy out: the same types
// and the same messages, from a raw file, an ELF section and a huge ELF.
TEST(BtfFile, ReadBtfParsesWhatReadBtfBytesReads) {
  Btf b;
  test::addEveryKind(b);
  TempDir dir;
  const std::vector<uint8_t> le = b.serialize(std::endian::little);
  test::writeRawBtf(b, std::endian::big, dir.path("be.btf"));
  test::writeElfWithBtf(dir.path("le.o"), le, true, false);
  test::writeElfWithBtf(dir.path("huge.o"), le, true, false);
  const bool huge = ::truncate(dir.path("huge.o").c_str(), off_t(1) << 40) == 0;
  for (const char *name : {"be.btf", "le.o", "huge.o"}) {
    if (!huge && std::string(name) == "huge.o")
      continue;
    Expected<ParsedBtf> got = readBtf(dir.path(name), nullptr);
    ASSERT_TRUE(got) << got.error().message();
    EXPECT_EQ(got->btf.serialize(std::endian::little), le) << name;
    EXPECT_EQ(got->order, std::string(name) == "be.btf" ? std::endian::big : std::endian::little);
  }
  // A split on top of the parsed base.
  Expected<ParsedBtf> base = readBtf(dir.path("le.o"), nullptr);
  ASSERT_TRUE(base);
  Btf split(&base->btf);
  split.addPtr(1);
  test::writeRawBtf(split, std::endian::little, dir.path("split.btf"));
  Expected<ParsedBtf> got = readBtf(dir.path("split.btf"), &base->btf);
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(got->btf.startId(), base->btf.endId());
  EXPECT_EQ(got->btf.serialize(std::endian::little), split.serialize(std::endian::little));
  // Messages: the reader's, then the parser's, both naming the file.
  test::writeFile(dir.path("text"), "hello world");
  EXPECT_EQ(readBtf(dir.path("text"), nullptr).error().message(),
            readBtfBytes(dir.path("text")).error().message());
  std::vector<uint8_t> cut(le.begin(), le.end() - 1);
  test::writeFile(dir.path("cut.btf"), std::string(cut.begin(), cut.end()));
  EXPECT_EQ(readBtf(dir.path("cut.btf"), nullptr).error().message(),
            parseBtf(cut, nullptr, dir.path("cut.btf")).error().message());
  EXPECT_EQ(readBtf(dir.path("missing"), nullptr).error().message(),
            dir.path("missing") + ": cannot open: No such file or directory");
}

TEST(BtfFile, Errors) {
  TempDir dir;
  EXPECT_EQ(readBtfBytes(dir.path("missing")).error().message(),
            dir.path("missing") + ": cannot open: No such file or directory");
  test::writeFile(dir.path("empty"), "");
  EXPECT_EQ(readBtfBytes(dir.path("empty")).error().message(),
            dir.path("empty") + ": empty file, expected ELF or raw BTF");
  test::writeFile(dir.path("text"), "hello world");
  EXPECT_EQ(readBtfBytes(dir.path("text")).error().message(),
            dir.path("text") + ": not an ELF file or raw BTF (starts with 68 65 6c 6c)");
  test::writeElfWithBtf(dir.path("nobtf.o"), {1, 2, 3}, true, false, ".data");
  EXPECT_EQ(readBtfBytes(dir.path("nobtf.o")).error().message(),
            dir.path("nobtf.o") + ": no .BTF section");
  test::writeFile(dir.path("badelf"), std::string("\x7f"
                                                  "ELF\x02\x01\x01",
                                                  7) +
                                          std::string(9, '\0'));
  const std::string msg = readBtfBytes(dir.path("badelf")).error().message();
  EXPECT_EQ(msg.rfind(dir.path("badelf") + ": cannot read ELF", 0), 0u) << msg;
  EXPECT_EQ(readBtfBytes(dir.dir().string())
                .error()
                .message()
                .rfind(dir.dir().string() + ": cannot read: ", 0),
            0u);
}
