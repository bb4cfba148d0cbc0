// The local id in a Track reply, read without building the JSON document:
// `track --stdin` prints only the id for each of its lines (the table
// output), and parsing each ~700-byte reply into an nlohmann object was
// two thirds of the client's time. Anything but a plain successful reply
// with a numeric parameters.job.id (an error, "continues", a reply of
// another shape, bad JSON) gives nullopt, and the caller decodes the
// message the usual way. Pure; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace jobtrack::cli {

std::optional<std::int64_t> track_reply_id(std::string_view message);

}  // namespace jobtrack::cli
