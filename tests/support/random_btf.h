#pragma once
/// Random BTF for differential tests against the kernel verifier. The blobs
/// are well-formed at the byte level (every type has the words its kind and
/// vlen call for) but break the verifier's rules at random: bad names,
/// dangling or wrong-kind references, cycles, bad sizes and offsets.
#include <random>

#include "dwarf2btf/btf/btf.h"

namespace d2b::test {

enum class RandomBtfShape {
  Graph, ///< up to 16 types of any kind referring to each other at random
  Chain, ///< 20-50 referring types, each mostly pointing at the next
};

/// One random blob; the same `rng` state gives the same blob.
btf::Btf randomBtf(std::mt19937 &rng, RandomBtfShape shape);

} // namespace d2b::test
