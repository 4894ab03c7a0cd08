#include "core/json_reshape.hpp"

#include "core/boolean_text.hpp"
#include "core/date_formats.hpp"
#include "core/error.hpp"
#include "core/number_text.hpp"
#include "core/sqlstate.hpp"
#include "core/timestamp_format.hpp"

namespace pg_etl {
namespace {

void flatten_into(const nlohmann::json& obj, const std::string& prefix, std::string_view sep, nlohmann::json& out) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    std::string key = prefix.empty() ? it.key() : prefix + std::string(sep) + it.key();
    if (it->is_object() && !it->empty())
      flatten_into(*it, key, sep, out);
    else if (!out.contains(key))
      out[key] = *it;
  }
}

void collect(const nlohmann::json& at, const std::vector<JsonPathStep>& steps, size_t i, std::vector<nlohmann::json>& out) {
  if (i == steps.size()) {
    if (at.is_array())
      for (const auto& v : at) out.push_back(v);
    else
      out.push_back(at);
    return;
  }
  const JsonPathStep& s = steps[i];
  switch (s.kind) {
    case JsonPathStep::kKey:
      if (at.is_object()) {
        auto f = at.find(s.key);
        if (f != at.end()) collect(*f, steps, i + 1, out);
      }
      break;
    case JsonPathStep::kIndex:
      if (at.is_array() && s.index < at.size()) collect(at[s.index], steps, i + 1, out);
      break;
    case JsonPathStep::kWildcard:
      if (at.is_array())
        for (const auto& v : at) collect(v, steps, i + 1, out);
      break;
  }
}

const nlohmann::json* value_at(const nlohmann::json& doc, const std::vector<JsonPathStep>& steps) {
  const nlohmann::json* at = &doc;
  for (const JsonPathStep& s : steps) {
    if (s.kind == JsonPathStep::kKey && at->is_object()) {
      auto f = at->find(s.key);
      if (f == at->end()) return nullptr;
      at = &*f;
    } else if (s.kind == JsonPathStep::kIndex && at->is_array() && s.index < at->size()) {
      at = &(*at)[s.index];
    } else {
      return nullptr;
    }
  }
  return at;
}

std::string as_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

nlohmann::json cast_value(const nlohmann::json& v, const std::string& type) {
  if (v.is_null() || type == "json") return v;
  if (type == "text") return as_text(v);
  if (type == "boolean") {
    if (v.is_boolean()) return v;
    if (auto b = parse_boolean_text(as_text(v))) return *b;
    return nullptr;
  }
  if (type == "integer" || type == "number") {
    if (v.is_boolean() || v.is_object() || v.is_array()) return nullptr;
    auto n = parse_number_text(as_text(v), NumberTextOptions{});
    if (!n) return nullptr;
    nlohmann::json num = nlohmann::json::parse(*n, nullptr, false);
    if (num.is_discarded() || !num.is_number()) return nullptr;
    if (type == "integer") {
      if (num.is_number_float()) {
        const double d = num.get<double>();
        if (d != static_cast<double>(static_cast<int64_t>(d))) return nullptr;
        return static_cast<int64_t>(d);
      }
    }
    return num;
  }
  if (type == "timestamp") {
    ParsedDateTime t;
    if (!v.is_string() && !v.is_number_integer()) return nullptr;
    if (!parse_timestamp_any(as_text(v), t)) return nullptr;
    return iso_text(t);
  }
  return nullptr;  // unknown types are refused when the mapping is read
}

}  // namespace

nlohmann::json flatten_json(const nlohmann::json& doc, std::string_view separator) {
  if (!doc.is_object()) return doc;
  nlohmann::json out = nlohmann::json::object();
  flatten_into(doc, "", separator, out);
  return out;
}

FieldMapping::FieldMapping(const nlohmann::json& mapping) {
  if (!mapping.is_object())
    throw Error(sqlstate::kInvalidParameterValue, "the mapping must be a JSON object of target fields", "",
                R"(e.g. {"id": "$.user.id", "email": {"path": "contact.email", "type": "text"}})");
  for (auto it = mapping.begin(); it != mapping.end(); ++it) {
    const std::string& target = it.key();
    std::string path = target;
    Field f{target, {}, {}, nullptr};
    if (it->is_string()) {
      path = it->get<std::string>();
    } else if (it->is_object()) {
      for (auto e = it->begin(); e != it->end(); ++e) {
        if (e.key() == "path" && e->is_string()) path = e->get<std::string>();
        else if (e.key() == "type" && e->is_string()) f.type = e->get<std::string>();
        else if (e.key() == "default") f.fallback = *e;
        else
          throw Error(sqlstate::kInvalidParameterValue, "mapping of \"" + target + "\" has a bad entry \"" + e.key() + "\"",
                      "", "a field's mapping is a path, or an object with path, type and default");
      }
      static const char* kTypes[] = {"text", "integer", "number", "boolean", "timestamp", "json"};
      bool known = f.type.empty();
      for (const char* k : kTypes) known = known || f.type == k;
      if (!known)
        throw Error(sqlstate::kInvalidParameterValue, "mapping of \"" + target + "\" has unknown type \"" + f.type + "\"",
                    "", "types: text, integer, number, boolean, timestamp, json");
    } else {
      throw Error(sqlstate::kInvalidParameterValue, "mapping of \"" + target + "\" must be a path or an object");
    }
    f.path = parse_json_path(path, ("mapping of " + target).c_str());
    fields_.push_back(std::move(f));
  }
}

nlohmann::json FieldMapping::apply(const nlohmann::json& doc) const {
  nlohmann::json out = nlohmann::json::object();
  for (const Field& f : fields_) {
    const nlohmann::json* v = value_at(doc, f.path);
    nlohmann::json value = v ? *v : nlohmann::json();
    if (value.is_null()) value = f.fallback;
    out[f.target] = f.type.empty() ? std::move(value) : cast_value(value, f.type);
  }
  return out;
}

std::vector<nlohmann::json> values_at_path(const nlohmann::json& doc, const std::string& path) {
  std::vector<nlohmann::json> out;
  collect(doc, parse_json_path(path, "path"), 0, out);
  return out;
}

}  // namespace pg_etl
