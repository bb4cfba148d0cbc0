// List: jobs matching filters, newest first by default.
#include <fmt/format.h>

#include "daemon/handlers/handlers.h"
#include "daemon/protocol/times.h"

namespace jobtrack::handlers {
namespace {

tl::expected<std::optional<Millis>, protocol::VarlinkError> time_param(Params& params,
                                                                       std::string_view name) {
  auto text = params.optional_string(name);
  if (!text) return tl::make_unexpected(text.error());
  if (!*text) return std::optional<Millis>();
  auto parsed = protocol::parse_iso8601(**text);
  if (!parsed)
    return tl::make_unexpected(protocol::invalid_parameter(name, "expected an ISO 8601 time"));
  return parsed;
}

}  // namespace

void list(HandlerContext& context, Params& params, const ResponderPtr& responder) {
  ListFilter filter;
  auto states = params.optional_string_list("state");
  if (!states) return responder->error(states.error());
  for (const auto& name : states->value_or(std::vector<std::string>{})) {
    auto state = parse_state(name);
    if (!state)
      return responder->error(
          protocol::invalid_parameter("state", fmt::format("unknown state \"{}\"", name)));
    filter.states.push_back(*state);
  }
  auto endpoint = params.optional_string("endpoint");
  if (!endpoint) return responder->error(endpoint.error());
  filter.endpoint = *endpoint;
  auto label = params.optional_string("label");
  if (!label) return responder->error(label.error());
  filter.label = *label;
  auto terminal = params.optional_bool("terminal");
  if (!terminal) return responder->error(terminal.error());
  filter.terminal = *terminal;
  auto since = time_param(params, "since");
  if (!since) return responder->error(since.error());
  filter.submitted_since = *since;
  auto until = time_param(params, "until");
  if (!until) return responder->error(until.error());
  filter.submitted_until = *until;
  auto order = params.optional_string("order");
  if (!order) return responder->error(order.error());
  if (*order) {
    static const std::vector<std::string> kOrders = {"id",         "-id",     "submitted",
                                                     "-submitted", "updated", "-updated"};
    if (std::find(kOrders.begin(), kOrders.end(), **order) == kOrders.end()) {
      return responder->error(protocol::invalid_parameter(
          "order", "use id, submitted or updated, with '-' for descending"));
    }
    filter.order = **order;
  }
  auto limit = params.optional_int("limit");
  if (!limit) return responder->error(limit.error());
  if (*limit && (**limit < 1 || **limit > 100'000)) {
    return responder->error(
        protocol::invalid_parameter("limit", "limit must be between 1 and 100000"));
  }
  filter.limit = static_cast<int>(limit->value_or(100));
  if (auto unknown = params.no_unknown(); !unknown) return responder->error(unknown.error());

  try {
    nlohmann::json jobs = nlohmann::json::array();
    for (const Job& job : context.store.list(filter)) jobs.push_back(render_job(context, job));
    responder->reply({{"jobs", std::move(jobs)}});
  } catch (const StoreError& error) {
    responder->error(storage_failure(error));
  }
}

}  // namespace jobtrack::handlers
