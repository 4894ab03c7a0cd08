#pragma once
// Small inline SVG charts for the status page: no JavaScript, no external assets.
// Styled by the page's CSS classes (chart, grid, axis, bar, mark, line-N, dot-N,
// legend). Every data point carries a <title>, which browsers show on hover.
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pg_etl::svg {

struct Axis {
  std::vector<std::string> slots;         // one name per slot (its tooltip), e.g. "10:00 UTC"
  std::vector<std::string> ticks;         // the x-axis label under each slot ("" for none)
  std::function<std::string(double)> format_value;  // the y axis' and tooltips' numbers
};

struct Series {
  std::string name;
  std::vector<std::optional<double>> values;  // one per slot; nullopt breaks a line
};

// Bars of values, with marks (e.g. failed runs: counts) as red ticks under the slots
// that have any. aria_label describes the chart for screen readers.
std::string bar_chart(const Axis& axis, const Series& bars, const Series& marks, const std::string& aria_label);

// Lines, one per series (line-0, line-1, ...), with a legend.
std::string line_chart(const Axis& axis, const std::vector<Series>& lines, const std::string& aria_label);

// The smallest 1, 2 or 5 times a power of ten at or above v (1 for v <= 0).
double nice_ceiling(double v);

}  // namespace pg_etl::svg
