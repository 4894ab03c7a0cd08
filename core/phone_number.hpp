#pragma once
// Phone numbers to E.164 ("+14155552671") with Google's libphonenumber, the reference
// for numbering plans: "(415) 555-2671" in region US, "020 7946 0958" in GB,
// "+49 30 901820" in any region. Only numbers libphonenumber holds valid for their
// country (IsValidNumber: right length and an assigned prefix) are returned.
//
// default_region is the ISO 3166 alpha-2 code (any case) for numbers written without a
// country code. Empty means none: then only numbers written with a leading + (or an
// international form libphonenumber recognises without a region, such as "tel:+1...")
// are read. An extension ("ext. 123", "x123") is dropped: E.164 has no place for it.
//
// Thread-safe; libphonenumber's logging is switched off on first use, so nothing
// reaches stderr (in a server that is the postmaster's log).
#include <optional>
#include <string>
#include <string_view>

namespace pg_etl {

// The number in E.164, or nothing when text is not a valid phone number. Throws 22023
// for a default_region libphonenumber does not know.
std::optional<std::string> normalize_phone(std::string_view text, std::string_view default_region);

}  // namespace pg_etl
