#include "cli/completion.h"

namespace jobtrack::cli {

std::optional<std::string_view> completion_script(std::string_view shell) {
  std::string_view file = shell == "bash"   ? "jobtrackctl.bash"
                          : shell == "zsh"  ? "_jobtrackctl"
                          : shell == "fish" ? "jobtrackctl.fish"
                                            : "";
  for (const EmbeddedFile& script : completion_scripts_all()) {
    if (!file.empty() && script.name == file) return script.content;
  }
  return std::nullopt;
}

}  // namespace jobtrack::cli
