// The shell completion scripts of jobtrackctl, kept as source files in
// cli/completion/ (installed from there by cmake --install) and compiled in
// (cmake/EmbedText.cmake) so `jobtrackctl completion SHELL` prints the same
// text. Static storage; any thread.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "daemon/embedded.h"

namespace jobtrack::cli {

std::span<const EmbeddedFile> completion_scripts_all();

// The script for "bash", "zsh" or "fish"; nullopt for another shell.
std::optional<std::string_view> completion_script(std::string_view shell);

}  // namespace jobtrack::cli
