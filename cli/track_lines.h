// The lines `jobtrackctl track --stdin` reads: "ENDPOINT REMOTE_ID [LABEL]",
// fields separated by blanks (spaces or tabs); the label is the rest of the
// line, inner blanks kept, outer ones trimmed. Blank lines and lines whose
// first non-blank character is '#' are skipped. A trailing CR (a file from
// Windows) is ignored. Pure; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace jobtrack::cli {

struct TrackLine {
  std::string endpoint;
  std::string remote_id;
  std::optional<std::string> label;
};

// nullopt for a line to skip; an error in words for a malformed one.
tl::expected<std::optional<TrackLine>, std::string> parse_track_line(std::string_view line);

}  // namespace jobtrack::cli
