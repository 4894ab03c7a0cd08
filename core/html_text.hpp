#pragma once
// Text for HTML pages: escaping (every user string goes through it), and the short,
// readable spellings a status page uses for numbers, durations and times.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pg_etl::html {

// & < > " ' escaped: safe in element content and in quoted attribute values.
std::string escape(std::string_view text);

// 1234567 -> "1,234,567".
std::string count(int64_t n);

// Seconds -> "850 ms", "1.2 s", "42 s", "3 min 5 s", "2 h 10 min", "3 d 4 h".
std::string duration(double seconds);

// "2026-11-22T10:03:04Z" (the status report's times) -> Unix seconds; nullopt otherwise.
std::optional<int64_t> parse_utc(std::string_view iso);

// How far "then" is from "now": "just now", "5 min ago", "in 3 h".
std::string relative(int64_t then, int64_t now);

// "2026-11-22T10:03:04Z" -> "2026-11-22 10:03 UTC" (anything else: unchanged).
std::string utc_minutes(std::string_view iso);

}  // namespace pg_etl::html
