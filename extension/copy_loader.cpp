#include "extension/copy_loader.hpp"

#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "core/column_plan.hpp"
#include "core/incremental_cursor.hpp"
#include "core/query_source.hpp"
#include "core/error.hpp"
#include "core/interrupts.hpp"
#include "core/record_stream.hpp"
#include "core/reject_record.hpp"
#include "core/sqlstate.hpp"
#include "core/url.hpp"
#include "extension/copy_batch.hpp"
#include "extension/load_log.hpp"
#include "extension/pg/subtransaction.hpp"
#include "extension/pg/args.hpp"
#include "extension/reject_policy.hpp"
#include "extension/target_columns.hpp"

extern "C" {
#include "access/table.h"
#include "catalog/namespace.h"
#include "commands/copy.h"
#include "commands/copyfrom_internal.h"
#include "access/htup_details.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_relation.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
}

namespace pg_etl::pg {
namespace {

constexpr size_t kOutChunk = 256 * 1024;        // COPY bytes produced per refill
constexpr size_t kMaxBatchBytes = 32u << 20;     // a batch's arena stops growing here
constexpr size_t kOriginRing = 8192;             // > COPY's 1000 buffered tuples

extern "C" int pg_etl_copy_source(void* outbuf, int minread, int maxread);
extern "C" void pg_etl_copy_error_context(void* arg);

class Loader;
Loader* g_active = nullptr;  // COPY's data-source callback has no context argument

struct CopyColumn {
  static constexpr int kFileUrl = -1, kConstant = -2, kPartition = -3;
  size_t target;  // index into cols_
  int value;      // index into the record's values; kFileUrl, kConstant or kPartition
  std::optional<std::string> constant{};  // the "set" option's value in binary form (nullopt: NULL);
                                        // for kPartition, the current file's value
  std::string key{};                    // kPartition: the partition key
  long file = -1;                       // kPartition: the file `constant` belongs to
  std::optional<EncodeError> invalid{}; // kPartition: why the current file's value does not fit
};

// A value shared by many rows ("set", a file's partition folder) converted once, by the
// same rules as data. False, with err, when the column's type refuses it.
bool encode_constant(const TargetColumn& col, const std::string& text, std::string& bin, EncodeError& err) {
  bin.clear();
  switch (encode_binary(col.kind, Value{text, ValueKind::kText}, bin, err)) {
    case Encoded::kOk: return true;
    case Encoded::kInvalid: return false;
    case Encoded::kDefer: break;
  }
  bin.clear();
  // the type's own input function: its errors are only swallowed after a rollback
  ErrorData* failed = try_in_subtransaction([&] { binary_from_text(col, text, bin); });
  if (!failed) return true;
  err.sqlstate = unpack_sql_state(failed->sqlerrcode);
  err.message = failed->message ? failed->message : "invalid value";
  return false;
}

class Loader {
 public:
  Loader(Oid relid, const SourceArgs& args, const std::vector<FileEntry>* files)
      : relid_(relid), url_(args.url), options_json_(args.options_json), opt_(args.options), batch_(0),
        rejects_(opt_.reject_limit) {
    if (files) files_ = *files;
    explicit_files_ = files != nullptr;
  }

  ~Loader() {
    if (g_active == this) g_active = nullptr;
  }

  LoadResult run();
  int feed(char* out, int minread, int maxread);
  void describe_error_location();

 private:
  void open_target();
  void plan();
  bool fill_batch();
  void encode(const Record& rec);
  void partition_value(CopyColumn& c, size_t file);
  void convert_row(size_t r);
  void convert_deferred(bool protect);
  bool produce();
  uint64_t run_copy(size_t lo, size_t hi, bool stream);
  void copy_range(size_t lo, size_t hi);
  void reject_row(size_t r, const std::string& column, const std::string& message, const std::string& state);
  std::string record_of(const Record& rec, const std::string& url) const;
  std::string record_of_batch_row(size_t r) const;
  void flush_rejects();
  void strip_copy_context(ErrorData* edata);

  Oid relid_;
  std::string url_, options_json_;
  std::vector<FileEntry> files_;
  bool explicit_files_ = false;
  ReadOptions opt_;
  Relation rel_ = nullptr;
  ParseState* pstate_ = nullptr;
  List* attnames_ = NIL;
  List* copy_options_ = NIL;
  std::string target_name_;
  std::vector<TargetColumn> cols_;
  std::vector<CopyColumn> copy_cols_;
  std::unique_ptr<RecordStream> stream_;
  CopyBatch batch_;
  RejectPolicy rejects_;
  int64_t load_id_ = 0;
  int64_t rows_loaded_ = 0;
  bool input_done_ = false;
  bool keep_raw_ = false;
  MemoryContext convert_ctx_ = nullptr;

  // feeding COPY
  bool stream_mode_ = false;
  size_t cursor_ = 0, range_hi_ = 0;
  bool header_done_ = false, trailer_done_ = false;
  std::string out_;
  size_t out_pos_ = 0;
  CopyFromState cstate_ = nullptr;
  uint64_t tuples_written_ = 0;
  struct Origin {
    uint32_t file;
    uint64_t line;
  };
  std::vector<Origin> origins_ = std::vector<Origin>(kOriginRing);
  long converting_row_ = -1;
  size_t converting_field_ = 0;

  // incremental loads
  void start_incremental();
  void find_incremental_columns(const ColumnPlan& plan);
  bool already_loaded(const Record& rec);
  std::unique_ptr<IncrementalFilter> incremental_;
  std::string watermark_name_;
  int cursor_value_ = -1;        // index of the cursor in the record's values
  std::vector<int> key_values_;  // indexes of the primary key's values
  std::string key_scratch_;
};

// Reads the stream's watermark and turns it into the read's lower bound: a request
// parameter for APIs (incremental.param), a WHERE condition for databases.
void Loader::start_incremental() {
  const IncrementalOptions& inc = opt_.incremental;
  if (!inc.present) return;
  if (explicit_files_)
    throw Error(sqlstate::kInvalidParameterValue, "option \"incremental\" applies to API and database sources",
                "", "file pipelines track processed files themselves");
  watermark_name_ = inc.state.empty() ? target_name_ + " <- " + redact_url(url_) : inc.state;
  incremental_ = std::make_unique<IncrementalFilter>(inc, read_watermark(watermark_name_));
  const auto& lower = incremental_->lower_bound();
  if (lower && is_query_url(url_)) {
    opt_.query = query_with_lower_bound(url_, source_query(url_, opt_), inc.cursor, *lower);
  } else if (lower && opt_.api.is_api() && !inc.param.empty()) {
    opt_.api.params[inc.param] = *lower;
    opt_.api.present = true;
  }
}

void Loader::find_incremental_columns(const ColumnPlan& plan) {
  if (!incremental_) return;
  auto value_of = [&](const std::string& name) {
    for (size_t v = 0; v < plan.columns.size(); v++)
      if (cols_[plan.columns[v].target].name == name && !plan.columns[v].source.rest) return static_cast<int>(v);
    throw Error(sqlstate::kUndefinedColumn,
                "incremental column \"" + name + "\" is not a column of " + target_name_ + " filled from the source",
                "", "the cursor and the primary key are loaded with the rows; add them to the table (or map them with \"columns\")");
  };
  cursor_value_ = value_of(opt_.incremental.cursor);
  for (const std::string& k : opt_.incremental.primary_key) key_values_.push_back(value_of(k));
}

bool Loader::already_loaded(const Record& rec) {
  if (!incremental_ || rec.problem) return false;
  const Value& c = rec.values[static_cast<size_t>(cursor_value_)];
  key_scratch_.clear();
  for (size_t i = 0; i < key_values_.size(); i++) {
    const Value& v = rec.values[static_cast<size_t>(key_values_[i])];
    if (i) key_scratch_ += '\x1f';
    key_scratch_ += v.is_null() ? std::string_view("\\N") : v.text;
  }
  std::optional<std::string_view> cursor;
  if (!c.is_null()) cursor = c.text;
  return !incremental_->keep(cursor, key_scratch_);
}

void Loader::open_target() {
  rel_ = pg_guard([this] { return table_open(relid_, RowExclusiveLock); });
  target_name_ = pg_guard([this]() -> const char* {
    // Temporary tables show as pg_temp.name, not as this backend's pg_temp_N.
    const char* nsp = isTempNamespace(RelationGetNamespace(rel_)) ? "pg_temp" : get_namespace_name(RelationGetNamespace(rel_));
    return quote_qualified_identifier(nsp, RelationGetRelationName(rel_));
  });  // palloc'd; copied into the std::string
  cols_ = describe_columns(RelationGetDescr(rel_));
  apply_date_options(cols_, opt_.date_formats, opt_.date_order);
}

void Loader::plan() {
  std::vector<TargetInfo> targets;
  std::vector<std::string> names;
  for (const auto& c : cols_) {
    targets.push_back({c.name, c.has_default});
    names.push_back(c.name);
  }
  start_incremental();
  stream_ = explicit_files_ ? std::make_unique<RecordStream>(files_, opt_, names)
                            : std::make_unique<RecordStream>(url_, opt_, names);
  const std::vector<std::string> source_cols = stream_->discover_columns();
  // Messages name the file whose columns decided, not the glob.
  const std::string decided_by = stream_->files().empty() ? redact_url(url_) : stream_->files().back().entry.url;
  const ColumnPlan plan = plan_columns(targets, source_cols, stream_->first_format(), stream_->first_has_header(), opt_,
                                       true, decided_by, target_name_, stream_->partition_keys());
  std::vector<ColumnSource> sources;
  for (size_t v = 0; v < plan.columns.size(); v++) sources.push_back(plan.columns[v].source);
  stream_->set_columns(sources);
  find_incremental_columns(plan);
  // COPY fields in table order: data columns and the filename column.
  for (size_t t = 0; t < cols_.size(); t++) {
    if (static_cast<int>(t) == plan.filename_target) {
      copy_cols_.push_back({.target = t, .value = CopyColumn::kFileUrl});
      continue;
    }
    for (const auto& [target, value] : plan.constants)
      if (target == t) copy_cols_.push_back({.target = t, .value = CopyColumn::kConstant, .constant = value});
    for (const auto& [target, key] : plan.partitions)
      if (target == t) copy_cols_.push_back({.target = t, .value = CopyColumn::kPartition, .key = key});
    for (size_t v = 0; v < plan.columns.size(); v++)
      if (plan.columns[v].target == t) copy_cols_.push_back({.target = t, .value = static_cast<int>(v)});
  }
  // Constants are converted once, by the same rules as data (a bad one fails here).
  for (CopyColumn& c : copy_cols_) {
    if (c.value != CopyColumn::kConstant || !c.constant) continue;
    const TargetColumn& col = cols_[c.target];
    std::string bin;
    EncodeError err;
    if (!encode_constant(col, *c.constant, bin, err))
      throw Error(err.sqlstate, "option \"set\" for column \"" + col.name + "\": " + err.message);
    c.constant = bin;
  }
  batch_ = CopyBatch(copy_cols_.size());
  keep_raw_ = rejects_.allows_rejects();

  // What DoCopy checks before COPY FROM: INSERT privilege on the columns, no row-level
  // security (COPY FROM cannot apply policies), not in a read-only transaction.
  pg_guard([this] {
    pstate_ = make_parsestate(nullptr);
    ParseNamespaceItem* nsitem = addRangeTableEntryForRelation(pstate_, rel_, RowExclusiveLock, nullptr, false, false);
    RangeTblEntry* rte = nsitem->p_rte;
    rte->requiredPerms = ACL_INSERT;
    for (const CopyColumn& c : copy_cols_) {
      const TargetColumn& col = cols_[c.target];
      rte->insertedCols = bms_add_member(rte->insertedCols, col.index + 1 - FirstLowInvalidHeapAttributeNumber);
      attnames_ = lappend(attnames_, makeString(pstrdup(col.name.c_str())));
    }
    ExecCheckRTPerms(pstate_->p_rtable, true);
    if (check_enable_rls(relid_, InvalidOid, false) == RLS_ENABLED)
      ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                      errmsg("etl.load does not support tables with row-level security: %s",
                             RelationGetRelationName(rel_)),
                      errhint("Load into a staging table, then INSERT ... SELECT.")));
    if (XactReadOnly && !rel_->rd_islocaltemp) PreventCommandIfReadOnly("etl.load");
    copy_options_ = list_make1(makeDefElem(pstrdup("format"), reinterpret_cast<Node*>(makeString(pstrdup("binary"))), -1));
    if (opt_.freeze)
      copy_options_ = lappend(copy_options_, makeDefElem(pstrdup("freeze"), reinterpret_cast<Node*>(makeBoolean(true)), -1));
    convert_ctx_ = AllocSetContextCreate(CurrentMemoryContext, "pg_etl convert", ALLOCSET_DEFAULT_SIZES);
  });
  for (const CopyColumn& c : copy_cols_)
    if (c.value >= 0 && !OidIsValid(cols_[c.target].receive.fn_oid))
      throw Error(sqlstate::kFeatureNotSupported,
                  "column \"" + cols_[c.target].name + "\" of " + target_name_ + " has a type without binary input",
                  "", "load into a text column and cast it");
  if (opt_.freeze && rejects_.allows_rejects())
    throw Error(sqlstate::kInvalidParameterValue, "option \"freeze\" cannot be combined with reject_limit",
                "rows are loaded in subtransactions when rejects are allowed, and COPY FREEZE refuses those");
}

// The current file's value of a partition column, converted once per file. A folder
// without this key, or Hive's __HIVE_DEFAULT_PARTITION__, is NULL.
void Loader::partition_value(CopyColumn& c, size_t file) {
  c.file = static_cast<long>(file);
  c.constant.reset();
  c.invalid.reset();
  const FileStats& f = stream_->files()[file];
  for (const auto& [key, text] : f.partition) {
    if (key != c.key || text == "__HIVE_DEFAULT_PARTITION__") continue;
    std::string bin;
    EncodeError err;
    if (encode_constant(cols_[c.target], text, bin, err)) {
      c.constant = std::move(bin);
    } else {
      err.message = "partition folder " + key + "=" + text + ": " + err.message;
      c.invalid = err;
    }
  }
}

// Encodes one record into the batch, or rejects it.
void Loader::encode(const Record& rec) {
  const uint32_t file = static_cast<uint32_t>(stream_->current_file());
  const std::string& url = stream_->files()[file].entry.url;
  if (rec.problem) {
    rejects_.reject(RejectRow{url, static_cast<int64_t>(rec.line), static_cast<int64_t>(rec.byte_offset),
                              rec.problem->column_name, std::string(rec.raw), rec.problem->message, rec.problem->sqlstate, ""},
                    rec.problem->column);
    return;
  }
  batch_.begin_row(file, rec.line, rec.byte_offset, keep_raw_ ? rec.raw : std::string_view());
  std::string& arena = batch_.field_bytes_begin();
  for (size_t k = 0; k < copy_cols_.size(); k++) {
    CopyColumn& c = copy_cols_[k];
    const size_t start = arena.size();
    if (c.value == CopyColumn::kPartition) {
      if (c.file != static_cast<long>(file)) partition_value(c, file);
      if (c.invalid) {
        arena.resize(start);
        batch_.drop_row();
        rejects_.reject(RejectRow{url, static_cast<int64_t>(rec.line), static_cast<int64_t>(rec.byte_offset), cols_[c.target].name,
                                  std::string(rec.raw), c.invalid->message, c.invalid->sqlstate, ""},
                        0);
        return;
      }
      // c.constant now holds this file's value, encoded: written like a constant below
    }
    if (c.value == CopyColumn::kFileUrl) {
      arena += url;
      batch_.field_done(start, false);
      continue;
    }
    if (c.value == CopyColumn::kConstant || c.value == CopyColumn::kPartition) {
      if (!c.constant) {
        batch_.null_field();
        continue;
      }
      arena += *c.constant;
      batch_.field_done(start, false);
      continue;
    }
    const Value& v = rec.values[static_cast<size_t>(c.value)];
    if (v.is_null()) {
      batch_.null_field();
      continue;
    }
    const TargetColumn& col = cols_[c.target];
    EncodeError err;
    switch (encode_binary(col.kind, v, col.dates, arena, err)) {
      case Encoded::kOk:
        batch_.field_done(start, false);
        break;
      case Encoded::kDefer:
        arena.resize(start);
        arena.append(v.text.data(), v.text.size());
        batch_.field_done(start, true);
        break;
      case Encoded::kInvalid:
        arena.resize(start);
        batch_.drop_row();
        rejects_.reject(RejectRow{url, static_cast<int64_t>(rec.line), static_cast<int64_t>(rec.byte_offset), col.name,
                                  std::string(rec.raw), err.message, err.sqlstate, record_of(rec, url)},
                        stream_->source_position(static_cast<size_t>(c.value)));
        return;
    }
  }
}

bool Loader::fill_batch() {
  batch_.clear();
  Record rec;
  uint64_t n = 0;
  while (!input_done_ && batch_.size() < static_cast<size_t>(opt_.batch_rows) && batch_.arena_bytes() < kMaxBatchBytes) {
    if (!stream_->next(rec)) {
      input_done_ = true;
      break;
    }
    if ((++n & 1023) == 0) check_interrupts();
    if (already_loaded(rec)) continue;
    encode(rec);
  }
  return batch_.size() > 0;
}

void Loader::convert_row(size_t r) {
  std::string bytes, text;
  for (size_t k = 0; k < copy_cols_.size(); k++) {
    if (!batch_.field(r, k).deferred) continue;
    converting_row_ = static_cast<long>(r);
    converting_field_ = k;
    text.assign(batch_.field_text(r, k));
    bytes.clear();
    binary_from_text(cols_[copy_cols_[k].target], text, bytes);
    batch_.set_field(r, k, bytes);
  }
  converting_row_ = -1;
}

// Runs the deferred fields through their types' input functions. Unprotected (no
// rejects allowed) an error simply aborts the load, with the row in the error context.
// Protected, one subtransaction covers the batch; if it fails, rows are retried one by
// one and those that still fail are rejected.
void Loader::convert_deferred(bool protect) {
  MemoryContext old = MemoryContextSwitchTo(convert_ctx_);
  if (!protect) {
    // Runs inside COPY (stream mode), whose pg_etl context callback names the row.
    for (size_t r = 0; r < batch_.size(); r++) convert_row(r);
  } else if (try_in_subtransaction([&] {
               for (size_t r = 0; r < batch_.size(); r++) convert_row(r);
             })) {
    for (size_t r = 0; r < batch_.size(); r++) {
      if (batch_.row(r).rejected) continue;
      ErrorData* e = try_in_subtransaction([&] { convert_row(r); });
      if (e) reject_row(r, cols_[copy_cols_[converting_field_].target].name, e->message, unpack_sql_state(e->sqlerrcode));
      converting_row_ = -1;
    }
  }
  MemoryContextSwitchTo(old);
  pg_guard([this] { MemoryContextReset(convert_ctx_); });
}

void Loader::reject_row(size_t r, const std::string& column, const std::string& message, const std::string& state) {
  CopyBatch::Row& row = batch_.row(r);
  row.rejected = true;
  int position = 0;
  for (size_t k = 0; k < copy_cols_.size(); k++)
    if (cols_[copy_cols_[k].target].name == column && copy_cols_[k].value >= 0)
      position = stream_->source_position(static_cast<size_t>(copy_cols_[k].value));
  rejects_.reject(RejectRow{stream_->files()[row.file].entry.url, static_cast<int64_t>(row.line),
                            static_cast<int64_t>(row.byte_offset), column, std::string(batch_.raw(r)), message, state,
                            record_of_batch_row(r)},
                  position);
}

// A rejected record's fields by target column, as read (constants left out: a replay
// gets them from the pipeline again).
std::string Loader::record_of(const Record& rec, const std::string& url) const {
  std::vector<RejectField> fields;
  for (const CopyColumn& c : copy_cols_) {
    const std::string& name = cols_[c.target].name;
    if (c.value >= 0) {
      const Value& v = rec.values[static_cast<size_t>(c.value)];
      fields.emplace_back(name, v.is_null() ? std::nullopt : std::optional<std::string>(std::string(v.text)));
    } else if (c.value == CopyColumn::kFileUrl) {
      fields.emplace_back(name, url);
    }
  }
  return reject_record_json(fields);
}

// The same for a row whose deferred conversion failed: fields still deferred are text;
// the others are in binary form and go back to text through the type's receive and
// output functions.
std::string Loader::record_of_batch_row(size_t r) const {
  std::vector<RejectField> fields;
  for (size_t k = 0; k < copy_cols_.size(); k++) {
    const CopyColumn& c = copy_cols_[k];
    if (c.value == CopyColumn::kConstant || c.value == CopyColumn::kPartition) continue;
    const TargetColumn& col = cols_[c.target];
    const CopyBatch::Field& f = batch_.field(r, k);
    if (f.length < 0) {
      fields.emplace_back(col.name, std::nullopt);
      continue;
    }
    std::string_view bytes = batch_.field_text(r, k);
    if (f.deferred) {
      fields.emplace_back(col.name, std::string(bytes));
      continue;
    }
    std::optional<std::string> text;
    ErrorData* e = try_in_subtransaction([&] {
      StringInfoData buf;
      initStringInfo(&buf);
      appendBinaryStringInfo(&buf, bytes.data(), static_cast<int>(bytes.size()));
      // the base type's functions: a domain's receive would apply the check that failed
      const Oid type = OidIsValid(col.base_type) ? col.base_type : col.type;
      Oid recv, ioparam, out;
      bool varlena;
      getTypeBinaryInputInfo(type, &recv, &ioparam);
      Datum d = OidReceiveFunctionCall(recv, &buf, ioparam, col.typmod);
      getTypeOutputInfo(type, &out, &varlena);
      char* s = OidOutputFunctionCall(out, d);
      text = std::string(s);
    });
    if (e) text.reset();  // cannot happen for bytes we encoded; the field is left out rather than guessed
    if (text) fields.emplace_back(col.name, std::move(text));
  }
  return reject_record_json(fields);
}

// Appends the next chunk of the COPY BINARY stream to out_; false after the trailer.
bool Loader::produce() {
  if (!header_done_) {
    CopyBatch::write_header(out_);
    header_done_ = true;
    return true;
  }
  if (trailer_done_) return false;
  while (out_.size() < kOutChunk) {
    if (cursor_ >= range_hi_) {
      if (stream_mode_ && fill_batch()) {
        convert_deferred(false);
        cursor_ = 0;
        range_hi_ = batch_.size();
        continue;
      }
      CopyBatch::write_trailer(out_);
      trailer_done_ = true;
      break;
    }
    const CopyBatch::Row& row = batch_.row(cursor_);
    if (!row.rejected) {
      origins_[++tuples_written_ % kOriginRing] = Origin{row.file, row.line};
      batch_.write_tuple(cursor_, out_);
    }
    cursor_++;
  }
  return true;
}

int Loader::feed(char* out, int minread, int maxread) {
  size_t n = 0;
  const size_t want = static_cast<size_t>(minread), cap = static_cast<size_t>(maxread);
  while (n < cap) {
    if (out_pos_ == out_.size()) {
      if (n >= want) break;  // enough for COPY; produce more on its next call
      out_.clear();
      out_pos_ = 0;
      if (!produce()) break;
      continue;
    }
    const size_t k = std::min(cap - n, out_.size() - out_pos_);
    std::memcpy(out + n, out_.data() + out_pos_, k);
    n += k;
    out_pos_ += k;
  }
  return static_cast<int>(n);
}

// One COPY FROM over batch rows [lo, hi), or (stream) over the whole input.
uint64_t Loader::run_copy(size_t lo, size_t hi, bool stream) {
  stream_mode_ = stream;
  cursor_ = lo;
  range_hi_ = hi;
  header_done_ = trailer_done_ = false;
  out_.clear();
  out_pos_ = 0;
  tuples_written_ = 0;
  g_active = this;
  uint64_t processed;
  try {
    processed = pg_guard([this] {
    ErrorContextCallback cb{error_context_stack, pg_etl_copy_error_context, this};
    error_context_stack = &cb;
    CopyFromState cstate = BeginCopyFrom(pstate_, rel_, nullptr, nullptr, false, pg_etl_copy_source, attnames_, copy_options_);
    cstate_ = cstate;
    uint64 n = CopyFrom(cstate);
    EndCopyFrom(cstate);
    cstate_ = nullptr;
    error_context_stack = cb.previous;
    return n;
    });
  } catch (const PgError& e) {
    g_active = nullptr;
    cstate_ = nullptr;
    strip_copy_context(e.edata());
    throw;
  }
  g_active = nullptr;
  return processed;
}

// Loads rows [lo, hi) in a subtransaction; on failure halves the range until the
// failing rows are isolated and rejected with PostgreSQL's own error.
void Loader::copy_range(size_t lo, size_t hi) {
  size_t live = 0, last = lo;
  for (size_t r = lo; r < hi; r++)
    if (!batch_.row(r).rejected) live++, last = r;
  if (live == 0) return;
  uint64_t n = 0;
  ErrorData* e = try_in_subtransaction([&] { n = run_copy(lo, hi, false); });
  if (!e) {
    rows_loaded_ += static_cast<int64_t>(n);
    return;
  }
  if (live == 1) {
    reject_row(last, e->column_name ? e->column_name : "", e->message, unpack_sql_state(e->sqlerrcode));
    return;
  }
  const size_t mid = lo + (hi - lo) / 2;
  copy_range(lo, mid);
  copy_range(mid, hi);
}

// COPY's own context line ("COPY t, line 5") counts tuples of the binary stream, not
// lines of the file; the pg_etl context line next to it says where the row came from.
void Loader::strip_copy_context(ErrorData* edata) {
  if (!edata->context) return;
  const std::string prefix = "COPY " + std::string(RelationGetRelationName(rel_)) + ", line ";
  std::string kept, line;
  std::string ctx(edata->context);
  size_t start = 0;
  while (start <= ctx.size()) {
    size_t nl = ctx.find('\n', start);
    line = ctx.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (line.compare(0, prefix.size(), prefix) != 0 && !line.empty()) kept += (kept.empty() ? "" : "\n") + line;
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  edata->context = kept.empty() ? nullptr : pg_guard([&] { return pstrdup(kept.c_str()); });
}

void Loader::flush_rejects() {
  if (rejects_.pending().empty()) return;
  write_rejects(load_id_, rejects_.pending());
  rejects_.pending().clear();
}

void Loader::describe_error_location() {
  const Origin* o = nullptr;
  Origin conv;
  if (converting_row_ >= 0) {
    conv = Origin{batch_.row(static_cast<size_t>(converting_row_)).file, batch_.row(static_cast<size_t>(converting_row_)).line};
    o = &conv;
  } else if (cstate_ && cstate_->cur_lineno > 0 && cstate_->cur_lineno <= tuples_written_ &&
             tuples_written_ - cstate_->cur_lineno < kOriginRing) {
    o = &origins_[cstate_->cur_lineno % kOriginRing];
  }
  if (!o || !stream_ || o->file >= stream_->files().size()) return;
  std::string where = stream_->files()[o->file].entry.url + ":" + std::to_string(o->line);
  if (converting_row_ >= 0) where += " (column \"" + cols_[copy_cols_[converting_field_].target].name + "\")";
  errcontext("pg_etl: loading %s", where.c_str());
}

LoadResult Loader::run() {
  open_target();
  plan();
  const std::string shown = redact_url(url_);
  load_id_ = begin_load(target_name_, shown, stream_->first_format_label(), options_json_);
  if (stream_->files().empty() && stream_->is_glob() && !explicit_files_) {
    const std::string msg = "no files match \"" + shown + "\"";
    pg_guard([&] { ereport(NOTICE, (errmsg("%s", msg.c_str()))); });
  }
  if (!rejects_.allows_rejects()) {
    // Everything in one COPY: any bad row aborts the load with its location.
    rows_loaded_ = static_cast<int64_t>(run_copy(0, 0, true));
  } else {
    while (fill_batch()) {
      convert_deferred(true);
      copy_range(0, batch_.size());
      flush_rejects();
    }
    flush_rejects();
  }
  LoadResult res;
  res.rows_loaded = rows_loaded_;
  res.rows_rejected = rejects_.count();
  res.bytes_read = stream_->bytes_read();
  res.files = static_cast<int32_t>(stream_->files().size());
  res.load_id = load_id_;
  finish_load(load_id_, res.rows_loaded, res.rows_rejected, res.bytes_read, stream_->files(),
              stream_->first_format_label());
  if (incremental_) {
    const Watermark w = incremental_->next_watermark();
    if (!w.value.empty())
      save_watermark(watermark_name_, opt_.incremental.cursor, w, load_id_,
                     static_cast<int64_t>(incremental_->skipped_loaded() + incremental_->skipped_below()));
  }
  pg_guard([this] {
    table_close(rel_, NoLock);  // the lock is held until the end of the transaction
    MemoryContextDelete(convert_ctx_);
  });
  return res;
}

extern "C" int pg_etl_copy_source(void* outbuf, int minread, int maxread) {
  return cpp_boundary([&] {
    if (!g_active) throw Error(sqlstate::kInternalError, "pg_etl COPY source called with no load running");
    return g_active->feed(static_cast<char*>(outbuf), minread, maxread);
  });
}

// Error context callbacks run while an error is being reported: never throw here.
extern "C" void pg_etl_copy_error_context(void* arg) {
  try {
    static_cast<Loader*>(arg)->describe_error_location();
  } catch (...) {
  }
}

}  // namespace

Datum load_result_datum(FunctionCallInfo fcinfo, const LoadResult& r) {
  return pg_guard([&] {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE) elog(ERROR, "a load must return a record");
    desc = BlessTupleDesc(desc);
    Datum values[5] = {Int64GetDatum(r.rows_loaded), Int64GetDatum(r.rows_rejected),
                       Int64GetDatum(static_cast<int64>(r.bytes_read)), Int32GetDatum(r.files), Int64GetDatum(r.load_id)};
    bool nulls[5] = {false, false, false, false, false};
    return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
  });
}

LoadResult load_into(Oid relid, const SourceArgs& args, const std::vector<FileEntry>* files) {
  Loader loader(relid, args, files);
  return loader.run();
}

}  // namespace pg_etl::pg
