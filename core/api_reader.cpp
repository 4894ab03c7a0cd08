#include "core/api_reader.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "core/curl_transfer.hpp"
#include "core/error.hpp"
#include "core/interrupts.hpp"
#include "core/oauth_token.hpp"
#include "core/sqlstate.hpp"
#include "core/string_source.hpp"
#include "core/url.hpp"

namespace pg_etl {
namespace {

namespace dom = simdjson::dom;

// The first URL: the endpoint with the read's query parameters (and an API key that
// travels as a parameter).
std::string first_url(const std::string& url, const ApiOptions& api) {
  std::string u = url;
  for (const auto& [k, v] : api.params) u = with_query_param(u, k, v);
  if (api.auth.type == AuthType::kApiKey && api.auth.location == "query") u = with_query_param(u, api.auth.name, api.auth.api_key);
  return u;
}

std::string path_key(const std::string& key) {
  bool plain = !key.empty() && !std::isdigit(static_cast<unsigned char>(key[0]));
  for (char c : key) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (plain) return "." + key;
  std::string q;
  for (char c : key) q += c == '\'' ? std::string("\\'") : std::string(1, c);
  return "['" + q + "']";
}

bool array_of_records(dom::element e) {
  dom::array a;
  if (e.get_array().get(a)) return false;
  for (dom::element x : a) return x.is_object();
  return true;  // an empty array may hold records on other pages
}

TransportOptions with_auth(TransportOptions t, const AuthOptions& auth) {
  if (auth.type == AuthType::kBasic) {
    t.username = auth.username;
    t.password = auth.password;
  }
  return t;
}

}  // namespace

ApiReader::ApiReader(const std::string& url, const ReadOptions& options)
    : api_(options.api),
      json_(options.json),
      shown_(redact_url(url)),
      session_(with_auth(options.transport, options.api.auth),
               HttpSessionLimits{options.api.requests_per_second, options.api.burst, options.api.concurrency,
                                 options.api.retry, options.api.max_response_bytes, options.api.read_timeout}),
      paginator_(options.api.pagination, first_url(url, options.api), options.api.graphql),
      transport_(options.transport) {
  json_.lines = false;
  records_path_known_ = !json_.records_path.empty();
  // Secrets in auth stay out of every message: the shown URL is the endpoint as written,
  // redacted; API keys sent as parameters are only in the fetched URL.
}

ApiReader::~ApiReader() = default;

HttpRequest ApiReader::to_http(const PageRequest& page) const {
  HttpRequest r;
  r.url = page.url;
  r.headers.push_back("Accept: application/json");
  switch (api_.auth.type) {
    case AuthType::kBearer: r.headers.push_back("Authorization: Bearer " + api_.auth.token); break;
    case AuthType::kOAuth2ClientCredentials: r.headers.push_back("Authorization: Bearer " + bearer_); break;
    case AuthType::kApiKey:
      if (api_.auth.location == "header") r.headers.push_back(api_.auth.name + ": " + api_.auth.api_key);
      break;
    default: break;
  }
  if (!api_.graphql.query.empty()) {
    nlohmann::json body = {{"query", api_.graphql.query}, {"variables", nlohmann::json::parse(page.graphql_variables)}};
    if (!api_.graphql.operation_name.empty()) body["operationName"] = api_.graphql.operation_name;
    r.method = "POST";
    r.body = body.dump();
    r.headers.push_back("Content-Type: application/json");
  }
  return r;
}

void ApiReader::begin_send(std::vector<PageRequest> pages) {
  if (api_.auth.type == AuthType::kOAuth2ClientCredentials && bearer_.empty())
    bearer_ = oauth2_access_token(api_.auth, transport_, false);
  std::vector<HttpRequest> reqs;
  for (const PageRequest& p : pages) reqs.push_back(to_http(p));
  sending_ = std::move(pages);
  session_.begin(std::move(reqs));
}

std::vector<ApiReader::Fetched> ApiReader::end_send() {
  std::vector<HttpResponse> out = session_.finish();
  if (api_.auth.type == AuthType::kOAuth2ClientCredentials) {
    // A 401 with a cached token: the token expired early or was revoked. Fetch a new one
    // and send those requests once more.
    std::vector<size_t> again;
    for (size_t i = 0; i < out.size(); i++)
      if (out[i].status == 401) again.push_back(i);
    if (!again.empty()) {
      bearer_ = oauth2_access_token(api_.auth, transport_, true);
      std::vector<HttpRequest> retry;
      for (size_t i : again) retry.push_back(to_http(sending_[i]));
      std::vector<HttpResponse> second = session_.perform(retry);
      for (size_t k = 0; k < again.size(); k++) out[again[k]] = std::move(second[k]);
    }
  }
  std::vector<Fetched> fetched;
  for (size_t i = 0; i < out.size(); i++) fetched.push_back(Fetched{std::move(sending_[i]), std::move(out[i])});
  sending_.clear();
  return fetched;
}

// Collects the batch on the wire, or sends the next one and waits for it.
void ApiReader::fetch_more() {
  if (!session_.in_flight()) {
    std::vector<PageRequest> pages = paginator_.next(api_.concurrency);
    if (pages.empty()) return;
    begin_send(std::move(pages));
  }
  for (Fetched& f : end_send()) fetched_.push_back(std::move(f));
}

std::string ApiReader::records_path_for(const dom::element& body, const std::string& shown) {
  if (body.is_array()) return "";
  // Breadth first, three levels deep: {"tickets": [...]}, {"data": {"items": [...]}},
  // GraphQL's {"data": {"tickets": {"nodes": [...]}}}.
  std::vector<std::pair<std::string, dom::element>> level{{"$", body}};
  for (int depth = 0; depth < 4 && !level.empty(); depth++) {
    std::vector<std::pair<std::string, dom::element>> deeper;
    for (auto& [path, e] : level) {
      dom::object o;
      if (e.get_object().get(o)) continue;
      for (auto field : o) {
        const std::string p = path + path_key(std::string(field.key));
        if (field.value.is_array() && array_of_records(field.value)) return p + "[*]";
        if (field.value.is_object()) deeper.emplace_back(p, field.value);
      }
    }
    level = std::move(deeper);
  }
  throw Error(sqlstate::kSqlJsonMemberNotFound, "response from \"" + shown + "\" holds no array of records",
              "response: " + response_excerpt(simdjson::minify(body)),
              "name where the records are with the option records_path, e.g. \"$.data.items[*]\"");
}

bool ApiReader::open_next_page() {
  for (;;) {
    page_.reset();
    if (fetched_.empty()) {
      if (paginator_.finished()) return false;
      fetch_more();
      if (fetched_.empty()) return false;
    }
    check_interrupts();
    Fetched f = std::move(fetched_.front());
    fetched_.pop_front();
    const std::string shown = redact_url(f.request.url);
    HttpResponse& resp = f.response;
    if (resp.status >= 400) throw_http_error(resp, shown);
    const size_t size = resp.body.size();
    resp.body.reserve(size + simdjson::SIMDJSON_PADDING);
    dom::element body;
    if (auto e = parser_.parse(resp.body.data(), size, false).get(body)) {
      const std::string type = resp.header("content-type");
      throw Error(sqlstate::kInvalidJsonText,
                  "response from \"" + shown + "\" is not valid JSON (" + simdjson::error_message(e) + ")",
                  "HTTP " + std::to_string(resp.status) + (type.empty() ? "" : ", " + type) + ", response: " + response_excerpt(resp.body));
    }
    if (!api_.graphql.query.empty()) {
      dom::array errors;
      if (body.is_object() && !body["errors"].get_array().get(errors) && errors.size() > 0) {
        std::string messages;
        for (dom::element err : errors) {
          std::string_view m;
          if (err["message"].get_string().get(m)) m = "(no message)";
          messages += (messages.empty() ? "" : "; ") + std::string(m);
        }
        throw Error("38000", "GraphQL errors from \"" + shown + "\": " + messages, "response: " + response_excerpt(resp.body));
      }
    }
    if (!records_path_known_) {
      json_.records_path = records_path_for(body, shown);
      records_path_known_ = true;
    }
    size_t records = 0;
    if (json_.records_path.empty()) {
      records = body.is_array() ? dom::array(body).size() : 1;
    } else {
      std::vector<JsonPathStep> path = parse_json_path(json_.records_path, "records_path");
      auto at = dom_at(body, path);
      if (!at || at->is_null()) {
        std::string keys;
        dom::object o;
        if (!body.get_object().get(o))
          for (auto field : o) keys += (keys.empty() ? "" : ", ") + std::string(field.key);
        throw Error(sqlstate::kSqlJsonMemberNotFound, "response from \"" + shown + "\" has no records at " + json_.records_path,
                    "response: " + response_excerpt(resp.body), keys.empty() ? "" : "the response has: " + keys);
      }
      records = at->is_array() ? dom::array(*at).size() : 1;
    }
    const bool more = paginator_.advance(f.request, PageFacts{resp.header("link"), body, records});
    if (!more) fetched_.clear();  // pages fetched ahead past the end
    // The next pages go on the wire now and arrive while this one is loaded.
    if (more && fetched_.empty() && !session_.in_flight()) {
      std::vector<PageRequest> pages = paginator_.next(api_.concurrency);
      if (!pages.empty()) begin_send(std::move(pages));
    }
    // A window the size of the page (not the 1 MiB file default): one fill, no waste.
    JsonOptions page_opt = json_;
    page_opt.window_bytes = std::max<size_t>(4096, size + 1);
    page_ = std::make_unique<JsonReader>(open_string(std::move(resp.body)), page_opt, shown);
    if (projected_) page_->set_projection(projection_);
    page_->report_all_fields(all_fields_);
    if (records > 0) return true;
  }
}

std::vector<std::string> ApiReader::source_columns() {
  if (!page_ && !open_next_page()) return {};
  return page_->source_columns();
}

void ApiReader::set_projection(const std::vector<ColumnSource>& columns) {
  projection_ = columns;
  projected_ = true;
  if (page_) page_->set_projection(columns);
}

void ApiReader::report_all_fields(bool on) {
  all_fields_ = on;
  if (page_) page_->report_all_fields(on);
}

bool ApiReader::next(Record& record) {
  for (;;) {
    if (page_ && page_->next(record)) return true;
    if (!open_next_page()) return false;
  }
}

}  // namespace pg_etl
