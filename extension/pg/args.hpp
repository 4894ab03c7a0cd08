#pragma once
// Reading SQL arguments into C++ values.
#include <string>

#include "extension/pg/boundary.hpp"

namespace pg_etl::pg {

// Text argument n ("" when NULL).
std::string text_arg(FunctionCallInfo fcinfo, int n);

// jsonb argument n as JSON text ("{}" when NULL).
std::string jsonb_arg(FunctionCallInfo fcinfo, int n);

}  // namespace pg_etl::pg
