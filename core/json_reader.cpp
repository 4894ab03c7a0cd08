#include "core/json_reader.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>

#include "core/error.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {

namespace od = simdjson::ondemand;

// Where each projected column is found: a tree of keys/indexes; leaves name columns.
struct JsonReader::Impl {
  struct Node {
    std::vector<std::pair<std::string, int>> keys;
    std::vector<std::pair<size_t, int>> indexes;
    std::vector<int> columns;
  };
  std::vector<Node> nodes{Node{}};
  size_t ncolumns = 0;
  bool projected = false;
  int rest_column = -1;  // the column that takes the fields no other column takes
  std::string rest;      // its value for the current record
  od::parser parser;
  // A column that takes a whole object while other columns read inside it: the object's
  // text is parsed again, one extra parser per such nesting level.
  std::vector<std::unique_ptr<od::parser>> nested;
  const char* window_end = nullptr;  // readable (padded) end of the current window

  int child(int node, const JsonPathStep& step) {
    if (step.kind == JsonPathStep::kKey) {
      for (auto& [k, idx] : nodes[node].keys)
        if (k == step.key) return idx;
      nodes.push_back(Node{});
      nodes[node].keys.emplace_back(step.key, static_cast<int>(nodes.size() - 1));
    } else {
      for (auto& [k, idx] : nodes[node].indexes)
        if (k == step.index) return idx;
      nodes.push_back(Node{});
      nodes[node].indexes.emplace_back(step.index, static_cast<int>(nodes.size() - 1));
    }
    return static_cast<int>(nodes.size() - 1);
  }
};

namespace {

bool is_ws(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim_ws(std::string_view s) {
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return s;
}

// The exact text of a number or literal (documents and values spell this differently).
simdjson::error_code raw_token(od::value& v, std::string_view& s) {
  s = v.raw_json_token();
  return simdjson::SUCCESS;
}
simdjson::error_code raw_token(od::document& d, std::string_view& s) { return d.raw_json_token().get(s); }

// Reads one value (an on-demand value, or a whole document) into out.
template <typename V>
simdjson::error_code take_value(V& v, Value& out) {
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  switch (t) {
    case od::json_type::null:
      out = Value{{}, ValueKind::kNull};
      return simdjson::SUCCESS;
    case od::json_type::string: {
      std::string_view s;
      if (auto e = v.get_string().get(s)) return e;
      out = Value{s, ValueKind::kJsonString};
      return simdjson::SUCCESS;
    }
    case od::json_type::number:
    case od::json_type::boolean: {
      std::string_view s;
      if (auto e = raw_token(v, s)) return e;
      s = trim_ws(s);
      if (t == od::json_type::boolean && s != "true" && s != "false") return simdjson::INCORRECT_TYPE;
      out = Value{s, ValueKind::kJsonRaw};
      return simdjson::SUCCESS;
    }
    case od::json_type::object: {
      od::object o;
      if (auto e = v.get_object().get(o)) return e;
      std::string_view s;
      if (auto e = o.raw_json().get(s)) return e;
      out = Value{trim_ws(s), ValueKind::kJsonRaw};
      return simdjson::SUCCESS;
    }
    case od::json_type::array: {
      od::array a;
      if (auto e = v.get_array().get(a)) return e;
      std::string_view s;
      if (auto e = a.raw_json().get(s)) return e;
      out = Value{trim_ws(s), ValueKind::kJsonRaw};
      return simdjson::SUCCESS;
    }
  }
  return simdjson::INCORRECT_TYPE;
}

// A value's JSON text as written.
simdjson::error_code raw_value(od::value& v, std::string_view& out) {
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  if (t == od::json_type::object) {
    od::object o;
    if (auto e = v.get_object().get(o)) return e;
    if (auto e = o.raw_json().get(out)) return e;
  } else if (t == od::json_type::array) {
    od::array a;
    if (auto e = v.get_array().get(a)) return e;
    if (auto e = a.raw_json().get(out)) return e;
  } else {
    out = v.raw_json_token();
  }
  out = trim_ws(out);
  return simdjson::SUCCESS;
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += c;
    else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else out += c;
  }
  out += '"';
}

}  // namespace

JsonReader::JsonReader(ByteSourcePtr source, JsonOptions options, std::string url)
    : source_(std::move(source)), opt_(std::move(options)), url_(std::move(url)), buf_(*source_, opt_.window_bytes),
      impl_(std::make_unique<Impl>()) {}

JsonReader::~JsonReader() = default;

void JsonReader::set_projection(const std::vector<ColumnSource>& columns) {
  impl_->nodes.assign(1, Impl::Node{});
  impl_->ncolumns = columns.size();
  impl_->projected = true;
  impl_->rest_column = -1;
  for (size_t i = 0; i < columns.size(); i++) {
    if (columns[i].rest) {
      impl_->rest_column = static_cast<int>(i);
      continue;
    }
    std::vector<JsonPathStep> steps;
    if (columns[i].path.empty()) steps.push_back({JsonPathStep::kKey, columns[i].name, 0});
    else steps = parse_json_path(columns[i].path, "columns");
    int node = 0;
    for (const auto& s : steps) {
      if (s.kind == JsonPathStep::kWildcard)
        throw Error(sqlstate::kInvalidParameterValue, "column path \"" + columns[i].path + "\" may not contain [*]");
      node = impl_->child(node, s);
    }
    impl_->nodes[node].columns.push_back(static_cast<int>(i));
  }
}

// ---- byte access over the refillable window ---------------------------------------
int JsonReader::byte_at(uint64_t abs) {
  while (abs >= buf_.base_offset() + buf_.size()) {
    size_t keep = static_cast<size_t>(std::min(keep_, abs) - buf_.base_offset());
    count_lines_to(buf_.base_offset() + keep);  // before those bytes leave the window
    if (!buf_.refill(keep)) return -1;
  }
  return static_cast<unsigned char>(buf_.data()[abs - buf_.base_offset()]);
}

uint64_t JsonReader::skip_ws(uint64_t abs) {
  for (;;) {
    int c = byte_at(abs);
    if (c < 0 || !is_ws(c)) return abs;
    abs++;
  }
}

void JsonReader::count_lines_to(uint64_t abs) {
  if (abs <= counted_to_) return;
  const uint64_t from = counted_to_;  // callers never let uncounted bytes leave the window
  // memchr, not std::count: JSON has few newlines, and glibc's memchr skips a vector at a time.
  const char* b = buf_.data() + (from - buf_.base_offset());
  const char* const end = b + (abs - from);
  while ((b = static_cast<const char*>(std::memchr(b, '\n', static_cast<size_t>(end - b)))) != nullptr) {
    line_++;
    b++;
  }
  counted_to_ = abs;
}

void JsonReader::malformed(uint64_t abs, const std::string& why) {
  count_lines_to(std::min<uint64_t>(abs, buf_.base_offset() + buf_.size()));
  throw Error(sqlstate::kInvalidTextRepresentation,
              "malformed JSON in \"" + url_ + "\" at line " + std::to_string(line_) + ": " + why);
}

// End (exclusive) of the JSON value starting at abs: strings and nesting are tracked,
// contents are not validated (simdjson does that per record).
uint64_t JsonReader::scan_value(uint64_t abs) {
  int c = byte_at(abs);
  if (c < 0) malformed(abs, "unexpected end of input");
  if (c != '{' && c != '[' && c != '"') {
    uint64_t p = abs;
    for (;;) {
      int d = byte_at(p);
      if (d < 0 || is_ws(d) || d == ',' || d == ']' || d == '}') return p;
      p++;
    }
  }
  int depth = 0;
  bool in_string = false;
  uint64_t p = abs;
  for (;;) {
    bool escape_at_end = false;
    // Scan what the window holds without per-byte refill checks.
    const uint64_t base = buf_.base_offset();
    const char* b = buf_.data();
    const uint64_t limit = base + buf_.size();
    while (p < limit) {
      if (in_string) {
        // Most bytes are inside strings: jump to the string's next quote or backslash.
        const char* from = b + (p - base);
        const size_t left = static_cast<size_t>(limit - p);
        const char* quote = static_cast<const char*>(std::memchr(from, '"', left));
        const char* slash = static_cast<const char*>(std::memchr(from, '\\', quote ? static_cast<size_t>(quote - from) : left));
        const char* hit = slash ? slash : quote;
        if (hit == nullptr) {
          p = limit;
          break;
        }
        p += static_cast<uint64_t>(hit - from);
      }
      char ch = b[p - base];
      p++;
      if (in_string) {
        if (ch == '\\') {
          if (p >= limit) {  // the escaped byte is not in the window yet
            p--;
            escape_at_end = true;
            break;
          }
          p++;
        } else if (ch == '"') {
          in_string = false;
          if (depth == 0) return p;
        }
      } else if (ch == '"') {
        in_string = true;
      } else if (ch == '{' || ch == '[') {
        depth++;
      } else if (ch == '}' || ch == ']') {
        if (--depth == 0) return p;
        if (depth < 0) malformed(p - 1, "unbalanced brackets");
      }
    }
    if (byte_at(escape_at_end ? p + 1 : p) < 0) malformed(p, in_string ? "unterminated string" : "unexpected end of input");
  }
}

std::string JsonReader::read_key(uint64_t& abs) {
  if (byte_at(abs) != '"') malformed(abs, "expected a key");
  uint64_t end = scan_value(abs);
  std::string raw;
  for (uint64_t p = abs + 1; p + 1 < end; p++) raw.push_back(static_cast<char>(byte_at(p)));
  abs = end;
  // Keys with escapes are rare in paths; unescape the common ones.
  std::string key;
  for (size_t i = 0; i < raw.size(); i++) {
    if (raw[i] == '\\' && i + 1 < raw.size()) {
      char e = raw[++i];
      key.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
    } else {
      key.push_back(raw[i]);
    }
  }
  return key;
}

// Walks from the top of the document to the value records_path names.
void JsonReader::navigate() {
  std::vector<JsonPathStep> steps = parse_json_path(opt_.records_path, "records_path");
  bool wildcard = !steps.empty() && steps.back().kind == JsonPathStep::kWildcard;
  if (wildcard) steps.pop_back();
  uint64_t p = skip_ws(pos_);
  std::string where = "$";
  for (const auto& step : steps) {
    keep_ = p;
    int c = byte_at(p);
    if (step.kind == JsonPathStep::kKey) {
      if (c != '{')
        throw Error(sqlstate::kSqlJsonMemberNotFound, "records_path " + opt_.records_path + ": " + where +
                                                          " is not an object in \"" + url_ + "\"");
      p = skip_ws(p + 1);
      bool found = false;
      while (byte_at(p) != '}') {
        std::string key = read_key(p);
        p = skip_ws(p);
        if (byte_at(p) != ':') malformed(p, "expected ':'");
        p = skip_ws(p + 1);
        if (key == step.key) {
          found = true;
          break;
        }
        p = skip_ws(scan_value(p));
        keep_ = p;
        if (byte_at(p) == ',') p = skip_ws(p + 1);
        else if (byte_at(p) != '}') malformed(p, "expected ',' or '}'");
      }
      if (!found)
        throw Error(sqlstate::kSqlJsonMemberNotFound,
                    "records_path " + opt_.records_path + ": no key \"" + step.key + "\" in " + where + " of \"" + url_ + "\"");
      where += "." + step.key;
    } else {
      if (c != '[')
        throw Error(sqlstate::kSqlJsonMemberNotFound, "records_path " + opt_.records_path + ": " + where +
                                                          " is not an array in \"" + url_ + "\"");
      p = skip_ws(p + 1);
      for (size_t i = 0; i < step.index; i++) {
        if (byte_at(p) == ']')
          throw Error(sqlstate::kSqlJsonMemberNotFound, "records_path " + opt_.records_path + ": " + where +
                                                            " has no element " + std::to_string(step.index));
        p = skip_ws(scan_value(p));
        if (byte_at(p) == ',') p = skip_ws(p + 1);
      }
      where += "[" + std::to_string(step.index) + "]";
    }
  }
  int c = byte_at(p);
  if (c == '[') {
    layout_ = Layout::kArray;
    pos_ = p + 1;
  } else if (c == '{' && !wildcard) {
    layout_ = Layout::kSingle;
    pos_ = p;
  } else {
    throw Error(sqlstate::kSqlJsonMemberNotFound,
                "records_path " + opt_.records_path + ": " + where + " is not an array in \"" + url_ + "\"");
  }
}

void JsonReader::open() {
  if (opened_) return;
  opened_ = true;
  buf_.refill(0);
  if (buf_.size() >= 3 && std::memcmp(buf_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = counted_to_ = 3;
  uint64_t p = skip_ws(pos_);
  int c = byte_at(p);
  if (c < 0) {
    layout_ = Layout::kDone;  // empty input: no records
    return;
  }
  if (!opt_.records_path.empty() && opt_.records_path != "$[*]") {
    navigate();
    return;
  }
  if (opt_.lines) {
    layout_ = Layout::kLines;
  } else if (c == '[') {
    layout_ = Layout::kArray;
    pos_ = p + 1;
  } else if (c == '{') {
    // NDJSON when the first document ends on its first line; else concatenated documents.
    keep_ = p;
    uint64_t end = scan_value(p);
    bool same_line = true;
    for (uint64_t k = p; k < end && same_line; k++) same_line = byte_at(k) != '\n';
    layout_ = same_line ? Layout::kLines : Layout::kConcat;
  } else {
    malformed(p, "expected '[' or '{' at the start of the document");
  }
}

bool JsonReader::next_span(uint64_t& start, uint64_t& end) {
  switch (layout_) {
    case Layout::kDone:
      return false;
    case Layout::kLines:
      for (;;) {
        keep_ = pos_;
        uint64_t nl;
        for (;;) {
          const uint64_t base = buf_.base_offset();
          const char* b = buf_.data() + (pos_ - base);
          const void* hit = std::memchr(b, '\n', buf_.size() - (pos_ - base));
          if (hit) {
            nl = pos_ + (static_cast<const char*>(hit) - b);
            break;
          }
          if (byte_at(base + buf_.size()) < 0) {
            nl = buf_.base_offset() + buf_.size();
            break;
          }
        }
        start = pos_;
        end = nl;
        pos_ = nl + 1;
        if (start >= end && nl >= buf_.base_offset() + buf_.size()) {
          layout_ = Layout::kDone;
          return false;
        }
        std::string_view line(buf_.data() + (start - buf_.base_offset()), end - start);
        if (trim_ws(line).empty()) {
          if (nl >= buf_.base_offset() + buf_.size()) {
            layout_ = Layout::kDone;
            return false;
          }
          continue;  // blank lines separate nothing
        }
        return true;
      }
    case Layout::kSingle:
      keep_ = start = pos_;
      end = scan_value(pos_);
      layout_ = Layout::kDone;
      return true;
    case Layout::kConcat: {
      uint64_t p = skip_ws(pos_);
      if (byte_at(p) < 0) {
        layout_ = Layout::kDone;
        return false;
      }
      keep_ = start = p;
      end = pos_ = scan_value(p);
      return true;
    }
    case Layout::kArray: {
      uint64_t p = skip_ws(pos_);
      if (!first_element_) {
        int c = byte_at(p);
        if (c == ']') {
          layout_ = Layout::kDone;
          return false;
        }
        if (c != ',') malformed(p, "expected ',' or ']' between array elements");
        p = skip_ws(p + 1);
      } else if (byte_at(p) == ']') {
        layout_ = Layout::kDone;
        return false;
      }
      first_element_ = false;
      keep_ = start = p;
      end = pos_ = scan_value(p);
      return true;
    }
  }
  return false;
}

std::vector<std::string> JsonReader::source_columns() {
  open();
  const Layout layout = layout_;
  const uint64_t pos = pos_;
  const bool first = first_element_;
  uint64_t start, end;
  std::vector<std::string> keys;
  if (!next_span(start, end)) return keys;
  keep_ = start;  // the record stays in the window for next()
  layout_ = layout;
  pos_ = pos;
  first_element_ = first;
  const uint64_t base = buf_.base_offset();
  const size_t capacity = (buf_.size() - (start - base)) + StreamBuffer::kPadding;
  od::document doc;
  od::object obj;
  if (impl_->parser.iterate(buf_.data() + (start - base), end - start, capacity).get(doc) || doc.get_object().get(obj))
    return keys;  // not an object: no named columns
  for (auto field : obj) {
    std::string_view k;
    if (field.unescaped_key().get(k)) break;
    keys.emplace_back(k);
  }
  return keys;
}

bool JsonReader::next(Record& record) {
  open();
  uint64_t start, end;
  if (!next_span(start, end)) return false;
  count_lines_to(start);
  const uint64_t base = buf_.base_offset();
  const char* rec = buf_.data() + (start - base);
  const size_t len = end - start;
  record.line = line_;
  record.byte_offset = start;
  record.raw = std::string_view(rec, len);
  record.problem.reset();
  record.values.clear();

  auto problem = [&](simdjson::error_code e) {
    record.problem = RecordProblem{sqlstate::kInvalidTextRepresentation,
                                   std::string("invalid JSON: ") + simdjson::error_message(e), 0, {}};
    record.values.clear();
    return true;
  };
  record.names.clear();
  if (!impl_->projected && !all_fields_) {
    // The whole record as one JSON value; validated by the consumer's jsonb input.
    record.values.push_back(Value{trim_ws(record.raw), ValueKind::kJsonRaw});
    return true;
  }
  if (!impl_->projected) {
    const size_t cap = (buf_.size() - (start - base)) + StreamBuffer::kPadding;
    od::document d;
    od::object o;
    if (auto e = impl_->parser.iterate(rec, len, cap).get(d)) return problem(e);
    if (auto e = d.get_object().get(o)) return problem(e);
    for (auto field : o) {
      std::string_view key;
      od::value v;
      Value val;
      if (auto e = field.unescaped_key().get(key)) return problem(e);
      if (auto e = field.value().get(v)) return problem(e);
      if (auto e = take_value(v, val)) return problem(e);
      record.names.push_back(key);
      record.values.push_back(val);
    }
    return true;
  }
  // The window holds StreamBuffer::kPadding readable bytes past its end, as simdjson needs.
  const size_t capacity = (buf_.size() - (start - base)) + StreamBuffer::kPadding;
  od::document doc;
  if (auto e = impl_->parser.iterate(rec, len, capacity).get(doc)) return problem(e);
  record.values.assign(impl_->ncolumns, Value{{}, ValueKind::kNull});

  od::json_type root_type;
  if (auto e = doc.type().get(root_type)) return problem(e);
  if (root_type != od::json_type::object) {
    // A record that is a bare value feeds a single column.
    if (impl_->ncolumns != 1) {
      record.problem = RecordProblem{sqlstate::kInvalidTextRepresentation, "record is not a JSON object", 0, {}};
      record.values.clear();
      return true;
    }
    if (auto e = take_value(doc, record.values[0])) return problem(e);
    return true;
  }
  od::object root;
  if (auto e = doc.get_object().get(root)) return problem(e);

  impl_->window_end = buf_.data() + buf_.size() + StreamBuffer::kPadding;
  size_t nesting = 0;
  // Depth-first over the projection tree, consuming each object once.
  std::function<simdjson::error_code(int, od::object)> walk_object;
  std::function<simdjson::error_code(int, od::array)> walk_array;
  auto visit = [&](int node, od::value& v) -> simdjson::error_code {
    const Impl::Node& n = impl_->nodes[node];
    if (!n.columns.empty()) {
      Value val;
      if (auto e = take_value(v, val)) return e;
      for (int col : n.columns) record.values[col] = val;
      if (val.kind != ValueKind::kJsonRaw || (n.keys.empty() && n.indexes.empty())) return simdjson::SUCCESS;
      // Other columns read inside this value: parse its text again.
      if (nesting >= impl_->nested.size()) impl_->nested.push_back(std::make_unique<od::parser>());
      od::parser& p = *impl_->nested[nesting];
      od::document inner;
      const size_t cap = static_cast<size_t>(impl_->window_end - val.text.data());
      if (auto e = p.iterate(val.text.data(), val.text.size(), cap).get(inner)) return e;
      od::json_type it;
      if (auto e = inner.type().get(it)) return e;
      nesting++;
      simdjson::error_code rc = simdjson::SUCCESS;
      if (it == od::json_type::object && !n.keys.empty()) {
        od::object o;
        rc = inner.get_object().get(o);
        if (!rc) rc = walk_object(node, o);
      } else if (it == od::json_type::array && !n.indexes.empty()) {
        od::array a;
        rc = inner.get_array().get(a);
        if (!rc) rc = walk_array(node, a);
      }
      nesting--;
      return rc;
    }
    od::json_type t;
    if (auto e = v.type().get(t)) return e;
    if (t == od::json_type::object && !n.keys.empty()) {
      od::object o;
      if (auto e = v.get_object().get(o)) return e;
      return walk_object(node, o);
    }
    if (t == od::json_type::array && !n.indexes.empty()) {
      od::array a;
      if (auto e = v.get_array().get(a)) return e;
      return walk_array(node, a);
    }
    return simdjson::SUCCESS;  // shape differs from the path: the columns stay NULL
  };
  const bool collect_rest = impl_->rest_column >= 0;
  if (collect_rest) impl_->rest.assign("{");
  walk_object = [&](int node, od::object obj) -> simdjson::error_code {
    const Impl::Node& n = impl_->nodes[node];
    for (auto field : obj) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return e;
      bool taken = false;
      for (const auto& [k, child] : n.keys)
        if (k == key) {
          od::value v;
          if (auto e = field.value().get(v)) return e;
          if (auto e = visit(child, v)) return e;
          taken = true;
          break;
        }
      if (!taken && node == 0 && collect_rest) {
        od::value v;
        std::string_view raw;
        if (auto e = field.value().get(v)) return e;
        if (auto e = raw_value(v, raw)) return e;
        if (impl_->rest.size() > 1) impl_->rest += ',';
        append_json_string(impl_->rest, key);
        impl_->rest += ':';
        impl_->rest.append(raw);
      }
    }
    return simdjson::SUCCESS;
  };
  walk_array = [&](int node, od::array arr) -> simdjson::error_code {
    const Impl::Node& n = impl_->nodes[node];
    size_t i = 0;
    for (auto element : arr) {
      od::value v;
      if (auto e = element.get(v)) return e;
      for (const auto& [idx, child] : n.indexes)
        if (idx == i) {
          if (auto e = visit(child, v)) return e;
          break;
        }
      i++;
    }
    return simdjson::SUCCESS;
  };
  if (auto e = walk_object(0, root)) return problem(e);
  if (collect_rest) {
    impl_->rest += '}';
    record.values[impl_->rest_column] = Value{impl_->rest, ValueKind::kJsonRaw};
  }
  return true;
}

}  // namespace pg_etl
