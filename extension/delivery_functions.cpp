// etl._deliver(kind, options, event, message_id): one attempt to deliver an event to a
// webhook or e-mail channel, for the outbox worker (etl.deliver_pending), and
// etl._check_channel(kind, options): the same options checked without sending, for
// etl.create_channel. A failed delivery is a result, never an ERROR (the worker records
// it and retries); only bad options are (22023 naming the option). See
// core/channel_options.hpp for the options, core/delivery_result.hpp for the result.
#include <ctime>
#include <string>

#include <nlohmann/json.hpp>

#include "core/channel_options.hpp"
#include "core/delivery_result.hpp"
#include "core/error.hpp"
#include "core/sqlstate.hpp"
#include "extension/pg/args.hpp"
#include "extension/pg/boundary.hpp"
#include "extension/privileges.hpp"
#include "extension/secrets.hpp"

using namespace pg_etl;

namespace {

std::string secret_value(const std::string& name) { return pg::secret_json(name); }

// kind -> true for a webhook (OpenLineage events are webhooks too), false for e-mail.
bool is_webhook(const std::string& kind) {
  if (kind == "webhook" || kind == "openlineage") return true;
  if (kind == "email") return false;
  throw Error(sqlstate::kInvalidParameterValue, "unknown delivery kind \"" + kind + "\"", "", "kinds: webhook, email");
}

std::string required_text(FunctionCallInfo fcinfo, int n, const char* what) {
  if (PG_ARGISNULL(n)) throw Error(sqlstate::kInvalidParameterValue, std::string(what) + " must not be NULL");
  return pg::text_arg(fcinfo, n);
}

}  // namespace

// etl._deliver(kind text, options jsonb, event jsonb, message_id text) -> jsonb
//   {"ok", "status", "error", "retryable", "retry_after"}
PG_ETL_FUNCTION(pg_etl_deliver) {
  const bool webhook = is_webhook(required_text(fcinfo, 0, "kind"));
  if (PG_ARGISNULL(2)) throw Error(sqlstate::kInvalidParameterValue, "the event must not be NULL");
  const std::string options = pg::jsonb_arg(fcinfo, 1);
  const std::string event = pg::jsonb_arg(fcinfo, 2);
  const std::string message_id = required_text(fcinfo, 3, "message_id");
  DeliveryResult result;
  if (webhook) {
    const WebhookRequest req = webhook_for_event(options, event, message_id, secret_value);
    pg::check_read_privilege(req.url, req.transport);
    result = deliver_webhook(req);
  } else {
    const SmtpRequest req = mail_for_event(options, event, message_id, std::time(nullptr), secret_value);
    pg::check_read_privilege(req.url, req.transport);
    result = deliver_mail(req);
  }
  return pg::jsonb_datum(delivery_result_json(result));
}

// etl._check_channel(kind text, options jsonb) -> void: the options would deliver
// (URL, addresses, headers, the secrets exist and the caller may use them).
PG_ETL_FUNCTION(pg_etl_check_channel) {
  const bool webhook = is_webhook(required_text(fcinfo, 0, "kind"));
  const std::string options = pg::jsonb_arg(fcinfo, 1);
  const std::string probe = R"({"kind": "check", "subject": "check"})";
  if (webhook) webhook_for_event(options, probe, "check", secret_value);
  else mail_for_event(options, probe, "check", 0, secret_value);
  PG_RETURN_VOID();
}
