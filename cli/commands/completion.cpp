// jobtrackctl completion bash|zsh|fish, and the hidden
// jobtrackctl __complete endpoints|jobs that the scripts call while the
// user presses Tab: one name per line, nothing at all on any error (a
// missing daemon must not spill messages into the command line).
#include "cli/completion.h"

#include <memory>

#include "cli/commands/common.h"
#include "cli/exit_codes.h"
#include "cli/render.h"
#include "cli/table.h"

namespace jobtrack::cli {

Command add_completion(CLI::App& parent, const GlobalOptions&) {
  auto shell = std::make_shared<std::string>();
  auto* app = parent.add_subcommand("completion", "Print a shell completion script");
  app->footer(R"(Examples:
  source <(jobtrackctl completion bash)
  jobtrackctl completion zsh > ~/.zfunc/_jobtrackctl
  jobtrackctl completion fish > ~/.config/fish/completions/jobtrackctl.fish

Packages install them in the shells' own directories.)");
  app->add_option("SHELL", *shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  return {app, [shell] {
            print(*completion_script(*shell));
            return int{kExitOk};
          }};
}

Command add_complete(CLI::App& parent, const GlobalOptions& global) {
  auto what = std::make_shared<std::string>();
  auto* app = parent.add_subcommand("__complete", "Names for shell completion");
  app->group("");  // hidden from --help
  app->add_option("WHAT", *what)->required()->check(CLI::IsMember({"endpoints", "jobs"}));
  return {app, [what, &global] {
            auto client = VarlinkClient::connect(global.socket);
            if (!client) return int{kExitUnavailable};
            bool endpoints = *what == "endpoints";
            auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
            auto reply = endpoints ? client->call(method_name("Endpoints"),
                                                  nlohmann::json::object(), deadline)
                                   : client->call(method_name("List"), {{"limit", 1000}}, deadline);
            if (!reply) return int{kExitFailure};
            auto items = reply->find(endpoints ? "endpoints" : "jobs");
            if (items == reply->end() || !items->is_array()) return int{kExitSoftware};
            std::string out;
            for (const auto& item : *items) {
              if (!item.is_object()) continue;
              out += printable(value_text(item.value(endpoints ? "name" : "id", nlohmann::json())));
              out += '\n';
            }
            print(out);
            return int{kExitOk};
          }};
}

}  // namespace jobtrack::cli
