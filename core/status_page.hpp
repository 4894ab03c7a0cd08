#pragma once
// The status page (GET / of the pg_etl http worker): pipelines with their last and next
// runs, recent failures with their errors, throughput and latency charts of the last 48
// hours, and a dataset's lineage, rendered from etl.status_report()'s JSON (its shape is
// documented there). One self-contained HTML document: inline CSS and SVG, no
// JavaScript. Every string that comes from the database is HTML-escaped.
#include <string>

#include <nlohmann/json.hpp>

namespace pg_etl {

std::string render_status_page(const nlohmann::json& report);

}  // namespace pg_etl
