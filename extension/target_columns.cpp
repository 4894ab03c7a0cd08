#include "extension/target_columns.hpp"

#include <cstring>

#include "core/error.hpp"
#include "core/sqlstate.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/date.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/uuid.h"
}

namespace pg_etl::pg {
namespace {

template <typename T>
T get_be(const std::string& b) {
  using U = std::make_unsigned_t<T>;
  U u = 0;
  for (size_t i = 0; i < sizeof(T); i++) u = static_cast<U>((u << 8) | static_cast<unsigned char>(b[i]));
  return static_cast<T>(u);
}

}  // namespace

TypeKind type_kind(Oid t) {
  switch (t) {
    case BOOLOID: return TypeKind::kBool;
    case INT2OID: return TypeKind::kInt2;
    case INT4OID: return TypeKind::kInt4;
    case INT8OID: return TypeKind::kInt8;
    case FLOAT4OID: return TypeKind::kFloat4;
    case FLOAT8OID: return TypeKind::kFloat8;
    case NUMERICOID: return TypeKind::kNumeric;
    case TEXTOID:
    case VARCHAROID:
    case BPCHAROID: return TypeKind::kText;
    case DATEOID: return TypeKind::kDate;
    case TIMESTAMPOID: return TypeKind::kTimestamp;
    case TIMESTAMPTZOID: return TypeKind::kTimestampTz;
    case TIMEOID: return TypeKind::kTime;
    case UUIDOID: return TypeKind::kUuid;
    case JSONOID: return TypeKind::kJson;
    case JSONBOID: return TypeKind::kJsonb;
    default: return TypeKind::kOther;
  }
}

std::vector<TargetColumn> describe_columns(TupleDesc desc) {
  std::vector<TargetColumn> cols;
  for (int i = 0; i < desc->natts; i++) {
    Form_pg_attribute att = TupleDescAttr(desc, i);
    if (att->attisdropped || att->attgenerated) continue;
    TargetColumn c;
    c.name = NameStr(att->attname);
    c.index = i;
    c.type = att->atttypid;
    c.typmod = att->atttypmod;
    c.has_default = att->atthasdef || att->attidentity;
    Oid in_fn, recv_fn, send_fn;
    bool varlena;
    pg_guard([&] {
      c.base_type = getBaseType(c.type);
      getTypeInputInfo(c.type, &in_fn, &c.input_ioparam);
      fmgr_info(in_fn, &c.input);
      getTypeBinaryOutputInfo(c.type, &send_fn, &varlena);
      fmgr_info(send_fn, &c.send);
    });
    // Not every type has a binary input (receive) function; such columns take text.
    Oid recv_ioparam = InvalidOid;
    recv_fn = pg_guard([&] {
      HeapTuple tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(c.type));
      Oid fn = InvalidOid;
      if (HeapTupleIsValid(tup)) {
        fn = reinterpret_cast<Form_pg_type>(GETSTRUCT(tup))->typreceive;
        ReleaseSysCache(tup);
      }
      return fn;
    });
    if (OidIsValid(recv_fn)) {
      pg_guard([&] {
        getTypeBinaryInputInfo(c.type, &recv_fn, &recv_ioparam);
        fmgr_info(recv_fn, &c.receive);
      });
      c.receive_ioparam = recv_ioparam;
      c.kind = type_kind(c.base_type);
    }
    const bool plain = c.type == c.base_type && c.typmod < 0;
    switch (c.kind) {
      case TypeKind::kBool: case TypeKind::kInt2: case TypeKind::kInt4: case TypeKind::kInt8:
      case TypeKind::kFloat4: case TypeKind::kFloat8: case TypeKind::kDate: case TypeKind::kUuid:
      case TypeKind::kTimestamp: case TypeKind::kTimestampTz: case TypeKind::kTime:
        c.direct = plain;
        break;
      case TypeKind::kText:
        c.direct = plain && c.base_type != BPCHAROID;
        break;
      default:
        c.direct = false;
    }
    cols.push_back(std::move(c));
  }
  return cols;
}

void apply_date_options(std::vector<TargetColumn>& cols, const std::map<std::string, std::string>& formats,
                        const std::string& order) {
  for (TargetColumn& c : cols) {
    c.dates.order = order;
    auto f = formats.find(c.name);
    if (f != formats.end()) c.dates.format = date_format_from_name(f->second);
  }
  for (const auto& [name, f] : formats) {
    bool found = false;
    for (const TargetColumn& c : cols) found = found || c.name == name;
    if (!found) throw Error(sqlstate::kUndefinedColumn, "option \"date_formats\" names \"" + name + "\", which is not a column of the target");
  }
}

Datum datum_from_binary(const TargetColumn& col, const std::string& bin) {
  if (col.direct) {
    switch (col.kind) {
      case TypeKind::kBool: return BoolGetDatum(bin[0] != 0);
      case TypeKind::kInt2: return Int16GetDatum(get_be<int16_t>(bin));
      case TypeKind::kInt4: return Int32GetDatum(get_be<int32_t>(bin));
      case TypeKind::kInt8: return Int64GetDatum(get_be<int64_t>(bin));
      case TypeKind::kFloat4: {
        uint32_t u = get_be<uint32_t>(bin);
        float f;
        std::memcpy(&f, &u, 4);
        return Float4GetDatum(f);
      }
      case TypeKind::kFloat8: {
        uint64_t u = get_be<uint64_t>(bin);
        double d;
        std::memcpy(&d, &u, 8);
        return Float8GetDatum(d);
      }
      case TypeKind::kDate: return DateADTGetDatum(get_be<int32_t>(bin));
      case TypeKind::kTimestamp:
      case TypeKind::kTimestampTz: return TimestampGetDatum(get_be<int64_t>(bin));
      case TypeKind::kTime: return TimeADTGetDatum(get_be<int64_t>(bin));
      case TypeKind::kText: return pg_guard([&] { return PointerGetDatum(cstring_to_text_with_len(bin.data(), static_cast<int>(bin.size()))); });
      case TypeKind::kUuid:
        return pg_guard([&] {
          pg_uuid_t* u = static_cast<pg_uuid_t*>(palloc(sizeof(pg_uuid_t)));
          std::memcpy(u->data, bin.data(), UUID_LEN);
          return UUIDPGetDatum(u);
        });
      default: break;
    }
  }
  const char* data = bin.data();
  const int len = static_cast<int>(bin.size());
  return pg_guard([&] {
    StringInfoData buf;
    initStringInfo(&buf);
    appendBinaryStringInfo(&buf, data, len);
    Datum d = ReceiveFunctionCall(const_cast<FmgrInfo*>(&col.receive), &buf, col.receive_ioparam, col.typmod);
    if (buf.cursor != buf.len)
      ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                      errmsg("incorrect binary data format for column \"%s\"", col.name.c_str())));
    pfree(buf.data);
    return d;
  });
}

Datum datum_from_text(const TargetColumn& col, const std::string& text) {
  const char* s = text.c_str();
  return pg_guard([&] { return InputFunctionCall(const_cast<FmgrInfo*>(&col.input), const_cast<char*>(s), col.input_ioparam, col.typmod); });
}

void binary_from_text(const TargetColumn& col, const std::string& text, std::string& out) {
  const char* s = text.c_str();
  bytea* b = pg_guard([&] {
    Datum d = InputFunctionCall(const_cast<FmgrInfo*>(&col.input), const_cast<char*>(s), col.input_ioparam, col.typmod);
    return SendFunctionCall(const_cast<FmgrInfo*>(&col.send), d);
  });
  out.append(VARDATA(b), VARSIZE(b) - VARHDRSZ);
  pfree(b);
}

}  // namespace pg_etl::pg
