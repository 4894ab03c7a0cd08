#pragma once
// The errors for bad options, worded the same by every function that takes an options
// object: 22023 naming the key. An unknown key lists the known ones in the detail and
// suggests the nearest when it is within two edits (a typo is the usual cause).
#include <string>
#include <vector>

namespace pg_etl {

[[noreturn]] void throw_unknown_option(const std::string& key, const std::vector<std::string>& known);

// "option \"key\" why", e.g. why = "must be true or false".
[[noreturn]] void throw_bad_option(const std::string& key, const std::string& why);

}  // namespace pg_etl
