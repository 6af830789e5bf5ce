#pragma once
/// The message of a Boost.Program_options error, made safe to compute.
///
/// Boost 1.74 builds the message by replacing placeholders such as
/// `%original_token%` with the user's text until none is left, so a token
/// that itself contains `%original_token%` (or `%value%`, ...) loops forever
/// inside what(). Found by fuzz_policy; reachable from the command line and
/// from `encode --policy` files.
#include <string>

#include <boost/program_options/errors.hpp>

namespace d2b {

/// e.what(), with each '%' of the user's text shown as U+FF05 (FULLWIDTH
/// PERCENT SIGN, "％") so no placeholder can reappear.
std::string poErrorMessage(const boost::program_options::error &e);

} // namespace d2b
