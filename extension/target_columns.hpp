#pragma once
// The columns rows are written into (a table for etl.load, a row type or column
// definition list for the readers), with what converting a text value into each needs:
// the fast binary encoder's kind, and the type's own input, receive and send functions
// for everything the encoder defers or cannot build directly.
#include <map>
#include <string>
#include <vector>

#include "core/value_encoder.hpp"
#include "extension/pg/boundary.hpp"

extern "C" {
#include "access/tupdesc.h"
}

namespace pg_etl::pg {

struct TargetColumn {
  std::string name;
  int index = 0;        // 0-based position in the tuple descriptor
  Oid type = InvalidOid;
  Oid base_type = InvalidOid;  // type under any domains
  int32 typmod = -1;
  TypeKind kind = TypeKind::kOther;
  bool has_default = false;    // a DEFAULT, identity or serial
  bool direct = false;         // the reader may build the Datum from the binary form itself
  DateReadingOptions dates;    // options date_formats / date_order for this column
  FmgrInfo input;
  Oid input_ioparam = InvalidOid;
  FmgrInfo receive;
  Oid receive_ioparam = InvalidOid;
  FmgrInfo send;
};

// Every column of desc that can receive values: not dropped, not generated.
std::vector<TargetColumn> describe_columns(TupleDesc desc);

// Sets each column's date reading from the options (date_formats by column name, date_order).
void apply_date_options(std::vector<TargetColumn>& cols, const std::map<std::string, std::string>& formats,
                        const std::string& order);

// The fast encoder's kind for a (base) type.
TypeKind type_kind(Oid base_type);

// Datum of col's type from the encoder's binary output (for columns marked direct,
// else through the receive function). Allocates in CurrentMemoryContext.
Datum datum_from_binary(const TargetColumn& col, const std::string& bin);

// Datum from text through the type's input function.
Datum datum_from_text(const TargetColumn& col, const std::string& text);

// Binary (send) form of a text value, for the COPY path: input function, then send.
void binary_from_text(const TargetColumn& col, const std::string& text, std::string& out);

}  // namespace pg_etl::pg
