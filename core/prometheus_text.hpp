#pragma once
// Prometheus' text exposition format, version 0.0.4: "# HELP" and "# TYPE" lines, then
// one line per sample, name{label="value",...} value. Label values escape \, " and
// newlines; HELP text escapes \ and newlines; values are Go-style floats (+Inf, -Inf,
// NaN), integers printed exactly.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace pg_etl::prometheus {

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

struct Label {
  std::string_view name;
  std::string_view value;
};

void append_label_value(std::string& out, std::string_view value);
void append_help(std::string& out, std::string_view help);
void append_value(std::string& out, double value);
void append_value(std::string& out, int64_t value);

class TextWriter {
 public:
  // Starts a metric family: its samples must follow before the next family.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, std::initializer_list<Label> labels, double value);
  void sample(std::string_view name, std::initializer_list<Label> labels, int64_t value);
  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }
  void reserve(size_t bytes) { out_.reserve(bytes); }

 private:
  void begin_sample(std::string_view name, std::initializer_list<Label> labels);
  std::string out_;
};

}  // namespace pg_etl::prometheus
