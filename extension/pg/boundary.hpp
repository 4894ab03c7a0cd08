#pragma once
// The C++ / Postgres error boundary (DESIGN.md, "The C++ / Postgres error boundary").
//
// Postgres reports errors with longjmp; C++ with exceptions. Neither may cross the
// other, so every crossing goes through one of the three tools here:
//
//   PG_ETL_FUNCTION(name) { ... }   a SQL-callable function whose body is C++. Any
//       exception leaving the body is caught, the catch block is left, and only then
//       is a Postgres ERROR raised with the exception's SQLSTATE.
//   cpp_boundary(lambda)            the same for other entry points (bgworker main,
//       hooks, callbacks).
//   pg_guard(lambda)                C++ calling into Postgres code that may elog(ERROR):
//       the error is caught with sigsetjmp, copied, and rethrown as PgError so C++
//       destructors run on the way out. No object with a destructor may live inside
//       the lambda itself (a longjmp out of it would skip that destructor).
//
// Swallowing a Postgres error and going on needs a subtransaction: see subtransaction.hpp.
#include <exception>
#include <type_traits>

#include "extension/pg/postgres.hpp"

namespace pg_etl::pg {

// A Postgres ERROR caught by pg_guard, travelling through C++ frames. It keeps the
// whole ErrorData (SQLSTATE, message, detail, hint, context), so re-raising it at the
// boundary shows the user exactly the error Postgres produced.
class PgError : public std::exception {
 public:
  explicit PgError(ErrorData* edata) noexcept : edata_(edata) {}
  const char* what() const noexcept override;
  ErrorData* edata() const noexcept { return edata_; }
  int sqlerrcode() const noexcept { return edata_->sqlerrcode; }

 private:
  ErrorData* edata_;  // palloc'd in the memory context that was current in pg_guard
};

namespace detail {
// Records the exception being handled (call only inside a catch block). Never throws,
// never allocates: the message is copied into static buffers.
void capture_current_exception() noexcept;
// Raises the captured exception as a Postgres ERROR. Call outside any catch block.
[[noreturn]] void raise_captured();
// Copies the current Postgres error out of ErrorContext and clears it.
ErrorData* take_error_data(MemoryContext into);
}  // namespace detail

// Runs body; turns any C++ exception into a Postgres ERROR after unwinding.
template <typename F>
auto cpp_boundary(F&& body) noexcept -> decltype(body()) {
  sigjmp_buf* saved_exception_stack = PG_exception_stack;
  ErrorContextCallback* saved_context_stack = error_context_stack;
  try {
    return body();
  } catch (...) {
    detail::capture_current_exception();
  }
  // A C++ exception that left a PG_TRY block skipped its PG_END_TRY; put Postgres'
  // error stacks back before raising, or the ERROR would jump into a dead frame.
  PG_exception_stack = saved_exception_stack;
  error_context_stack = saved_context_stack;
  detail::raise_captured();
}

// Runs f, which calls Postgres; a Postgres ERROR becomes a PgError exception.
template <typename F>
auto pg_guard(F&& f) -> decltype(f()) {
  using Result = decltype(f());
  MemoryContext caller_context = CurrentMemoryContext;
  ErrorData* volatile edata = nullptr;
  std::exception_ptr cpp_exception;  // a C++ throw inside f must not skip PG_END_TRY
  if constexpr (std::is_void_v<Result>) {
    PG_TRY();
    {
      try { f(); } catch (...) { cpp_exception = std::current_exception(); }
    }
    PG_CATCH();
    {
      edata = detail::take_error_data(caller_context);
    }
    PG_END_TRY();
    if (edata) throw PgError(edata);
    if (cpp_exception) std::rethrow_exception(cpp_exception);
  } else {
    static_assert(std::is_scalar_v<Result>, "pg_guard returns scalars (Datum, pointers, numbers) only");
    volatile Result result{};  // volatile: assigned between sigsetjmp and a possible longjmp
    PG_TRY();
    {
      try { result = f(); } catch (...) { cpp_exception = std::current_exception(); }
    }
    PG_CATCH();
    {
      edata = detail::take_error_data(caller_context);
    }
    PG_END_TRY();
    if (edata) throw PgError(edata);
    if (cpp_exception) std::rethrow_exception(cpp_exception);
    return result;
  }
}

// CHECK_FOR_INTERRUPTS for C++ code: a cancel, statement_timeout or terminate
// arrives as a PgError exception, so destructors run on the way out.
void check_for_interrupts();

}  // namespace pg_etl::pg

// Defines a SQL-callable function (LANGUAGE C, version-1 calling convention) whose body
// is C++ run inside cpp_boundary. Use the usual PG_GETARG_* macros on fcinfo.
#define PG_ETL_FUNCTION(name)                                                        \
  static Datum name##_body([[maybe_unused]] FunctionCallInfo fcinfo);                \
  extern "C" {                                                                       \
  PG_FUNCTION_INFO_V1(name);                                                         \
  }                                                                                  \
  Datum name(PG_FUNCTION_ARGS) {                                                     \
    return ::pg_etl::pg::cpp_boundary([fcinfo]() { return name##_body(fcinfo); });   \
  }                                                                                  \
  static Datum name##_body([[maybe_unused]] FunctionCallInfo fcinfo)
