#include "core/html_text.hpp"

#include <cmath>
#include <cstdio>

#include "core/ascii.hpp"
#include "core/civil_time.hpp"

namespace pg_etl::html {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string count(int64_t n) {
  const uint64_t magnitude = n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  const std::string digits = std::to_string(magnitude);
  std::string out;
  for (size_t i = 0; i < digits.size(); i++) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

namespace {
std::string two_units(int64_t big, const char* big_unit, int64_t small, const char* small_unit) {
  std::string out = std::to_string(big) + " " + big_unit;
  if (small > 0) out += " " + std::to_string(small) + " " + small_unit;
  return out;
}
}  // namespace

std::string duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "-";
  char buf[32];
  if (seconds < 1) {
    std::snprintf(buf, sizeof buf, "%.0f ms", seconds * 1000);
    return buf;
  }
  if (seconds < 10) {
    std::snprintf(buf, sizeof buf, "%.1f s", seconds);
    return buf;
  }
  const auto s = static_cast<int64_t>(std::llround(seconds));
  if (s < 60) return std::to_string(s) + " s";
  if (s < 3600) return two_units(s / 60, "min", s % 60, "s");
  if (s < 86400) return two_units(s / 3600, "h", s % 3600 / 60, "min");
  return two_units(s / 86400, "d", s % 86400 / 3600, "h");
}

std::optional<int64_t> parse_utc(std::string_view iso) {
  // YYYY-MM-DDTHH:MM:SSZ, exactly
  if (iso.size() != 20 || iso[4] != '-' || iso[7] != '-' || iso[10] != 'T' || iso[13] != ':' || iso[16] != ':' ||
      iso[19] != 'Z')
    return std::nullopt;
  auto num = [&](size_t at, size_t len) -> std::optional<int> {
    int v = 0;
    for (size_t i = at; i < at + len; i++) {
      if (!ascii_isdigit(iso[i])) return std::nullopt;
      v = v * 10 + (iso[i] - '0');
    }
    return v;
  };
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2);
  if (!y || !mo || !d || !h || !mi || !s || *mo < 1 || *mo > 12 || *d < 1 || *d > days_in_month(*y, *mo) || *h > 23 ||
      *mi > 59 || *s > 60)
    return std::nullopt;
  return unix_from_civil(CivilTime{*y, *mo, *d, *h, *mi, *s});
}

std::string relative(int64_t then, int64_t now) {
  const int64_t delta = now - then;
  const int64_t a = delta < 0 ? -delta : delta;
  if (a < 5) return "just now";
  std::string amount;
  if (a < 60) amount = std::to_string(a) + " s";
  else if (a < 3600) amount = std::to_string(a / 60) + " min";
  else if (a < 86400 * 2) amount = std::to_string(a / 3600) + " h";
  else amount = std::to_string(a / 86400) + " d";
  return delta > 0 ? amount + " ago" : "in " + amount;
}

std::string utc_minutes(std::string_view iso) {
  if (!parse_utc(iso)) return std::string(iso);
  return std::string(iso.substr(0, 10)) + " " + std::string(iso.substr(11, 5)) + " UTC";
}

}  // namespace pg_etl::html
