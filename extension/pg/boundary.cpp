#include "extension/pg/boundary.hpp"

#include <cstring>
#include <new>

#include "core/error.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl::pg {

const char* PgError::what() const noexcept {
  return edata_ && edata_->message ? edata_->message : "PostgreSQL error";
}

namespace detail {
namespace {

// Static storage: capturing must not allocate (we may be handling bad_alloc) and must
// not palloc inside a catch block (a palloc failure would longjmp out of it).
struct Captured {
  ErrorData* pg_error = nullptr;
  char sqlstate[6] = "XX000";
  char message[8192] = "";
  char detail[4096] = "";
  char hint[1024] = "";
};
Captured g_captured;

void copy_text(char* dst, size_t size, const char* src) {
  strlcpy(dst, src ? src : "", size);
}

void set_captured(const char* sqlstate, const char* message, const char* detail, const char* hint) {
  g_captured.pg_error = nullptr;
  copy_text(g_captured.sqlstate, sizeof g_captured.sqlstate, sqlstate);
  copy_text(g_captured.message, sizeof g_captured.message, message);
  copy_text(g_captured.detail, sizeof g_captured.detail, detail);
  copy_text(g_captured.hint, sizeof g_captured.hint, hint);
}

}  // namespace

void capture_current_exception() noexcept {
  try {
    throw;
  } catch (const PgError& e) {
    g_captured.pg_error = e.edata();
  } catch (const pg_etl::Error& e) {
    set_captured(e.sqlstate().c_str(), e.what(), e.detail().c_str(), e.hint().c_str());
  } catch (const std::bad_alloc&) {
    set_captured(sqlstate::kOutOfMemory, "out of memory in pg_etl", "", "");
  } catch (const std::exception& e) {
    set_captured(sqlstate::kInternalError, e.what(), "", "");
  } catch (...) {
    set_captured(sqlstate::kInternalError, "unknown C++ exception in pg_etl", "", "");
  }
}

void raise_captured() {
  if (ErrorData* edata = g_captured.pg_error) {
    g_captured.pg_error = nullptr;
    ReThrowError(edata);
  }
  const char* s = g_captured.sqlstate;
  ereport(ERROR, (errcode(MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4])),
                  errmsg_internal("%s", g_captured.message),
                  g_captured.detail[0] ? errdetail_internal("%s", g_captured.detail) : 0,
                  g_captured.hint[0] ? errhint("%s", g_captured.hint) : 0));
  pg_unreachable();
}

ErrorData* take_error_data(MemoryContext into) {
  MemoryContextSwitchTo(into);
  ErrorData* edata = CopyErrorData();
  FlushErrorState();
  return edata;
}

}  // namespace detail

void check_for_interrupts() {
  if (INTERRUPTS_PENDING_CONDITION()) pg_guard([] { ProcessInterrupts(); });
}

}  // namespace pg_etl::pg
