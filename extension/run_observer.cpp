// Run metrics and run events, kept as runs start and end, and the event outbox's one
// writer:
//   etl._observe_run('ended' | 'events' | 'stats')  triggers on etl.runs: a run that ends
//       goes to the run outbox (etl.run_outbox); a run that starts queues run_started
//       (when someone listens); a bulk insert of ended runs is counted;
//   etl.process_run_outbox(batch, skip)   adds the outbox's runs to etl.run_stats, queues
//       their events and checks their SLAs (the maintenance worker calls it);
//   etl._emit(...)                        queues an event and its deliveries (every other
//       event source calls it from SQL);
//   etl._run_stats_add(run_ids)           adds ended runs to etl.run_stats, one upsert
//       per job (bulk inserts of history; upgrades count the runs that ended before the
//       metrics existed).
// C with statements prepared once per session, not PL/pgSQL: the PL/pgSQL triggers cost
// 0.4 ms on a 2 ms run (+26 %), mostly function calls and per-call expression set-up.
// All three are SECURITY DEFINER, run as the extension's owner. They have no SET
// search_path (a SET clause costs a GUC save, set and restore, and a search path
// recomputation, at every call: more than the statements): each statement is prepared
// with search_path = pg_catalog, pg_temp, and the plan cache re-plans a statement with
// the path it was prepared with, so a caller's search_path never resolves its names.
#include <cstring>
#include <string>
#include <tuple>

#include "extension/guc.hpp"
#include "extension/pg/boundary.hpp"
#include "worker/shared_state.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"
#include "utils/guc.h"
#include "utils/rel.h"
}

namespace pg_etl::pg {
namespace {

// A statement prepared once and kept for the session. key: what the plan's parameter
// types depend on (etl.runs' row type, which a re-created extension changes).
struct SavedPlan {
  SPIPlanPtr plan = nullptr;
  Oid key = InvalidOid;
};

// Inside pg_guard, SPI connected.
SPIPlanPtr prepared(SavedPlan& saved, Oid key, const char* sql, int nargs, Oid* types) {
  if (saved.plan != nullptr && saved.key == key) return saved.plan;
  if (saved.plan != nullptr) SPI_freeplan(saved.plan);
  saved.plan = nullptr;
  // Generic: a custom plan (the default for the first calls, and for ever when the
  // parameters make it look cheaper) would plan the statement again at every call.
  const int nest = NewGUCNestLevel();
  (void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
  SPIPlanPtr plan = SPI_prepare_cursor(sql, nargs, types, CURSOR_OPT_GENERIC_PLAN);
  AtEOXact_GUC(true, nest);
  if (plan == nullptr) elog(ERROR, "pg_etl: could not prepare a run bookkeeping statement: %s", SPI_result_code_string(SPI_result));
  SPI_keepplan(plan);
  saved.plan = plan;
  saved.key = key;
  return plan;
}

void execute(SPIPlanPtr plan, Datum* values, const char* nulls) {
  int rc = SPI_execute_plan(plan, values, nulls, false, 0);
  if (rc < 0) elog(ERROR, "pg_etl: a run bookkeeping statement failed: %s", SPI_result_code_string(rc));
}

// ---- etl.run_stats ---------------------------------------------------------------------
// One ended run ($1, an etl.runs row) as a row of counters to add.
constexpr const char* kRunCountersSql = R"SQL(
SELECT CASE WHEN r.pipeline IS NOT NULL THEN 'pipeline' ELSE 'workflow' END AS kind, coalesce(r.pipeline, r.workflow) AS name,
       r.owner, (r.status = 'succeeded')::int AS runs_succeeded, (r.status = 'failed')::int AS runs_failed,
       (r.status = 'dead')::int AS runs_dead, (r.status = 'cancelled')::int AS runs_cancelled,
       coalesce(r.rows_read, 0) AS rows_read, coalesce(r.rows_written, 0) AS rows_written,
       coalesce(r.rows_rejected, 0) AS rows_rejected, coalesce(r.bytes_read, 0) AS bytes_read, coalesce(r.files, 0) AS files,
       coalesce(d.seconds, 0) AS duration_sum, (d.seconds IS NOT NULL)::int AS duration_count,
       ARRAY(SELECT coalesce(d.seconds <= u.le, false)::int::bigint
               FROM unnest(etl._duration_buckets()) WITH ORDINALITY u(le, i) ORDER BY u.i) AS duration_buckets,
       r.id AS last_run_id, r.status AS last_status, r.finished_at AS last_finished_at, d.seconds AS last_duration,
       CASE WHEN r.status = 'succeeded' THEN r.id END AS last_success_run_id,
       CASE WHEN r.status = 'succeeded' THEN r.finished_at END AS last_success_at,
       CASE WHEN r.status IN ('failed', 'dead') THEN r.id END AS last_failure_run_id,
       CASE WHEN r.status IN ('failed', 'dead') THEN r.finished_at END AS last_failure_at,
       CASE WHEN r.status IN ('failed', 'dead') THEN left(r.error, 1000) END AS last_error,
       CASE WHEN r.status IN ('failed', 'dead') THEN r.sqlstate END AS last_sqlstate
  FROM (SELECT ($1).*) r, LATERAL (SELECT extract(epoch FROM r.finished_at - r.started_at)::float8 AS seconds) d
 WHERE r.status IN ('succeeded', 'failed', 'dead', 'cancelled')
)SQL";

// How a row of counters to add ("EXCLUDED": the upsert's row, or the UPDATE's source
// under that alias) adds to the job's counters "s". A run's "last" fields move only forward in time, so
// runs added out of order (history, an upgrade) do not regress them.
constexpr const char* kAddCountersSql = R"SQL(
  runs_succeeded = s.runs_succeeded + EXCLUDED.runs_succeeded, runs_failed = s.runs_failed + EXCLUDED.runs_failed,
  runs_dead = s.runs_dead + EXCLUDED.runs_dead, runs_cancelled = s.runs_cancelled + EXCLUDED.runs_cancelled,
  rows_read = s.rows_read + EXCLUDED.rows_read, rows_written = s.rows_written + EXCLUDED.rows_written,
  rows_rejected = s.rows_rejected + EXCLUDED.rows_rejected, bytes_read = s.bytes_read + EXCLUDED.bytes_read,
  files = s.files + EXCLUDED.files, duration_sum = s.duration_sum + EXCLUDED.duration_sum,
  duration_count = s.duration_count + EXCLUDED.duration_count,
  duration_buckets = ARRAY(SELECT a + b FROM unnest(s.duration_buckets, EXCLUDED.duration_buckets) u(a, b)),
  last_run_id = CASE WHEN (EXCLUDED.last_finished_at >= s.last_finished_at) IS NOT FALSE THEN EXCLUDED.last_run_id ELSE s.last_run_id END,
  last_status = CASE WHEN (EXCLUDED.last_finished_at >= s.last_finished_at) IS NOT FALSE THEN EXCLUDED.last_status ELSE s.last_status END,
  last_duration = CASE WHEN (EXCLUDED.last_finished_at >= s.last_finished_at) IS NOT FALSE THEN EXCLUDED.last_duration ELSE s.last_duration END,
  last_finished_at = greatest(s.last_finished_at, EXCLUDED.last_finished_at),
  last_success_run_id = CASE WHEN EXCLUDED.last_success_at >= coalesce(s.last_success_at, '-infinity') THEN EXCLUDED.last_success_run_id
                             ELSE s.last_success_run_id END,
  last_success_at = greatest(s.last_success_at, EXCLUDED.last_success_at),
  last_failure_run_id = CASE WHEN EXCLUDED.last_failure_at >= coalesce(s.last_failure_at, '-infinity') THEN EXCLUDED.last_failure_run_id
                             ELSE s.last_failure_run_id END,
  last_error = CASE WHEN EXCLUDED.last_failure_at >= coalesce(s.last_failure_at, '-infinity') THEN EXCLUDED.last_error ELSE s.last_error END,
  last_sqlstate = CASE WHEN EXCLUDED.last_failure_at >= coalesce(s.last_failure_at, '-infinity') THEN EXCLUDED.last_sqlstate
                       ELSE s.last_sqlstate END,
  last_failure_at = greatest(s.last_failure_at, EXCLUDED.last_failure_at),
  updated_at = clock_timestamp()
)SQL";

// The job's row exists after its first run: a plain UPDATE (an INSERT ... ON CONFLICT
// would also lock the row first, one more WAL record a run).
const std::string kUpdateCountersSql = std::string("UPDATE etl.run_stats s SET") + kAddCountersSql + "FROM (" +
                                       kRunCountersSql + ") excluded WHERE s.kind = excluded.kind AND s.name = excluded.name AND s.owner = excluded.owner";
// Its first run, or a race with another job's first run: insert, or add on conflict.
const std::string kInsertCountersSql = std::string(R"SQL(
INSERT INTO etl.run_stats AS s
  (kind, name, owner, runs_succeeded, runs_failed, runs_dead, runs_cancelled, rows_read, rows_written, rows_rejected,
   bytes_read, files, duration_sum, duration_count, duration_buckets, last_run_id, last_status, last_finished_at,
   last_duration, last_success_run_id, last_success_at, last_failure_run_id, last_failure_at, last_error, last_sqlstate)
SELECT n.* FROM ()SQL") +
                                       kRunCountersSql + ") n ON CONFLICT (kind, name, owner) DO UPDATE SET" + kAddCountersSql;

// Many ended runs ($1, their ids) at once, one upsert per job: a bulk insert of history,
// or an upgrade. (Not used for a single run: its generic plan, an aggregate over
// etl.runs by id, measured 4-6x the single-run statements' 50 us.) One at a time, each job's row would be updated once per run inside one
// transaction, and every update walks that row's growing chain of versions.
const std::string kAddRunsSql = std::string(R"SQL(
INSERT INTO etl.run_stats AS s
  (kind, name, owner, runs_succeeded, runs_failed, runs_dead, runs_cancelled, rows_read, rows_written, rows_rejected,
   bytes_read, files, duration_sum, duration_count, duration_buckets, last_run_id, last_status, last_finished_at,
   last_duration, last_success_run_id, last_success_at, last_failure_run_id, last_failure_at, last_error, last_sqlstate)
SELECT kind, name, owner,
       count(*) FILTER (WHERE status = 'succeeded'), count(*) FILTER (WHERE status = 'failed'),
       count(*) FILTER (WHERE status = 'dead'), count(*) FILTER (WHERE status = 'cancelled'),
       coalesce(sum(rows_read), 0), coalesce(sum(rows_written), 0), coalesce(sum(rows_rejected), 0),
       coalesce(sum(bytes_read), 0), coalesce(sum(files), 0), coalesce(sum(seconds), 0), count(seconds),
       ARRAY[count(*) FILTER (WHERE seconds <= le[1]), count(*) FILTER (WHERE seconds <= le[2]),
             count(*) FILTER (WHERE seconds <= le[3]), count(*) FILTER (WHERE seconds <= le[4]),
             count(*) FILTER (WHERE seconds <= le[5]), count(*) FILTER (WHERE seconds <= le[6]),
             count(*) FILTER (WHERE seconds <= le[7]), count(*) FILTER (WHERE seconds <= le[8]),
             count(*) FILTER (WHERE seconds <= le[9])],
       (array_agg(id ORDER BY finished_at DESC, id DESC))[1], (array_agg(status ORDER BY finished_at DESC, id DESC))[1],
       max(finished_at), (array_agg(seconds ORDER BY finished_at DESC, id DESC))[1],
       (array_agg(id ORDER BY finished_at DESC, id DESC) FILTER (WHERE status = 'succeeded'))[1],
       max(finished_at) FILTER (WHERE status = 'succeeded'),
       (array_agg(id ORDER BY finished_at DESC, id DESC) FILTER (WHERE status IN ('failed', 'dead')))[1],
       max(finished_at) FILTER (WHERE status IN ('failed', 'dead')),
       (array_agg(left(error, 1000) ORDER BY finished_at DESC, id DESC) FILTER (WHERE status IN ('failed', 'dead')))[1],
       (array_agg(sqlstate ORDER BY finished_at DESC, id DESC) FILTER (WHERE status IN ('failed', 'dead')))[1]
  FROM (SELECT CASE WHEN r.pipeline IS NOT NULL THEN 'pipeline' ELSE 'workflow' END AS kind,
               coalesce(r.pipeline, r.workflow) AS name, r.owner, r.id, r.status, r.finished_at, r.rows_read,
               r.rows_written, r.rows_rejected, r.bytes_read, r.files, r.error, r.sqlstate,
               extract(epoch FROM r.finished_at - r.started_at)::float8 AS seconds, etl._duration_buckets() AS le
          FROM etl.runs r
         WHERE r.id = ANY ($1) AND r.status IN ('succeeded', 'failed', 'dead', 'cancelled')) n
 GROUP BY kind, name, owner
ON CONFLICT (kind, name, owner) DO UPDATE SET)SQL") + kAddCountersSql;

SavedPlan g_update_counters, g_insert_counters, g_add_runs;

void add_runs(Datum ids) {
  Oid types[1] = {INT8ARRAYOID};
  execute(prepared(g_add_runs, 1, kAddRunsSql.c_str(), 1, types), &ids, " ");
}

// The ended runs among the rows a statement inserted (its transition table).
void add_inserted_runs(TriggerData* td) {
  Tuplestorestate* rows = td->tg_newtable;
  if (rows == nullptr) elog(ERROR, "etl._observe_run('stats') at statement level needs REFERENCING NEW TABLE");
  TupleDesc desc = RelationGetDescr(td->tg_relation);
  const int status_att = SPI_fnumber(desc, "status"), id_att = SPI_fnumber(desc, "id");
  TupleTableSlot* slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
  const int reader = tuplestore_alloc_read_pointer(rows, EXEC_FLAG_REWIND);
  tuplestore_select_read_pointer(rows, reader);
  tuplestore_rescan(rows);
  ArrayBuildState* ids = nullptr;
  while (tuplestore_gettupleslot(rows, true, false, slot)) {
    bool isnull;
    const char* status = TextDatumGetCString(slot_getattr(slot, status_att, &isnull));
    if (strcmp(status, "succeeded") == 0 || strcmp(status, "failed") == 0 || strcmp(status, "dead") == 0 ||
        strcmp(status, "cancelled") == 0)
      ids = accumArrayResult(ids, slot_getattr(slot, id_att, &isnull), false, INT8OID, CurrentMemoryContext);
  }
  tuplestore_select_read_pointer(rows, 0);
  ExecDropSingleTupleTableSlot(slot);
  if (ids != nullptr) add_runs(makeArrayResult(ids, CurrentMemoryContext));
}

void merge_run(Datum run, Oid runs_type) {
  Oid types[1] = {runs_type};
  execute(prepared(g_update_counters, runs_type, kUpdateCountersSql.c_str(), 1, types), &run, " ");
  if (SPI_processed == 0) execute(prepared(g_insert_counters, runs_type, kInsertCountersSql.c_str(), 1, types), &run, " ");
}

// ---- the outbox ------------------------------------------------------------------------
// The deliveries of the event the CTE "e" inserted (RETURNING id, kind, pipeline, owner):
// one per matching channel. Channels of the event's owner, of etl_admin members and of
// superusers match; rows_rejected subscriptions may ask for a minimum (rejected, rate:
// SQL expressions).
std::string fan_out_sql(const char* rejected, const char* rate) {
  return std::string(R"SQL(
d AS (
  INSERT INTO etl.deliveries (event_id, channel, message_id)
  SELECT e.id, c.name, 'pg_etl-' || e.id || '-' || md5(c.name || e.id)
    FROM e, etl.channels c
   WHERE EXISTS (
     SELECT FROM etl.subscriptions s
      WHERE s.channel = c.name AND e.kind = ANY (s.events)
        AND (s.pipeline IS NULL OR s.pipeline = e.pipeline)
        AND (e.owner IS NULL OR s.owner = e.owner OR pg_has_role(s.owner, 'etl_admin', 'MEMBER')
             OR (SELECT rolsuper FROM pg_roles WHERE rolname = s.owner))
        AND (e.kind <> 'rows_rejected' OR (coalesce()SQL") +
         rejected + ", 0) >= s.min_rejected AND coalesce(" + rate + R"SQL(, 0) >= s.min_reject_rate)))
   ORDER BY c.name
  RETURNING 1)
)SQL";
}

// An event from etl._emit's arguments.
const std::string kEmitSql = R"SQL(
WITH e AS (
  INSERT INTO etl.events (kind, severity, pipeline, run_id, subject, payload, owner)
  VALUES ($1, $2, $5, $6, $3, $4, $7) RETURNING id, kind, pipeline, owner),
)SQL" + fan_out_sql("$8", "$9") + "SELECT (SELECT id FROM e), (SELECT count(*) FROM d)";

// The events of runs ($1, their ids; in run order): run_started, or run_<status> when
// a run has ended; also which of them rejected rows and which have SLAs to check. One
// statement for a batch of runs (the outbox), so its start-up is paid once.
const std::string kRunEventsSql = R"SQL(
WITH e AS (
  INSERT INTO etl.events (kind, severity, pipeline, run_id, subject, payload, owner)
  SELECT CASE WHEN r.status = 'running' THEN 'run_started' ELSE 'run_' || r.status END,
         CASE r.status WHEN 'running' THEN 'info' WHEN 'succeeded' THEN 'info' WHEN 'cancelled' THEN 'warning' ELSE 'error' END,
         coalesce(r.pipeline, r.workflow), r.id, etl._run_subject(r), etl._run_payload(r), r.owner
    FROM etl.runs r
   WHERE r.id = ANY ($1) AND r.status <> 'queued'
   ORDER BY r.id
  RETURNING id, kind, pipeline, owner),
)SQL" + fan_out_sql("NULL::bigint", "NULL::float8") + R"SQL(
SELECT (SELECT count(*) FROM d),
       ARRAY(SELECT r.id FROM etl.runs r WHERE r.id = ANY ($1) AND coalesce(r.rows_rejected, 0) > 0 ORDER BY r.id),
       ARRAY(SELECT r.id FROM etl.runs r
              WHERE r.id = ANY ($1) AND r.status NOT IN ('queued', 'running')
                AND EXISTS (SELECT FROM etl.slas s WHERE s.pipeline = coalesce(r.pipeline, r.workflow))
              ORDER BY r.id)
)SQL";

// A run's rows_rejected event ($1, its id), through etl._emit (rare: only runs that
// rejected rows).
constexpr const char* kRunRejectsSql = R"SQL(
SELECT etl._emit('rows_rejected', 'warning',
                 format('%s %s: run %s rejected %s rows (%s%%)', CASE WHEN r.pipeline IS NOT NULL THEN 'pipeline' ELSE 'workflow' END,
                        coalesce(r.pipeline, r.workflow), r.id, r.rows_rejected, round((x.rate * 100)::numeric, 2)),
                 etl._run_payload(r) || jsonb_build_object('reject_rate', x.rate),
                 coalesce(r.pipeline, r.workflow), r.id, r.owner, r.rows_rejected, x.rate)
  FROM etl.runs r,
       LATERAL (SELECT r.rows_rejected::float8 / greatest(1, coalesce(r.rows_read, r.rows_written + r.rows_rejected)) AS rate) x
 WHERE r.id = $1
)SQL";

// run_started is only worth a row when someone listens (OpenLineage START events).
constexpr const char* kListenedSql = R"SQL(
SELECT EXISTS (SELECT FROM etl.subscriptions s
                WHERE 'run_started' = ANY (s.events) AND (s.pipeline IS NULL OR s.pipeline = $1))
)SQL";

constexpr const char* kCheckSlasSql = "SELECT etl._check_run_slas($1)";

SavedPlan g_emit, g_run_events, g_run_rejects, g_listened, g_check_slas;

bool run_started_listened(Datum job, bool job_null) {
  Oid types[1] = {TEXTOID};
  execute(prepared(g_listened, 1, kListenedSql, 1, types), &job, job_null ? "n" : " ");
  bool isnull;
  return DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

// The events of runs (ids: bigint[], in run order) and what follows from them: the
// rows_rejected events and the SLA checks.
void emit_run_events(Datum ids) {
  Oid types[1] = {INT8ARRAYOID};
  execute(prepared(g_run_events, 1, kRunEventsSql.c_str(), 1, types), &ids, " ");
  HeapTuple result = SPI_tuptable->vals[0];
  TupleDesc rdesc = SPI_tuptable->tupdesc;
  bool isnull;
  if (DatumGetInt64(SPI_getbinval(result, rdesc, 1, &isnull)) > 0) worker::wake_maintenance_at_commit();
  Datum rejected = SPI_getbinval(result, rdesc, 2, &isnull), with_slas = SPI_getbinval(result, rdesc, 3, &isnull);
  Oid id_type[1] = {INT8OID};
  for (auto [list, plan, sql] : {std::tuple{rejected, &g_run_rejects, kRunRejectsSql}, std::tuple{with_slas, &g_check_slas, kCheckSlasSql}}) {
    Datum* runs;
    int n;
    deconstruct_array(DatumGetArrayTypeP(list), INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &runs, nullptr, &n);
    for (int i = 0; i < n; i++) execute(prepared(*plan, 1, sql, 1, id_type), &runs[i], " ");
  }
}

// One run's id as the array emit_run_events takes.
Datum one_run(HeapTuple row, TupleDesc desc) {
  bool isnull;
  Datum id = heap_getattr(row, SPI_fnumber(desc, "id"), desc, &isnull);
  return PointerGetDatum(construct_array(&id, 1, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

// A run that starts: run_started, for its first attempt, when someone listens.
void observe_start(HeapTuple row, TupleDesc desc) {
  bool isnull;
  if (DatumGetInt32(heap_getattr(row, SPI_fnumber(desc, "attempt"), desc, &isnull)) != 1) return;
  bool pipeline_null, workflow_null = true;
  Datum job = heap_getattr(row, SPI_fnumber(desc, "pipeline"), desc, &pipeline_null);
  if (pipeline_null) job = heap_getattr(row, SPI_fnumber(desc, "workflow"), desc, &workflow_null);
  if (run_started_listened(job, pipeline_null && workflow_null)) emit_run_events(one_run(row, desc));
}

// ---- the run outbox ----------------------------------------------------------------------
// A run that ends goes to etl.run_outbox, for the maintenance worker to count and to turn
// into events in batches, off the run's own path; where no worker serves this database,
// that work is done at once.
constexpr const char* kQueueEndedSql = "INSERT INTO etl.run_outbox (run_id, metrics, events) VALUES ($1, $2, $3)";

// Oldest first. Rows another session is processing are waited for (and are gone once
// it commits), so that what was in the outbox is processed when the call returns; the
// worker skips them instead. Locks are taken in run order: two callers cannot deadlock.
std::string take_outbox_sql(const char* lock) {
  return std::string(R"SQL(
DELETE FROM etl.run_outbox
 WHERE ctid = ANY (ARRAY(SELECT ctid FROM etl.run_outbox ORDER BY run_id LIMIT $1 )SQL") + lock + R"SQL())
RETURNING run_id, metrics, events
)SQL";
}
const std::string kTakeOutboxSql = take_outbox_sql("FOR UPDATE"), kTakeOutboxSkipSql = take_outbox_sql("FOR UPDATE SKIP LOCKED");

SavedPlan g_queue_ended, g_take_outbox, g_take_outbox_skip;

void observe_end(HeapTuple row, TupleDesc desc, Oid runs_type) {
  if (!worker::maintenance_serves_this_database()) {
    if (guc::metrics) merge_run(heap_copy_tuple_as_datum(row, desc), runs_type);
    if (guc::events) emit_run_events(one_run(row, desc));
    return;
  }
  bool isnull;
  Oid types[3] = {INT8OID, BOOLOID, BOOLOID};
  Datum values[3] = {heap_getattr(row, SPI_fnumber(desc, "id"), desc, &isnull), BoolGetDatum(guc::metrics),
                     BoolGetDatum(guc::events)};
  execute(prepared(g_queue_ended, 1, kQueueEndedSql, 3, types), values, "   ");
  worker::wake_maintenance_at_commit();
}

// Takes up to batch rows from the outbox: their runs are added to etl.run_stats (one
// upsert per job) and their events queued, in run order. Returns the rows taken.
int64 process_outbox(int32 batch, bool skip_locked) {
  Oid types[1] = {INT4OID};
  Datum limit = Int32GetDatum(batch);
  if (skip_locked) execute(prepared(g_take_outbox_skip, 1, kTakeOutboxSkipSql.c_str(), 1, types), &limit, " ");
  else execute(prepared(g_take_outbox, 1, kTakeOutboxSql.c_str(), 1, types), &limit, " ");
  const uint64 taken = SPI_processed;
  SPITupleTable* rows = SPI_tuptable;
  ArrayBuildState *counted = nullptr, *announced = nullptr;
  for (uint64 i = 0; i < taken; i++) {
    bool isnull;
    const Datum id = SPI_getbinval(rows->vals[i], rows->tupdesc, 1, &isnull);
    if (DatumGetBool(SPI_getbinval(rows->vals[i], rows->tupdesc, 2, &isnull)))
      counted = accumArrayResult(counted, id, false, INT8OID, CurrentMemoryContext);
    if (DatumGetBool(SPI_getbinval(rows->vals[i], rows->tupdesc, 3, &isnull)))
      announced = accumArrayResult(announced, id, false, INT8OID, CurrentMemoryContext);
  }
  if (counted != nullptr) add_runs(makeArrayResult(counted, CurrentMemoryContext));
  if (announced != nullptr) emit_run_events(makeArrayResult(announced, CurrentMemoryContext));
  return static_cast<int64>(taken);
}

}  // namespace
}  // namespace pg_etl::pg

using namespace pg_etl::pg;

// etl._observe_run() RETURNS trigger, AFTER INSERT OR UPDATE ON etl.runs, with one
// argument: 'ended' (per row: a run that ends), 'events' (per row: a run that starts) or
// 'stats' (per statement on inserts, with the transition table). The triggers' WHEN
// clauses say which changes matter and honour pg_etl.metrics and pg_etl.events.
PG_ETL_FUNCTION(pg_etl_observe_run) {
  return pg_guard([&]() -> Datum {
    if (!CALLED_AS_TRIGGER(fcinfo)) elog(ERROR, "etl._observe_run() is a trigger function");
    TriggerData* td = reinterpret_cast<TriggerData*>(fcinfo->context);
    if (!TRIGGER_FIRED_AFTER(td->tg_event) || td->tg_trigger->tgnargs != 1)
      elog(ERROR, "etl._observe_run() must fire AFTER, with one argument");
    const char* mode = td->tg_trigger->tgargs[0];
    const bool stats = strcmp(mode, "stats") == 0;
    if (!TRIGGER_FIRED_FOR_ROW(td->tg_event)) {
      if (!stats || !TRIGGER_FIRED_BY_INSERT(td->tg_event)) elog(ERROR, "etl._observe_run(): only 'stats' on INSERT fires per statement");
      SPI_connect();
      add_inserted_runs(td);
      SPI_finish();
      return PointerGetDatum(nullptr);
    }
    HeapTuple row = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
    const Oid runs_type = RelationGetForm(td->tg_relation)->reltype;
    TupleDesc desc = RelationGetDescr(td->tg_relation);
    SPI_connect();
    if (strcmp(mode, "ended") == 0) observe_end(row, desc, runs_type);
    else if (strcmp(mode, "events") == 0) observe_start(row, desc);
    else elog(ERROR, "etl._observe_run('%s'): per row, the argument is 'ended' or 'events'", mode);
    SPI_finish();
    return PointerGetDatum(nullptr);
  });
}

// etl.process_run_outbox(batch_size int, skip_locked boolean) RETURNS int
PG_ETL_FUNCTION(pg_etl_process_run_outbox) {
  return pg_guard([&]() -> Datum {
    const int32 batch = PG_GETARG_INT32(0);
    const bool skip_locked = PG_GETARG_BOOL(1);
    if (batch < 1) ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("etl.process_run_outbox: batch_size must be at least 1, not %d", batch)));
    SPI_connect();
    const int64 taken = process_outbox(batch, skip_locked);
    SPI_finish();
    PG_RETURN_INT32(static_cast<int32>(taken));
  });
}

// etl._run_stats_add(run_ids bigint[]) RETURNS void: adds ended runs to etl.run_stats.
PG_ETL_FUNCTION(pg_etl_run_stats_add) {
  return pg_guard([&]() -> Datum {
    if (PG_ARGISNULL(0)) PG_RETURN_VOID();
    Datum ids = PG_GETARG_DATUM(0);
    SPI_connect();
    add_runs(ids);
    SPI_finish();
    PG_RETURN_VOID();
  });
}

// etl._emit(kind, severity, subject, payload, pipeline, run_id, owner, rejected,
// reject_rate) RETURNS bigint: queues an event and its deliveries, and wakes the
// delivering worker at commit when there is one. NULL when pg_etl.events is off, or for a
// run_started nobody listens to.
PG_ETL_FUNCTION(pg_etl_emit) {
  return pg_guard([&]() -> Datum {
    Datum values[9];
    char nulls[10] = "         ";
    for (int i = 0; i < 9; i++) {
      const bool null = i >= PG_NARGS() || PG_ARGISNULL(i);
      values[i] = null ? 0 : PG_GETARG_DATUM(i);
      nulls[i] = null ? 'n' : ' ';
    }
    for (int i = 0; i < 4; i++)
      if (nulls[i] == 'n') elog(ERROR, "etl._emit: kind, severity, subject and payload are required");
    if (!pg_etl::guc::events) PG_RETURN_NULL();
    SPI_connect();
    int64 id = 0;
    const bool announce = strcmp(TextDatumGetCString(values[0]), "run_started") == 0;
    if (!announce || run_started_listened(values[4], nulls[4] == 'n')) {
      Oid types[9] = {TEXTOID, TEXTOID, TEXTOID, JSONBOID, TEXTOID, INT8OID, NAMEOID, INT8OID, FLOAT8OID};
      execute(prepared(g_emit, 1, kEmitSql.c_str(), 9, types), values, nulls);
      bool isnull;
      id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
      if (DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)) > 0)
        pg_etl::worker::wake_maintenance_at_commit();
    }
    SPI_finish();
    if (id == 0) PG_RETURN_NULL();
    PG_RETURN_INT64(id);
  });
}
