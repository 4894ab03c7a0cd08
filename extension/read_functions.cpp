// etl.read_csv / etl.read_json (with a column definition list, or typed by a row type)
// and etl.preview. Set-returning functions in FROM are materialised by PostgreSQL, so
// rows go into a tuplestore (InitMaterializedSRF); the bulk path is etl.load.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/column_plan.hpp"
#include "core/query_source.hpp"
#include "core/error.hpp"
#include "core/input_factory.hpp"
#include "core/interrupts.hpp"
#include "core/record_stream.hpp"
#include "core/sqlstate.hpp"
#include "core/url.hpp"
#include "extension/load_log.hpp"
#include "extension/pg/args.hpp"
#include "extension/pg/boundary.hpp"
#include "extension/pg/subtransaction.hpp"
#include "extension/reject_policy.hpp"
#include "extension/target_columns.hpp"

extern "C" {
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
}

namespace pg_etl::pg {
namespace {

// The url and options of a read; etl.read_query has the query between them.
SourceArgs read_args(FunctionCallInfo fcinfo, int first, Format forced, bool query) {
  SourceArgs c = source_args(fcinfo, first, first + (query ? 2 : 1));
  if (query) {
    if (!is_query_url(c.url))
      throw Error(sqlstate::kInvalidParameterValue,
                  "etl.read_query reads databases (postgresql://, mysql://, mariadb://), not \"" + redact_url(c.url) + "\"",
                  "", "files and APIs: etl.read_csv, etl.read_json");
    if (PG_ARGISNULL(first + 1)) throw Error(sqlstate::kInvalidParameterValue, "etl.read_query needs a query");
    c.options.query = text_arg(fcinfo, first + 1);
  }
  if (c.options.incremental.present) {
    // A named source's cursor is for its loads; a read of the source reads everything.
    if (nlohmann::json::parse(jsonb_arg(fcinfo, first + (query ? 2 : 1))).contains("incremental"))
      throw Error(sqlstate::kInvalidParameterValue, "option \"incremental\" applies to etl.load and pipelines",
                  "", "a watermark is committed with the rows it loads; a read has nowhere to keep it");
    c.options.incremental = IncrementalOptions{};
  }
  if (forced == Format::kCsv) {
    if (c.options.format != Format::kAuto && c.options.format != Format::kCsv)
      throw Error(sqlstate::kInvalidParameterValue, "etl.read_csv reads CSV; use etl.read_json for JSON");
    c.options.format = Format::kCsv;
  } else if (forced == Format::kJson) {
    if (c.options.format == Format::kCsv)
      throw Error(sqlstate::kInvalidParameterValue, "etl.read_json reads JSON; use etl.read_csv for CSV");
    if (c.options.format == Format::kAuto) c.options.format = Format::kJson;
  }
  return c;
}

// Writes pending rejects of a read into etl.rejects under one etl.loads row.
void flush_read_rejects(RejectPolicy& rejects, int64_t& load_id, const SourceArgs& call) {
  if (rejects.pending().empty()) return;
  if (load_id == 0) load_id = begin_load("", redact_url(call.url), format_name(call.options.format), call.options_json);
  write_rejects(load_id, rejects.pending());
  rejects.pending().clear();
}

void read_rows(FunctionCallInfo fcinfo, Format forced, bool typed, bool query = false) {
  const SourceArgs call = read_args(fcinfo, typed ? 1 : 0, forced, query);
  ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
  pg_guard([fcinfo] { InitMaterializedSRF(fcinfo, 0); });
  TupleDesc desc = rsinfo->setDesc;
  std::vector<TargetColumn> cols = describe_columns(desc);
  apply_date_options(cols, call.options.date_formats, call.options.date_order);

  std::vector<TargetInfo> targets;
  std::vector<std::string> names;
  for (const auto& c : cols) {
    targets.push_back({c.name, false});
    names.push_back(c.name);
  }
  RecordStream stream(call.url, call.options, names);
  const std::vector<std::string> source_cols = stream.discover_columns();
  const std::string shown = redact_url(call.url);
  ColumnPlan plan = plan_columns(targets, source_cols, stream.first_format(), stream.first_has_header(), call.options,
                                 false, shown, "the result", stream.partition_keys());
  std::vector<ColumnSource> sources;
  for (const auto& p : plan.columns) sources.push_back(p.source);
  stream.set_columns(sources);

  RejectPolicy rejects(call.options.reject_limit);
  int64_t load_id = 0;
  std::vector<Datum> values(desc->natts, 0);
  std::unique_ptr<bool[]> nulls(new bool[desc->natts]);
  MemoryContext row_ctx = pg_guard([] {
    return AllocSetContextCreate(CurrentMemoryContext, "pg_etl read row", ALLOCSET_DEFAULT_SIZES);
  });
  std::string bin, text;
  Record rec;
  uint64_t n = 0;
  while (stream.next(rec)) {
    if ((++n & 1023) == 0) check_interrupts();
    const std::string& url = stream.files()[stream.current_file()].entry.url;
    if (rec.problem) {
      rejects.reject(RejectRow{url, static_cast<int64_t>(rec.line), static_cast<int64_t>(rec.byte_offset),
                               rec.problem->column_name, std::string(rec.raw), rec.problem->message, rec.problem->sqlstate, ""},
                     rec.problem->column);
      continue;
    }
    MemoryContext old = MemoryContextSwitchTo(row_ctx);
    std::fill(nulls.get(), nulls.get() + desc->natts, true);
    bool bad = false;
    for (size_t i = 0; i < plan.columns.size() && !bad; i++) {
      const TargetColumn& col = cols[plan.columns[i].target];
      const Value& v = rec.values[i];
      if (v.is_null()) continue;
      bin.clear();
      EncodeError err;
      Encoded e = encode_binary(col.kind, v, col.dates, bin, err);
      if (e == Encoded::kOk) {
        values[col.index] = datum_from_binary(col, bin);
      } else if (e == Encoded::kInvalid) {
        rejects.reject(RejectRow{url, static_cast<int64_t>(rec.line), static_cast<int64_t>(rec.byte_offset), col.name,
                                 std::string(rec.raw), err.message, err.sqlstate, ""},
                       stream.source_position(i));
        bad = true;
        break;
      } else {
        text.assign(v.text);
        if (!rejects.allows_rejects()) {
          // Postgres' own input function; its error names the value, the context names the row.
          const std::string where = describe_location(url, rec.line, stream.source_position(i), col.name);
          try {
            values[col.index] = datum_from_text(col, text);
          } catch (const PgError& pe) {
            throw Error(unpack_sql_state(pe.sqlerrcode()), where + ": " + pe.what());
          }
        } else {
          Datum d = 0;
          ErrorData* failed = try_in_subtransaction([&] { d = datum_from_text(col, text); });
          if (failed) {
            rejects.reject(RejectRow{url, static_cast<int64_t>(rec.line), static_cast<int64_t>(rec.byte_offset), col.name,
                                     std::string(rec.raw), failed->message, unpack_sql_state(failed->sqlerrcode), ""},
                           stream.source_position(i));
            bad = true;
            break;
          }
          values[col.index] = d;
        }
      }
      nulls[col.index] = false;
    }
    for (const auto& [target, value] : plan.constants) {
      if (bad || !value) continue;
      const TargetColumn& col = cols[target];
      values[col.index] = datum_from_text(col, *value);
      nulls[col.index] = false;
    }
    for (const auto& [target, key] : plan.partitions) {
      if (bad) break;
      for (const auto& [k, text] : stream.files()[stream.current_file()].partition) {
        if (k != key || text == "__HIVE_DEFAULT_PARTITION__") continue;
        const TargetColumn& col = cols[target];
        try {
          values[col.index] = datum_from_text(col, text);
        } catch (const PgError& pe) {
          throw Error(unpack_sql_state(pe.sqlerrcode()), url + " (column \"" + col.name + "\"): partition folder " + k + "=" + text + ": " + pe.what());
        }
        nulls[col.index] = false;
      }
    }
    if (!bad && plan.filename_target >= 0) {
      const TargetColumn& col = cols[static_cast<size_t>(plan.filename_target)];
      values[col.index] = datum_from_text(col, url);
      nulls[col.index] = false;
    }
    MemoryContextSwitchTo(old);
    if (!bad) pg_guard([&] { tuplestore_putvalues(rsinfo->setResult, desc, values.data(), nulls.get()); });
    pg_guard([row_ctx] { MemoryContextReset(row_ctx); });
    if (rejects.pending().size() >= 1000) flush_read_rejects(rejects, load_id, call);
  }
  flush_read_rejects(rejects, load_id, call);
  if (load_id)
    finish_load(load_id, static_cast<int64_t>(n) - rejects.count(), rejects.count(), stream.bytes_read(), stream.files(),
                stream.first_format_label());
  pg_guard([row_ctx] { MemoryContextDelete(row_ctx); });
}

}  // namespace
}  // namespace pg_etl::pg

using pg_etl::Format;

PG_ETL_FUNCTION(pg_etl_read_csv) {
  pg_etl::pg::read_rows(fcinfo, Format::kCsv, false);
  return (Datum)0;
}
PG_ETL_FUNCTION(pg_etl_read_csv_typed) {
  pg_etl::pg::read_rows(fcinfo, Format::kCsv, true);
  return (Datum)0;
}
PG_ETL_FUNCTION(pg_etl_read_json) {
  pg_etl::pg::read_rows(fcinfo, Format::kJson, false);
  return (Datum)0;
}
PG_ETL_FUNCTION(pg_etl_read_json_typed) {
  pg_etl::pg::read_rows(fcinfo, Format::kJson, true);
  return (Datum)0;
}
PG_ETL_FUNCTION(pg_etl_read_query) {
  pg_etl::pg::read_rows(fcinfo, Format::kAuto, false, true);
  return (Datum)0;
}
PG_ETL_FUNCTION(pg_etl_read_query_typed) {
  pg_etl::pg::read_rows(fcinfo, Format::kAuto, true, true);
  return (Datum)0;
}
