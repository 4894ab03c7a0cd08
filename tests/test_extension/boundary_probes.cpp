// Test probes for the C++/Postgres error boundary. Built into pg_etl_test.so, which
// links the same boundary code as pg_etl.so; installed only for the test suites.
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/interrupts.hpp"
#include "extension/pg/boundary.hpp"
#include "extension/pg/interrupt_hooks.hpp"
#include "extension/pg/subtransaction.hpp"

extern "C" {
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
PG_MODULE_MAGIC;
void _PG_init(void);
}

void _PG_init(void) { pg_etl::pg::install_interrupt_hooks(); }

namespace {

int64_t g_destroyed = 0;

// Its destructor is the observable proof that C++ unwinding ran.
struct Probe {
  std::string payload = std::string(64, 'x');  // heap memory that must be freed
  ~Probe() { ++g_destroyed; }
};

std::string text_arg(FunctionCallInfo fcinfo, int n) {
  return PG_ARGISNULL(n) ? std::string() : std::string(text_to_cstring(PG_GETARG_TEXT_PP(n)));
}

}  // namespace

PG_ETL_FUNCTION(etl_test_throw_error) {
  Probe probe;
  throw pg_etl::Error(text_arg(fcinfo, 0), text_arg(fcinfo, 1), text_arg(fcinfo, 2), text_arg(fcinfo, 3));
}

PG_ETL_FUNCTION(etl_test_throw_foreign) {
  Probe probe;
  const std::string kind = text_arg(fcinfo, 0);
  if (kind == "bad_alloc") throw std::bad_alloc();
  if (kind == "int") throw 42;
  throw std::runtime_error("foreign exception: " + kind);
}

PG_ETL_FUNCTION(etl_test_parse_int_under_cpp) {
  Probe outer;
  std::vector<Probe> several(3);
  const std::string value = text_arg(fcinfo, 0);
  const char* cvalue = value.c_str();
  Datum d = pg_etl::pg::pg_guard([cvalue] { return DirectFunctionCall1(int4in, CStringGetDatum(cvalue)); });
  return d;
}

PG_ETL_FUNCTION(etl_test_destructor_count) { return Int64GetDatum(g_destroyed); }

PG_ETL_FUNCTION(etl_test_insert_each) {
  using namespace pg_etl::pg;
  Oid target = PG_GETARG_OID(0);
  ArrayType* arr = PG_GETARG_ARRAYTYPE_P(1);
  Datum* elems;
  bool* nulls;
  int n;
  deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);

  ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
  pg_guard([fcinfo] { InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC); });

  const char* relname = pg_guard([target] { return quote_identifier(get_rel_name(target)); });
  const char* nspname = pg_guard([target] { return quote_identifier(get_namespace_name(get_rel_namespace(target))); });
  std::string sql = std::string("INSERT INTO ") + nspname + "." + relname + " VALUES ($1::int)";

  pg_guard([] { SPI_connect(); });
  for (int i = 0; i < n; i++) {
    Probe per_row;  // lives across the subtransaction: unwound normally either way
    Datum arg = elems[i];
    char argnull = nulls[i] ? 'n' : ' ';
    Oid argtype = TEXTOID;
    const char* csql = sql.c_str();
    ErrorData* err = try_in_subtransaction([&] {
      SPI_execute_with_args(csql, 1, &argtype, &arg, &argnull, false, 0);
    });
    if (err) {
      std::string line = "row " + std::to_string(i + 1) + ": " + unpack_sql_state(err->sqlerrcode) + " " + err->message;
      const char* cline = line.c_str();
      pg_guard([&] {
        Datum v = CStringGetTextDatum(cline);
        bool isnull = false;
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &v, &isnull);
      });
    }
  }
  pg_guard([] { SPI_finish(); });
  return (Datum)0;
}

PG_ETL_FUNCTION(etl_test_spin) {
  Probe probe;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(PG_GETARG_FLOAT8(0));
  std::vector<uint64_t> work(1024, 1);
  int64_t rounds = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    for (auto& w : work) w = w * 6364136223846793005ULL + 1442695040888963407ULL;
    ++rounds;
    pg_etl::check_interrupts();  // the core's hook, as a parser loop would call it
  }
  return Int64GetDatum(rounds);
}

PG_ETL_FUNCTION(etl_test_throw_inside_pg_guard) {
  Probe probe;
  pg_etl::pg::pg_guard([] { throw pg_etl::Error("22023", "thrown inside pg_guard"); });
  return (Datum)0;
}
