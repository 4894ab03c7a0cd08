#include "core/phone_number.hpp"

#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumberutil.h>

#include <set>

#include "core/ascii.hpp"
#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

struct Phones {
  const PhoneNumberUtil* util;
  std::set<std::string> regions;
};

// The library's singleton, with its logger replaced before any parse can log. A
// function-local static: initialised exactly once, even when threads race to it.
const Phones& phones() {
  static const Phones p = [] {
    PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
    util->SetLogger(new i18n::phonenumbers::NullLogger());  // takes ownership
    Phones out{util, {}};
    util->GetSupportedRegions(&out.regions);
    return out;
  }();
  return p;
}

}  // namespace

std::optional<std::string> normalize_phone(std::string_view text, std::string_view default_region) {
  const Phones& p = phones();
  std::string region(ascii_trim(default_region));
  for (char& c : region) c = ascii_toupper(c);
  if (region.empty()) {
    region = "ZZ";  // libphonenumber's "unknown region": only international numbers parse
  } else if (!p.regions.count(region)) {
    throw Error(sqlstate::kInvalidParameterValue, "unknown region \"" + std::string(default_region) + "\"", "",
                "regions are ISO 3166 alpha-2 codes such as US, GB, DE");
  }
  // libphonenumber expects UTF-8; anything else cannot be a phone number anyway.
  if (find_invalid_utf8(text.data(), text.size()) != text.size()) return std::nullopt;
  PhoneNumber number;
  if (p.util->Parse(std::string(text), region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) return std::nullopt;
  if (!p.util->IsValidNumber(number)) return std::nullopt;
  std::string e164;
  p.util->Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

}  // namespace pg_etl
