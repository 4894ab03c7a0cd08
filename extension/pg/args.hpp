#pragma once
// Reading SQL arguments into C++ values.
#include <string>

#include "extension/pg/boundary.hpp"

namespace pg_etl::pg {

// Text argument n ("" when NULL).
std::string text_arg(FunctionCallInfo fcinfo, int n);

// jsonb argument n as JSON text ("{}" when NULL). A text argument is taken as JSON text
// too: the readers have (url text, options text) overloads so that two untyped literals
// resolve unambiguously.
std::string jsonb_arg(FunctionCallInfo fcinfo, int n);

}  // namespace pg_etl::pg
