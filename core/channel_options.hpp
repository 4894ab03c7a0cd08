#pragma once
// A notification channel's options (etl.channels.options) and an event, made into the
// request a transport sends. Options hold secret names, never secrets:
//   webhook  {"url": "https://...", "signing_secret": "<secret name>", "headers": {...},
//             "timeout": 10, "connect_timeout": 10, "ca_file", "insecure"}
//            The signing secret's value is {"key": "..."} (or {"token": "..."}, or a
//            plain string). {"secret": name} references work anywhere, as in every
//            pg_etl option (core/secret_refs.hpp), e.g. in a header's value.
//   email    {"url": "smtp://host:587", "from": "...", "to": ["...", ...],
//             "secret": "<secret name>" (its {"username", "password"} are merged in),
//             "starttls": "off" | "try" | "required", "ca_file", "insecure",
//             "subject_prefix": "[pg_etl]", "timeout": 30, "connect_timeout": 10}
// "retry" (the worker's retry policy) and "namespace" (OpenLineage) are allowed and
// left to their readers. Anything wrong is 22023 naming the option; unknown keys
// suggest the nearest known one.
#include <cstdint>
#include <functional>
#include <string>

#include "core/smtp_delivery.hpp"
#include "core/webhook_delivery.hpp"

namespace pg_etl {

// A secret's name -> its value as JSON text (throws when unknown or not allowed).
using SecretLookup = std::function<std::string(const std::string&)>;

// The webhook POST of event (a JSON object, sent as it is). X-PgEtl-Event is its "kind".
WebhookRequest webhook_for_event(const std::string& options_json, const std::string& event_json,
                                 const std::string& message_id, const SecretLookup& secret_json);

// The e-mail of event at date (Unix seconds): Subject "<subject_prefix> <event.subject>"
// (else the event's kind), body: event.text if it has one, then the event as indented JSON.
SmtpRequest mail_for_event(const std::string& options_json, const std::string& event_json, const std::string& message_id,
                           int64_t date, const SecretLookup& secret_json);

}  // namespace pg_etl
