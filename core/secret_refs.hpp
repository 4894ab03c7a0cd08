#pragma once
// Options name secrets instead of holding them. {"secret": "zendesk"}, at the top of the
// options or inside any nested object (such as "auth"), stands for the secret's value:
//   - a JSON object is merged into the object that names it (keys written next to
//     "secret" win, so one secret can serve with different usernames, say);
//   - any other value (a token string) replaces an object that holds only "secret":
//     {"bearer_token": {"secret": "api_token"}}.
// The options as written (names only) are what pg_etl records; the resolved ones are
// only ever parsed.
#include <functional>
#include <string>

namespace pg_etl {

// secret_json(name): the secret's value as JSON text (throws when unknown or not allowed).
std::string resolve_secret_refs(const std::string& options_json,
                                const std::function<std::string(const std::string&)>& secret_json);

}  // namespace pg_etl
