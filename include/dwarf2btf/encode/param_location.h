#pragma once
/// Reading a formal parameter's entry location the way pahole does, to fill
/// model::ParamRecord::location / dwarfReg for the function stage. The DWARF
/// walker calls this per DW_TAG_formal_parameter so that the ABI checks in
/// encode/func_analysis.h see the same facts pahole's would.
///
///   model::ParamRecord p;
///   decodeParamLocation(&paramDie, callAbiFor(machine, addressSize), p);
///   bool clang = producedByClang(&cuDie); // -> FunctionRecord::producerClang
#include <elfutils/libdw.h>

#include "dwarf2btf/dwarf/location_reader.h"
#include "dwarf2btf/encode/call_abi.h"
#include "dwarf2btf/model/symbol_records.h"

namespace d2b::encode {

/// Sets out.location and out.dwarfReg from the parameter DIE's own
/// DW_AT_location / DW_AT_const_value, following pahole's
/// parameter__decode_location:
///  * Unknown: neither attribute; ConstValue: only DW_AT_const_value;
///  * Register: the first register found, in location-list order, among a
///    first-entry DW_OP_regN (alone, before DW_OP_stack_value, or the first
///    register piece of a multi-word aggregate), a first-entry DW_OP_bregN
///    with DW_OP_stack_value, and DW_OP_entry_value(DW_OP_regN) in any entry;
///    N <= 31;
///  * Other: a location with none of those (stack, memory, constants, ...).
///
/// With `reader` (the parameter's unit's), lists are read by it where it can
/// (no libdw cache; same result), `scratch` holding each list in turn.
void decodeParamLocation(Dwarf_Die *param, const CallAbi &abi, model::ParamRecord &out,
                         dwarf::LocationReader *reader = nullptr,
                         dwarf::LocationList *scratch = nullptr);

/// True when a unit DIE's DW_AT_producer contains "clang" (pahole's test).
bool producedByClang(Dwarf_Die *unitDie);

} // namespace d2b::encode
