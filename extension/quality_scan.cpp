// etl._quality_scan(rel regclass, tests jsonb) -> float8[]: the quality rules' shared scan
// done natively for the simple per-row tests (core/quality_sql.hpp "native": NOT NULL,
// value lists and ranges, lengths). One pass over the heap that deforms only the columns
// the tests read and tests them without SQL expressions or aggregates: several times
// cheaper than count(*) FILTER (WHERE ...) per rule. Returns [rows, failing rows of test
// 1, ...], or NULL when it cannot be done natively with exactly SQL's results (row-level
// security, a type or collation it does not handle, a value the column's type would
// refuse, no SELECT privilege); the caller then runs the SQL, which reports errors.
#include <nlohmann/json.hpp>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "extension/pg/args.hpp"
#include "extension/pg/boundary.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
}

using namespace pg_etl;
using namespace pg_etl::pg;
using nlohmann::json;

namespace {

enum class Kind { kRows, kNotNull, kTextIn, kIntTest, kLength };
enum class Op { kIn, kBetween, kEq, kNe, kLt, kLe, kGt, kGe };

// "in" / "not in" -> kIn, "between" / "not between" -> kBetween (negated by the test).
std::optional<Op> parse_op(const std::string& op) {
  if (op == "in" || op == "not in") return Op::kIn;
  if (op == "between" || op == "not between") return Op::kBetween;
  if (op == "=") return Op::kEq;
  if (op == "<>") return Op::kNe;
  if (op == "<") return Op::kLt;
  if (op == "<=") return Op::kLe;
  if (op == ">") return Op::kGt;
  if (op == ">=") return Op::kGe;
  return std::nullopt;
}

template <typename T>
bool compare(T a, Op op, T b) {
  switch (op) {
    case Op::kEq: return a == b;
    case Op::kNe: return a != b;
    case Op::kLt: return a < b;
    case Op::kLe: return a <= b;
    case Op::kGt: return a > b;
    default: return a >= b;
  }
}

struct Test {
  Kind kind = Kind::kRows;
  AttrNumber att = 0;
  Oid type = InvalidOid;
  Op op = Op::kEq;
  bool utf8 = false;                      // kLength: count characters without pg_mblen calls
  std::vector<std::string> texts;         // kTextIn
  std::vector<int64_t> ints;              // kIntTest: the list, or low and high, or one operand
  std::vector<double> numbers;            // kLength
  bool negate = false;                    // "not in" / "not between"
  int64_t failing = 0;
};

// The whole string as an int64, as int8in would read it (surrounding spaces allowed).
std::optional<int64_t> parse_int(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n\r"), e = s.find_last_not_of(" \t\n\r");
  if (b == std::string::npos) return std::nullopt;
  std::string t = s.substr(b, e - b + 1);
  if (t.empty() || t.size() > 20) return std::nullopt;
  size_t i = (t[0] == '-' || t[0] == '+') ? 1 : 0;
  if (i == t.size()) return std::nullopt;
  for (size_t k = i; k < t.size(); k++)
    if (t[k] < '0' || t[k] > '9') return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(t.c_str(), &end, 10);
  if (errno != 0) return std::nullopt;
  return static_cast<int64_t>(v);
}

bool is_text_type(Oid t) { return t == TEXTOID || t == VARCHAROID; }
bool is_int_type(Oid t) { return t == INT2OID || t == INT4OID || t == INT8OID; }

// The tests as the scan runs them, or nothing when one cannot be run natively.
std::optional<std::vector<Test>> prepare(Relation rel, const json& tests) {
  std::vector<Test> out;
  TupleDesc desc = RelationGetDescr(rel);
  for (const json& t : tests) {
    Test x;
    const std::string test = t.value("test", "");
    if (test == "rows") {
      out.push_back(std::move(x));
      continue;
    }
    const std::string column = t.value("column", "");
    x.att = get_attnum(RelationGetRelid(rel), column.c_str());
    if (x.att <= 0) return std::nullopt;  // the SQL path names the missing column
    Form_pg_attribute a = TupleDescAttr(desc, x.att - 1);
    x.type = a->atttypid;
    const std::string op = t.value("op", "");
    auto parsed = parse_op(op);
    if (test != "not_null" && !parsed) return std::nullopt;
    if (parsed) x.op = *parsed;
    x.negate = op == "not in" || op == "not between";
    // Byte equality is text equality only under a deterministic collation.
    const bool text_ok = is_text_type(x.type) && (!OidIsValid(a->attcollation) || get_collation_isdeterministic(a->attcollation));
    if (test == "not_null") {
      x.kind = Kind::kNotNull;
    } else if (test == "values" && text_ok && (x.op == Op::kIn || x.op == Op::kEq || x.op == Op::kNe)) {
      x.kind = Kind::kTextIn;
      x.negate = x.negate || x.op == Op::kNe;
      for (const json& v : t.at("values")) x.texts.push_back(v.get<std::string>());
    } else if (test == "values" && is_int_type(x.type)) {
      x.kind = Kind::kIntTest;
      const int64_t lo = x.type == INT2OID ? PG_INT16_MIN : x.type == INT4OID ? PG_INT32_MIN : PG_INT64_MIN;
      const int64_t hi = x.type == INT2OID ? PG_INT16_MAX : x.type == INT4OID ? PG_INT32_MAX : PG_INT64_MAX;
      for (const json& v : t.at("values")) {
        auto n = parse_int(v.get<std::string>());
        if (!n || *n < lo || *n > hi) return std::nullopt;  // the type would refuse it: SQL says how
        x.ints.push_back(*n);
      }
    } else if (test == "length" && is_text_type(x.type)) {
      x.kind = Kind::kLength;
      x.utf8 = GetDatabaseEncoding() == PG_UTF8;
      for (const json& v : t.at("values")) x.numbers.push_back(v.get<double>());
    } else {
      return std::nullopt;
    }
    out.push_back(std::move(x));
  }
  return out;
}

// Whether a non-NULL value passes the test (SQL's row check, NULL handled by the caller).
bool passes(const Test& t, Datum d) {
  switch (t.kind) {
    case Kind::kRows:
    case Kind::kNotNull:
      return true;
    case Kind::kTextIn: {
      auto* v = reinterpret_cast<varlena*>(DatumGetPointer(d));
      if (VARATT_IS_EXTENDED(v)) v = pg_detoast_datum_packed(v);  // in the per-row context
      std::string_view s(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
      bool in = false;
      for (const std::string& x : t.texts) in = in || s == x;  // lists are short: no hashing
      return in != t.negate;
    }
    case Kind::kIntTest: {
      const int64_t v = t.type == INT2OID ? DatumGetInt16(d) : t.type == INT4OID ? DatumGetInt32(d) : DatumGetInt64(d);
      if (t.op == Op::kIn) {
        bool in = false;
        for (int64_t x : t.ints) in = in || v == x;
        return in != t.negate;
      }
      if (t.op == Op::kBetween) return (v >= t.ints[0] && v <= t.ints[1]) != t.negate;
      return compare(v, t.op, t.ints[0]);
    }
    case Kind::kLength: {
      auto* v = reinterpret_cast<varlena*>(DatumGetPointer(d));
      if (VARATT_IS_EXTENDED(v)) v = pg_detoast_datum_packed(v);  // in the per-row context
      const char* p = VARDATA_ANY(v);
      const int bytes = static_cast<int>(VARSIZE_ANY_EXHDR(v));
      double n = 0;
      if (t.utf8) {
        // Stored text is valid UTF-8: characters are the bytes that do not continue one.
        int count = 0;
        for (int i = 0; i < bytes; i++) count += (static_cast<unsigned char>(p[i]) & 0xC0) != 0x80;
        n = count;
      } else {
        n = pg_mbstrlen_with_len(p, bytes);
      }
      if (t.op == Op::kBetween) return (n >= t.numbers[0] && n <= t.numbers[1]) != t.negate;
      return compare(n, t.op, t.numbers[0]);
    }
  }
  return true;
}

}  // namespace

// etl._quality_scan(rel regclass, tests jsonb) -> float8[] or NULL
PG_ETL_FUNCTION(pg_etl_quality_scan) {
  const Oid relid = PG_GETARG_OID(0);
  const json tests = json::parse(jsonb_arg(fcinfo, 1));
  std::optional<std::vector<double>> result;
  pg_guard([&] {
    if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK) return;
    if (check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED) return;
    Relation rel = table_open(relid, AccessShareLock);
    const char kind = rel->rd_rel->relkind;
    std::optional<std::vector<Test>> prepared;
    if (kind == RELKIND_RELATION || kind == RELKIND_MATVIEW) {
      try {
        prepared = prepare(rel, tests);
      } catch (const std::exception&) {
        prepared.reset();  // a plan this scan does not understand: the SQL path decides
      }
    }
    if (!prepared) {
      table_close(rel, AccessShareLock);
      return;
    }
    std::vector<Test>& t = *prepared;
    AttrNumber last = 0;
    for (const Test& x : t) last = std::max(last, x.att);
    MemoryContext row_ctx = AllocSetContextCreate(CurrentMemoryContext, "pg_etl quality scan", ALLOCSET_DEFAULT_SIZES);
    TableScanDesc scan = table_beginscan(rel, GetActiveSnapshot(), 0, nullptr);
    TupleTableSlot* slot = table_slot_create(rel, nullptr);
    int64_t rows = 0;
    while (table_scan_getnextslot(scan, ForwardScanDirection, slot)) {
      if ((++rows & 4095) == 0) CHECK_FOR_INTERRUPTS();
      if (last > 0) slot_getsomeattrs(slot, last);
      // Detoasted values land in row_ctx, emptied per row (a no-op when nothing was).
      MemoryContext old = MemoryContextSwitchTo(row_ctx);
      for (Test& x : t) {
        if (x.kind == Kind::kRows) continue;
        const bool null = slot->tts_isnull[x.att - 1];
        if (x.kind == Kind::kNotNull) {
          if (null) x.failing++;
        } else if (!null && !passes(x, slot->tts_values[x.att - 1])) {
          x.failing++;
        }
      }
      MemoryContextSwitchTo(old);
      MemoryContextReset(row_ctx);
    }
    ExecDropSingleTupleTableSlot(slot);
    table_endscan(scan);
    table_close(rel, AccessShareLock);
    MemoryContextDelete(row_ctx);
    std::vector<double> out{static_cast<double>(rows)};
    for (const Test& x : t) out.push_back(static_cast<double>(x.failing));
    result = std::move(out);
  });
  if (!result) PG_RETURN_NULL();
  return pg_guard([&] {
    std::vector<Datum> d;
    for (double v : *result) d.push_back(Float8GetDatum(v));
    return PointerGetDatum(construct_array(d.data(), static_cast<int>(d.size()), FLOAT8OID, 8, FLOAT8PASSBYVAL, 'd'));
  });
}
