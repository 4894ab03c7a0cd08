#pragma once
// Per-call-site state for row-by-row SQL functions (a compiled format, a type's I/O
// functions, a decrypted key): built on the first call of a query, kept in fn_extra and
// destroyed with the query's function memory context, so a million calls pay the set-up
// once and a cancelled query leaks nothing.
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "extension/pg/boundary.hpp"

namespace pg_etl::pg {

// The T cached for this call site, built by make() when there is none, or when
// still_valid(const T&) says the cached one no longer fits this call's arguments (a
// format that changes from row to row).
template <typename T, typename Make, typename Valid>
T& call_cache(FunctionCallInfo fcinfo, Make&& make, Valid&& still_valid) {
  FmgrInfo* flinfo = fcinfo->flinfo;
  struct Slot {
    MemoryContextCallback callback;
    T* object;
  };
  Slot* slot = static_cast<Slot*>(flinfo->fn_extra);
  if (slot && slot->object && still_valid(*slot->object)) return *slot->object;
  std::unique_ptr<T> fresh(new T(make()));
  if (!slot) {
    slot = pg_guard([&] { return static_cast<Slot*>(MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(Slot))); });
    slot->callback.func = [](void* arg) {
      Slot* s = static_cast<Slot*>(arg);
      delete s->object;
      s->object = nullptr;
    };
    slot->callback.arg = slot;
    pg_guard([&] { MemoryContextRegisterResetCallback(flinfo->fn_mcxt, &slot->callback); });
    flinfo->fn_extra = slot;
  }
  delete slot->object;
  slot->object = fresh.release();
  return *slot->object;
}

template <typename T, typename Make>
T& call_cache(FunctionCallInfo fcinfo, Make&& make) {
  return call_cache<T>(fcinfo, std::forward<Make>(make), [](const T&) { return true; });
}

// Options read from varlena argument n (a jsonb options object, a text[] of formats) by
// parse(), parsed again only when the argument's bytes change.
template <typename T, typename Parse>
T& parsed_arg_cache(FunctionCallInfo fcinfo, std::string_view arg_bytes, Parse&& parse) {
  struct Cached {
    std::string key;
    T value;
  };
  return call_cache<Cached>(
             fcinfo, [&] { return Cached{std::string(arg_bytes), parse()}; },
             [&](const Cached& c) { return c.key == arg_bytes; })
      .value;
}

}  // namespace pg_etl::pg
