#pragma once
// The date spellings pg_etl recognises, for schema inference (which picks one per
// column by voting) and for loading (which then reads exactly that spelling):
//   ISO 2019-06-05, 2019/06/05, US 06/05/2019, European 05/06/2019, 05.06.2019, 05-06-2019,
//   and month names: Jun 5 2019, Jun 05, 2019, 5 Jun 2019.
// Optionally followed by a time (HH:MM[:SS[.ffffff]]) after a space or 'T', and an offset.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pg_etl {

enum class DateFormat : uint8_t { kIso, kYmdSlash, kMdy, kDmy, kDmyDot, kDmyDash, kMonDY, kDMonY, kCount };

const char* date_format_name(DateFormat f);  // "YYYY-MM-DD", "MM/DD/YYYY", ...
std::optional<DateFormat> date_format_from_name(std::string_view name);

struct ParsedDateTime {
  int year = 0, month = 0, day = 0;
  bool has_time = false;
  int hour = 0, minute = 0, second = 0, micros = 0;
  bool has_offset = false;
  int offset_seconds = 0;
};

// Parses all of s (surrounding spaces allowed) as a date, with or without a time, in
// format f. False unless the whole text is a valid calendar date (and time).
bool parse_date_time(std::string_view s, DateFormat f, ParsedDateTime& out);

// Bit i set when s parses in DateFormat(i); only the formats in candidates are tried.
// parsed, when given, receives each match in its format's slot.
uint32_t matching_date_formats(std::string_view s, ParsedDateTime* first_match = nullptr, uint32_t candidates = ~0u,
                               ParsedDateTime* parsed = nullptr);

// Microseconds since the Unix epoch of the instant t names (UTC when it has no offset):
// orders values by time, whatever their offsets.
int64_t instant_micros(const ParsedDateTime& t);

// Parses all of s as a time of day HH:MM[:SS[.ffffff]].
bool parse_time_of_day(std::string_view s, ParsedDateTime& out);

// A date/time value read the way a load's options say: with the column's spelling when
// one is given, else (date_order set) with any known spelling, ambiguous day/month
// settled by date_order. ISO text on success; nothing when the value does not fit (the
// caller reports it) or when no option applies (the server's DateStyle decides).
enum class DateReading { kIso, kMismatch, kUnchanged };
DateReading read_date_as_configured(std::string_view value, std::optional<DateFormat> format, std::string_view date_order,
                                    std::string& iso);

// ISO 8601 text PostgreSQL reads under any DateStyle: "2019-06-05", "2019-06-05 10:00:00",
// "2019-06-05 10:00:00+02:00".
std::string iso_text(const ParsedDateTime& t);

}  // namespace pg_etl
