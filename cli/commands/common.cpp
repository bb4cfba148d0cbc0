#include "cli/commands/common.h"

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>

#include <fmt/format.h>

#include "cli/csv.h"
#include "cli/exit_codes.h"
#include "cli/failure.h"
#include "cli/job_ref.h"
#include "cli/render.h"
#include "daemon/protocol/durations.h"

namespace jobtrack::cli {

using nlohmann::json;

CLI::Option* add_job_argument(CLI::App& app, std::string& job) {
  CLI::Validator check(
      [](std::string& text) {
        auto parsed = parse_job_ref(text);
        return parsed ? std::string() : parsed.error();
      },
      "", "JOB");
  return app.add_option("JOB", job, "a local job id, or ENDPOINT:REMOTE_ID")
      ->required()
      ->check(check);
}

json job_parameters(const std::string& job) {
  // Already checked by add_job_argument's validator.
  return parse_job_ref(job).value();
}

CLI::Option* add_duration_option(CLI::App& app, const std::string& name, std::string& value,
                                 const std::string& description) {
  CLI::Validator check(
      [](std::string& text) {
        auto parsed = protocol::parse_duration_ms(text);
        return parsed ? std::string() : parsed.error();
      },
      "DURATION", "DURATION");
  return app.add_option(name, value, description)->check(check);
}

CLI::Validator positive() {
  return CLI::Validator(
      [](std::string& text) {
        std::int64_t value = 0;
        auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        bool ok = error == std::errc() && end == text.data() + text.size() && value > 0;
        return ok ? std::string() : fmt::format("'{}' is not a positive whole number", text);
      },
      "N", "N");
}

tl::expected<VarlinkClient, int> connect(const GlobalOptions& global) {
  auto client = VarlinkClient::connect(global.socket);
  if (!client) return tl::unexpected(report(describe(client.error())));
  return std::move(*client);
}

std::string method_name(std::string_view method) {
  return fmt::format("{}.{}", protocol::kInterfaceName, method);
}

tl::expected<json, int> call(const GlobalOptions& global, std::string_view method,
                             const json& parameters) {
  auto client = connect(global);
  if (!client) return tl::unexpected(client.error());
  auto reply = client->call(method_name(method), parameters);
  if (!reply) return tl::unexpected(report(describe(reply.error())));
  return std::move(*reply);
}

tl::expected<json, int> reply_field(const json& reply, const char* key, json::value_t kind) {
  auto it = reply.find(key);
  if (it == reply.end() || it->type() != kind) {
    return tl::unexpected(report(
        Failure{kExitSoftware, fmt::format("jobtrackd sent an unexpected reply (no '{}')", key)}));
  }
  return *it;
}

void print(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
}

void print_now(std::string_view text) {
  print(text);
  std::fflush(stdout);
}

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* command :
       app.get_subcommands([](const CLI::App* c) { return !c->get_group().empty(); })) {
    names.push_back(command->get_name());
  }
  return names;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int print_job_reply(const GlobalOptions& global, std::string_view method,
                    const nlohmann::json& parameters,
                    const std::function<std::string(const nlohmann::json&)>& for_people) {
  auto reply = call(global, method, parameters);
  if (!reply) return reply.error();
  auto job = reply_field(*reply, "job", nlohmann::json::value_t::object);
  if (!job) return job.error();
  if (global.json) {
    print(json_text(job_for_scripts(*job)));
  } else if (global.csv()) {
    print(csv_header(job_fields()) + csv_record(*job, job_fields()));
  } else {
    print(for_people(*job));
  }
  return kExitOk;
}

}  // namespace jobtrack::cli
