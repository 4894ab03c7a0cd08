#pragma once
// A cheap look at what a text value is shaped like. Used to tell a CSV header from data;
// schema inference builds on the same rules.
#include <string_view>

namespace pg_etl {

enum class ValueShape { kEmpty, kBoolean, kInteger, kDecimal, kFloat, kDate, kTimestamp, kText };

ValueShape value_shape(std::string_view s);

}  // namespace pg_etl
