#include "core/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/html_text.hpp"

namespace pg_etl::svg {

namespace {

constexpr double kWidth = 720, kHeight = 200;
constexpr double kLeft = 64, kRight = 16, kTop = 24, kBottom = 48;  // plot area margins
constexpr double kPlotWidth = kWidth - kLeft - kRight, kPlotHeight = kHeight - kTop - kBottom;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

double max_of(const std::vector<Series>& series) {
  double m = 0;
  for (const Series& s : series)
    for (const auto& v : s.values)
      if (v && std::isfinite(*v)) m = std::max(m, *v);
  return m;
}

// The frame: title, horizontal grid lines with their values, x-axis ticks.
void open_chart(std::string& out, const Axis& axis, double top_value, const std::string& aria_label) {
  out += "<svg class=\"chart\" viewBox=\"0 0 " + num(kWidth) + " " + num(kHeight) +
         "\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\" aria-label=\"" + html::escape(aria_label) + "\">";
  out += "<title>" + html::escape(aria_label) + "</title>";
  for (int i = 0; i <= 2; i++) {
    const double y = kTop + kPlotHeight * (1 - i / 2.0);
    out += "<line class=\"grid\" x1=\"" + num(kLeft) + "\" x2=\"" + num(kWidth - kRight) + "\" y1=\"" + num(y) +
           "\" y2=\"" + num(y) + "\"/>";
    out += "<text class=\"axis\" x=\"" + num(kLeft - 6) + "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\">" +
           html::escape(axis.format_value(top_value * i / 2)) + "</text>";
  }
  const double slot = axis.slots.empty() ? kPlotWidth : kPlotWidth / static_cast<double>(axis.slots.size());
  for (size_t i = 0; i < axis.ticks.size() && i < axis.slots.size(); i++) {
    if (axis.ticks[i].empty()) continue;
    const double x = kLeft + slot * (static_cast<double>(i) + 0.5);
    out += "<text class=\"axis\" x=\"" + num(x) + "\" y=\"" + num(kHeight - 10) + "\" text-anchor=\"middle\">" +
           html::escape(axis.ticks[i]) + "</text>";
  }
}

}  // namespace

double nice_ceiling(double v) {
  if (!(v > 0) || !std::isfinite(v)) return 1;
  const double p = std::pow(10, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= v * (1 - 1e-12)) return m * p;
  return 10 * p;
}

std::string bar_chart(const Axis& axis, const Series& bars, const Series& marks, const std::string& aria_label) {
  const double top = nice_ceiling(max_of({bars}));
  std::string out;
  open_chart(out, axis, top, aria_label);
  const size_t n = axis.slots.size();
  const double slot = n == 0 ? kPlotWidth : kPlotWidth / static_cast<double>(n);
  const double bar_width = std::max(1.0, slot * 0.72);
  for (size_t i = 0; i < n; i++) {
    const double x = kLeft + slot * static_cast<double>(i) + (slot - bar_width) / 2;
    const double v = i < bars.values.size() && bars.values[i] ? *bars.values[i] : 0;
    if (v > 0) {
      const double h = std::max(1.0, kPlotHeight * v / top);
      out += "<rect class=\"bar\" x=\"" + num(x) + "\" y=\"" + num(kTop + kPlotHeight - h) + "\" width=\"" + num(bar_width) +
             "\" height=\"" + num(h) + "\"><title>" + html::escape(axis.slots[i] + ": " + axis.format_value(v) + " " + bars.name) +
             "</title></rect>";
    }
    const double m = i < marks.values.size() && marks.values[i] ? *marks.values[i] : 0;
    if (m > 0)
      out += "<rect class=\"mark\" x=\"" + num(x) + "\" y=\"" + num(kTop + kPlotHeight + 6) + "\" width=\"" + num(bar_width) +
             "\" height=\"8\"><title>" + html::escape(axis.slots[i] + ": " + html::count(static_cast<int64_t>(m)) + " " + marks.name) +
             "</title></rect>";
  }
  out += "<text class=\"legend\" x=\"" + num(kLeft) + "\" y=\"14\"><tspan class=\"legend-bar\">&#9632;</tspan> " +
         html::escape(bars.name) + "   <tspan class=\"legend-mark\">&#9632;</tspan> " + html::escape(marks.name) + "</text>";
  out += "</svg>";
  return out;
}

std::string line_chart(const Axis& axis, const std::vector<Series>& lines, const std::string& aria_label) {
  const double top = nice_ceiling(max_of(lines));
  std::string out;
  open_chart(out, axis, top, aria_label);
  const size_t n = axis.slots.size();
  const double slot = n == 0 ? kPlotWidth : kPlotWidth / static_cast<double>(n);
  std::string legend = "<text class=\"legend\" x=\"" + num(kLeft) + "\" y=\"14\">";
  for (size_t k = 0; k < lines.size(); k++) {
    const Series& s = lines[k];
    const std::string cls = std::to_string(k);
    std::string points, dots;
    auto flush = [&] {
      if (!points.empty()) out += "<polyline class=\"line-" + cls + "\" points=\"" + points + "\"/>";
      points.clear();
    };
    for (size_t i = 0; i < n; i++) {
      const auto& v = i < s.values.size() ? s.values[i] : std::nullopt;
      if (!v || !std::isfinite(*v)) {
        flush();
        continue;
      }
      const double x = kLeft + slot * (static_cast<double>(i) + 0.5), y = kTop + kPlotHeight * (1 - *v / top);
      points += (points.empty() ? "" : " ") + num(x) + "," + num(y);
      dots += "<circle class=\"dot-" + cls + "\" cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"2.5\"><title>" +
              html::escape(axis.slots[i] + ": " + s.name + " " + axis.format_value(*v)) + "</title></circle>";
    }
    flush();
    out += dots;
    legend += "<tspan class=\"legend-" + cls + "\">&#9632;</tspan> " + html::escape(s.name) + "   ";
  }
  out += legend + "</text></svg>";
  return out;
}

}  // namespace pg_etl::svg
