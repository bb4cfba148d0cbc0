#include "cli/failure.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "cli/exit_codes.h"

namespace jobtrack::cli {
namespace {

namespace errors = protocol::errors;
using nlohmann::json;

// A string parameter of an error reply, or "" when absent or not a string.
std::string text(const json& parameters, const char* name) {
  auto it = parameters.find(name);
  return it != parameters.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string with_reason(std::string_view what, const json& parameters) {
  std::string reason = text(parameters, "reason");
  return reason.empty() ? std::string(what) : fmt::format("{}: {}", what, reason);
}

std::string job_name(const json& parameters) {
  auto id = parameters.find("id");
  if (id != parameters.end() && id->is_number_integer())
    return fmt::format("{}", id->get<std::int64_t>());
  return fmt::format("{}:{}", text(parameters, "endpoint"), text(parameters, "remote_id"));
}

}  // namespace

Failure describe(const protocol::VarlinkError& error) {
  const std::string& name = error.name;
  const json& parameters = error.parameters;
  if (name == errors::kNoSuchJob) {
    return {kExitNoSuchJob, fmt::format("no such job: {}", job_name(parameters))};
  }
  if (name == errors::kNoSuchEndpoint) {
    return {kExitNoSuchJob, fmt::format("no such endpoint: {}", text(parameters, "endpoint"))};
  }
  if (name == errors::kInvalidParameter) {
    return {kExitDataError,
            with_reason(fmt::format("invalid parameter '{}'", text(parameters, "parameter")),
                        parameters)};
  }
  if (name == errors::kPermissionDenied || name == errors::kPermissionDeniedStd) {
    return {kExitNoPermission, with_reason("permission denied", parameters)};
  }
  if (name == errors::kStorageFailure) {
    return {kExitTempFail,
            with_reason("the daemon's database failed (try again later)", parameters)};
  }
  if (name == errors::kMethodNotFound || name == errors::kInterfaceNotFound ||
      name == errors::kMethodNotImplemented) {
    return {kExitFailure,
            fmt::format("the daemon does not offer this call ({}); is it older than jobtrackctl?",
                        name)};
  }
  if (name == client_errors::kConnectionLost) {
    return {kExitUnavailable, with_reason("lost the connection to jobtrackd", parameters)};
  }
  if (name == client_errors::kBadReply) {
    return {kExitSoftware, with_reason("jobtrackd sent an unexpected reply", parameters)};
  }
  if (name == client_errors::kTimeout) return {kExitTimeout, "timed out"};
  std::string details = parameters.empty()
                            ? std::string()
                            : " " + parameters.dump(-1, ' ', false, json::error_handler_t::replace);
  return {kExitFailure, fmt::format("the daemon replied with an error: {}{}", name, details)};
}

Failure describe(const ConnectError& error) {
  std::string hint = error.error_number == EACCES
                         ? "jobtrackctl needs to be root or in the daemon's group to use it"
                         : "start the daemon with 'systemctl start jobtrackd', or run "
                           "'jobtrackd --config FILE'; --socket or JOBTRACK_SOCKET choose "
                           "another socket";
  return {kExitUnavailable, fmt::format("cannot connect to jobtrackd at {}: {}; {}", error.path,
                                        std::strerror(error.error_number), hint)};
}

int report(const Failure& failure) {
  fmt::print(stderr, "jobtrackctl: {}\n", failure.message);
  return failure.exit_code;
}

}  // namespace jobtrack::cli
