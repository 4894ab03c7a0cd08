#include "core/status_page.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/html_text.hpp"
#include "core/svg_chart.hpp"
#include "core/url.hpp"

namespace pg_etl {

namespace {

using nlohmann::json;

constexpr std::string_view kStyle = R"css(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: #1f2328; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
header { background: #1f2937; color: #f9fafb; padding: 18px 32px; display: flex; align-items: baseline; gap: 18px; flex-wrap: wrap; }
header h1 { margin: 0; font-size: 22px; letter-spacing: .5px; }
header .meta { color: #d1d5db; font-size: 14px; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 40px; }
section { background: #fff; border: 1px solid #e3e6ea; border-radius: 10px; padding: 18px 22px; margin-bottom: 22px; }
h2 { font-size: 17px; margin: 0 0 12px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 14px; background: none; border: 0; padding: 0; }
.card { background: #fff; border: 1px solid #e3e6ea; border-radius: 10px; padding: 14px 18px; }
.card .value { font-size: 26px; font-weight: 650; }
.card .label { color: #57606a; font-size: 13px; }
.card.bad .value { color: #b42318; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-size: 12px; text-transform: uppercase; letter-spacing: .4px; color: #57606a; border-bottom: 2px solid #e3e6ea; padding: 8px 10px; }
td { border-bottom: 1px solid #eef0f2; padding: 9px 10px; vertical-align: top; }
tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.name { font-weight: 600; }
.kind { color: #57606a; font-size: 12px; margin-left: 6px; }
.sub { color: #57606a; font-size: 13px; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 13px; font-weight: 600; }
.ok { background: #dcfce7; color: #166534; }
.failing { background: #fee2e2; color: #991b1b; }
.running { background: #dbeafe; color: #1e40af; }
.paused, .never { background: #eceff3; color: #475467; }
.status-succeeded { color: #166534; font-weight: 600; }
.status-failed, .status-dead { color: #b42318; font-weight: 600; }
.status-cancelled { color: #475467; font-weight: 600; }
.error { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 13px; white-space: pre-wrap; word-break: break-word; color: #7a271a; background: #fef3f2; border-radius: 6px; padding: 6px 9px; margin: 0; }
.empty { color: #57606a; font-style: italic; margin: 4px 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 22px; background: none; border: 0; padding: 0; }
.charts section { margin: 0; }
svg.chart { width: 100%; height: auto; display: block; }
.grid { stroke: #e5e7eb; stroke-width: 1; }
.axis, .legend { fill: #57606a; font-size: 11px; }
.bar { fill: #3b82f6; }
.mark, .legend-mark { fill: #dc2626; }
.legend-bar { fill: #3b82f6; }
.line-0, .line-1 { fill: none; stroke-width: 2; }
.line-0 { stroke: #2563eb; } .dot-0, .legend-0 { fill: #2563eb; }
.line-1 { stroke: #f59e0b; } .dot-1, .legend-1 { fill: #f59e0b; }
form { display: flex; gap: 8px; margin-bottom: 14px; }
input[type=text] { flex: 1; max-width: 420px; font: inherit; padding: 6px 10px; border: 1px solid #c9ced6; border-radius: 6px; }
button { font: inherit; padding: 6px 14px; border: 0; border-radius: 6px; background: #1f2937; color: #fff; }
a { color: #1d4ed8; text-decoration: none; }
a:hover { text-decoration: underline; }
.lineage { display: grid; grid-template-columns: 1fr 1fr; gap: 22px; }
.lineage h3 { font-size: 14px; margin: 0 0 8px; color: #344054; }
footer { color: #57606a; font-size: 13px; text-align: center; }
)css";

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<double> number(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

int64_t integer(const json& j, const char* key) {
  auto v = number(j, key);
  return v ? static_cast<int64_t>(*v) : 0;
}

const json& array(const json& j, const char* key) {
  static const json empty = json::array();
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : empty;
}

// A time from the report as "5 min ago", with the exact time as a tooltip.
std::string when(const std::string& iso, int64_t now, const char* missing = "never") {
  if (iso.empty()) return std::string("<span class=\"sub\">") + missing + "</span>";
  auto t = html::parse_utc(iso);
  if (!t) return html::escape(iso);
  return "<span title=\"" + html::escape(html::utc_minutes(iso)) + "\">" + html::escape(html::relative(*t, now)) + "</span>";
}

std::string dataset_link(const std::string& dataset) {
  return "<a href=\"?dataset=" + html::escape(percent_encode(dataset)) + "\">" + html::escape(dataset) + "</a>";
}

std::string state_badge(const json& p) {
  const std::string status = str(p, "last_status");
  if (p.value("paused", false)) return "<span class=\"badge paused\">paused</span>";
  if (integer(p, "running") > 0) return "<span class=\"badge running\">running</span>";
  if (status == "failed" || status == "dead") return "<span class=\"badge failing\">failing</span>";
  if (status.empty()) return "<span class=\"badge never\">never run</span>";
  return "<span class=\"badge ok\">ok</span>";
}

void summary(std::string& out, const json& report) {
  int64_t active = 0, paused = 0, running = 0, queued = 0, failed = 0, rows = 0;
  for (const json& p : array(report, "pipelines")) {
    (p.value("paused", false) ? paused : active)++;
    running += integer(p, "running");
    queued += integer(p, "queued");
  }
  for (const json& h : array(report, "hourly")) {
    failed += integer(h, "failed");
    rows += integer(h, "rows_written");
  }
  auto card = [&](const std::string& value, const std::string& label, bool bad = false) {
    out += std::string("<div class=\"card") + (bad ? " bad" : "") + "\"><div class=\"value\">" + value +
           "</div><div class=\"label\">" + label + "</div></div>";
  };
  out += "<section class=\"cards\">";
  card(html::count(active + paused), "pipelines and workflows" + (paused ? " (" + html::count(paused) + " paused)" : std::string()));
  card(html::count(running), "running now");
  card(html::count(queued), "queued");
  card(html::count(failed), "failed runs, last 48 h", failed > 0);
  card(html::count(rows), "rows written, last 48 h");
  out += "</section>";
}

void pipelines_table(std::string& out, const json& report, int64_t now) {
  const json& pipelines = array(report, "pipelines");
  out += "<section id=\"pipelines\"><h2>Pipelines</h2>";
  if (pipelines.empty()) {
    out += "<p class=\"empty\">No pipelines yet: create one with etl.create_pipeline(name, source, target).</p></section>";
    return;
  }
  out += "<table><thead><tr><th>Name</th><th>State</th><th>Last run</th><th>Last success</th><th>Next run</th>"
         "<th class=\"num\">Rows</th><th class=\"num\">Failures</th></tr></thead><tbody>";
  for (const json& p : pipelines) {
    const std::string status = str(p, "last_status");
    out += "<tr><td><span class=\"name\">" + html::escape(str(p, "name")) + "</span><span class=\"kind\">" +
           html::escape(str(p, "kind")) + "</span>";
    if (!str(p, "schedule").empty()) out += "<div class=\"sub\">" + html::escape(str(p, "schedule")) + "</div>";
    out += "</td><td>" + state_badge(p);
    if (integer(p, "queued") > 0) out += " <span class=\"sub\">" + html::count(integer(p, "queued")) + " queued</span>";
    out += "</td><td>";
    if (status.empty()) {
      out += "<span class=\"sub\">never</span>";
    } else {
      out += "<span class=\"status-" + html::escape(status) + "\">" + html::escape(status) + "</span> " +
             when(str(p, "last_finished_at"), now);
      out += "<div class=\"sub\">run " + html::count(integer(p, "last_run_id"));
      if (auto d = number(p, "last_duration")) out += ", took " + html::escape(html::duration(*d));
      out += "</div>";
    }
    out += "</td><td>" + when(str(p, "last_success_at"), now) + "</td><td>";
    if (p.value("paused", false)) out += "<span class=\"sub\">paused</span>";
    else out += when(str(p, "next_run_at"), now, "not scheduled");
    out += "</td><td class=\"num\">" + html::count(integer(p, "rows_written"));
    if (integer(p, "rows_rejected") > 0)
      out += "<div class=\"sub\">" + html::count(integer(p, "rows_rejected")) + " rejected</div>";
    out += "</td><td class=\"num\">" + html::count(integer(p, "failures")) + "</td></tr>";
  }
  out += "</tbody></table></section>";
}

void charts(std::string& out, const json& report) {
  const json& hourly = array(report, "hourly");
  svg::Axis axis;
  svg::Series rows{"rows written", {}}, failed{"failed runs", {}}, p50{"p50", {}}, p95{"p95", {}};
  bool any_runs = false;
  for (size_t i = 0; i < hourly.size(); i++) {
    const std::string hour = str(hourly[i], "hour");
    const std::string hh = hour.size() >= 16 ? hour.substr(11, 5) : hour;
    axis.slots.push_back(html::utc_minutes(hour));
    axis.ticks.push_back(i % 6 == 0 ? hh : "");
    rows.values.push_back(number(hourly[i], "rows_written"));
    failed.values.push_back(number(hourly[i], "failed"));
    p50.values.push_back(number(hourly[i], "p50_seconds"));
    p95.values.push_back(number(hourly[i], "p95_seconds"));
    any_runs = any_runs || integer(hourly[i], "runs") > 0;
  }
  out += "<div class=\"charts\"><section id=\"throughput\"><h2>Throughput <span class=\"sub\">rows written per hour, "
         "last 48 h (UTC)</span></h2>";
  if (!any_runs) {
    out += "<p class=\"empty\">No runs ended in the last 48 hours.</p></section><section id=\"latency\"><h2>Latency</h2>"
           "<p class=\"empty\">No runs ended in the last 48 hours.</p></section></div>";
    return;
  }
  axis.format_value = [](double v) { return html::count(static_cast<int64_t>(v + 0.5)); };
  out += svg::bar_chart(axis, rows, failed, "Rows written per hour over the last 48 hours, failed runs marked in red");
  out += "</section><section id=\"latency\"><h2>Latency <span class=\"sub\">run duration per hour, p50 and p95</span></h2>";
  axis.format_value = [](double v) { return html::duration(v); };
  out += svg::line_chart(axis, {p50, p95}, "Run duration per hour over the last 48 hours: median and 95th percentile");
  out += "</section></div>";
}

void failures_table(std::string& out, const json& report, int64_t now) {
  const json& failures = array(report, "failures");
  out += "<section id=\"failures\"><h2>Recent failures</h2>";
  if (failures.empty()) {
    out += "<p class=\"empty\">No failed runs.</p></section>";
    return;
  }
  out += "<table><thead><tr><th>When</th><th>Pipeline</th><th>Run</th><th>Status</th><th>SQLSTATE</th><th>Error</th>"
         "</tr></thead><tbody>";
  for (const json& f : failures) {
    out += "<tr><td>" + when(str(f, "finished_at"), now, "-") + "</td><td><span class=\"name\">" +
           html::escape(str(f, "pipeline")) + "</span><span class=\"kind\">" + html::escape(str(f, "kind")) +
           "</span></td><td class=\"num\">" + html::count(integer(f, "run_id")) + "<div class=\"sub\">attempt " +
           html::count(integer(f, "attempt")) + "</div></td><td><span class=\"status-" + html::escape(str(f, "status")) +
           "\">" + html::escape(str(f, "status")) + "</span></td><td>" + html::escape(str(f, "sqlstate")) +
           "</td><td><pre class=\"error\">" + html::escape(str(f, "error")) + "</pre></td></tr>";
  }
  out += "</tbody></table></section>";
}

void lineage_list(std::string& out, const json& edges, const char* title, const char* neighbour_key, const char* none) {
  out += std::string("<div><h3>") + title + "</h3>";
  if (edges.empty()) {
    out += std::string("<p class=\"empty\">") + none + "</p></div>";
    return;
  }
  out += "<table><thead><tr><th class=\"num\">Hop</th><th>Dataset</th><th>Via</th></tr></thead><tbody>";
  for (const json& e : edges) {
    out += "<tr><td class=\"num\">" + html::count(integer(e, "level")) + "</td><td>" + dataset_link(str(e, "dataset")) +
           "<span class=\"kind\">" + html::escape(str(e, "kind")) + "</span><div class=\"sub\">" +
           std::string(neighbour_key) + " " + html::escape(str(e, neighbour_key == std::string_view("feeds") ? "next_to" : "next_to")) +
           "</div></td><td>" + html::escape(str(e, "via_pipeline")) + "</td></tr>";
  }
  out += "</tbody></table></div>";
}

void lineage(std::string& out, const json& report) {
  const auto it = report.find("dataset");
  const bool shown = it != report.end() && it->is_object();
  const std::string name = shown ? str(*it, "name") : std::string();
  out += "<section id=\"lineage\"><h2>Lineage</h2><form method=\"get\" action=\"\"><input type=\"text\" name=\"dataset\" "
         "placeholder=\"a table (schema.table) or a file URL\" value=\"" + html::escape(name) +
         "\"><button type=\"submit\">Show lineage</button></form>";
  if (!shown) {
    out += "<p class=\"empty\">Name a dataset to see what fed it and what it fed.</p></section>";
    return;
  }
  out += "<p>Dataset <span class=\"name\">" + html::escape(name) + "</span></p><div class=\"lineage\">";
  lineage_list(out, array(*it, "upstream"), "Upstream: what fed it", "feeds", "Nothing recorded upstream.");
  lineage_list(out, array(*it, "downstream"), "Downstream: what it fed", "fed by", "Nothing recorded downstream.");
  out += "</div></section>";
}

}  // namespace

std::string render_status_page(const json& report) {
  const std::string generated = str(report, "generated_at");
  const int64_t now = html::parse_utc(generated).value_or(0);
  const std::string database = str(report, "database");
  std::string out;
  out.reserve(64 * 1024);
  out += "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<meta http-equiv=\"refresh\" content=\"60\"><title>pg_etl status: " + html::escape(database) + "</title><style>";
  out += kStyle;
  out += "</style></head><body><header><h1>pg_etl status</h1><span class=\"meta\">database " + html::escape(database) +
         " &middot; pg_etl " + html::escape(str(report, "version")) + " &middot; " +
         html::escape(html::utc_minutes(generated)) + "</span></header><main>";
  summary(out, report);
  pipelines_table(out, report, now);
  charts(out, report);
  failures_table(out, report, now);
  lineage(out, report);
  out += "<footer>Served by the pg_etl http background worker &middot; <a href=\"metrics\">/metrics</a> &middot; "
         "<a href=\"status.json\">/status.json</a></footer></main></body></html>";
  return out;
}

}  // namespace pg_etl
