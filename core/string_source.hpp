#pragma once
// Bytes already in memory (a sniffed sample, an API page) as a ByteSource.
#include <string>

#include "core/byte_source.hpp"

namespace pg_etl {

ByteSourcePtr open_string(std::string bytes);

}  // namespace pg_etl
