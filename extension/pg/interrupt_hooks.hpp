#pragma once
namespace pg_etl::pg {
// Makes core/interrupts.hpp's check_interrupts() and interrupt_pending() answer for
// this backend. Called once from _PG_init.
void install_interrupt_hooks();
}  // namespace pg_etl::pg
