#include "core/prometheus_text.hpp"

#include <charconv>
#include <cmath>

namespace pg_etl::prometheus {

void append_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

void append_help(std::string& out, std::string_view help) {
  for (char c : help) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

void append_value(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    append_value(out, static_cast<int64_t>(value));  // 3, not 3e+00
  } else {
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof buf, value);  // shortest text that reads back exactly
    out.append(buf, res.ptr);
  }
}

void append_value(std::string& out, int64_t value) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, res.ptr);
}

void TextWriter::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  append_help(out_, help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void TextWriter::begin_sample(std::string_view name, std::initializer_list<Label> labels) {
  out_ += name;
  if (labels.size() > 0) {
    char sep = '{';
    for (const Label& l : labels) {
      out_ += sep;
      out_ += l.name;
      out_ += "=\"";
      append_label_value(out_, l.value);
      out_ += '"';
      sep = ',';
    }
    out_ += '}';
  }
  out_ += ' ';
}

void TextWriter::sample(std::string_view name, std::initializer_list<Label> labels, double value) {
  begin_sample(name, labels);
  append_value(out_, value);
  out_ += '\n';
}

void TextWriter::sample(std::string_view name, std::initializer_list<Label> labels, int64_t value) {
  begin_sample(name, labels);
  append_value(out_, value);
  out_ += '\n';
}

}  // namespace pg_etl::prometheus
