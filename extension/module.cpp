// Module entry: PG_MODULE_MAGIC and _PG_init. Functions work whether or not pg_etl is
// preloaded; the background worker is registered only from shared_preload_libraries.
#include "extension/guc.hpp"
#include "extension/pg/boundary.hpp"
#include "extension/pg/interrupt_hooks.hpp"
#include "worker/http_server.hpp"
#include "worker/launcher.hpp"
#include "worker/shared_state.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);
}

void _PG_init(void) {
  pg_etl::pg::cpp_boundary([] {
    pg_etl::guc::define();
    pg_etl::pg::install_interrupt_hooks();
    if (process_shared_preload_libraries_in_progress) {
      pg_etl::worker::request_shared_state();
      pg_etl::worker::register_launcher();
      pg_etl::worker::register_http_server();
    }
  });
}
