#include "core/secret_refs.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/sqlstate.hpp"

namespace pg_etl {
namespace {

using json = nlohmann::json;

void resolve(json& node, const std::function<std::string(const std::string&)>& secret_json, int depth) {
  if (!node.is_object() || depth > 16) return;
  for (auto& [key, value] : node.items())
    if (value.is_object()) resolve(value, secret_json, depth + 1);
  auto ref = node.find("secret");
  if (ref == node.end()) return;
  if (!ref->is_string() || ref->get<std::string>().empty())
    throw Error(sqlstate::kInvalidParameterValue, "option \"secret\" must be the name of a secret (etl.create_secret)");
  const std::string name = ref->get<std::string>();
  json value;
  try {
    value = json::parse(secret_json(name));
  } catch (const json::exception&) {
    throw Error(sqlstate::kDataCorrupted, "secret \"" + name + "\" does not hold JSON");
  }
  node.erase(ref);
  if (value.is_object()) {
    for (auto& [k, v] : value.items())
      if (!node.contains(k)) node[k] = v;
  } else if (node.empty()) {
    node = value;
  } else {
    throw Error(sqlstate::kInvalidParameterValue,
                "secret \"" + name + "\" holds a single value, so the object naming it may hold nothing else", "",
                "write {\"bearer_token\": {\"secret\": \"" + name + "\"}}, or store the secret as an object of options");
  }
}

}  // namespace

std::string resolve_secret_refs(const std::string& options_json,
                                const std::function<std::string(const std::string&)>& secret_json) {
  if (options_json.find("\"secret\"") == std::string::npos) return options_json;  // the common case, no parse
  json doc;
  try {
    doc = json::parse(options_json);
  } catch (const json::exception&) {
    return options_json;  // the options parser reports it
  }
  resolve(doc, secret_json, 0);
  return doc.dump();
}

}  // namespace pg_etl
