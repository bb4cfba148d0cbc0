// The JSON text of a job as the Varlink interface shows it, written straight
// into a string: byte for byte what job_to_json(job, provider) dumps to
// (protocol::encode: keys in order, invalid UTF-8 replaced), without
// building the object first. A Track reply is mostly this text, and
// building then dumping a thirty-member nlohmann object costed more than the
// insert it answers. tests/unit/job_text_test.cpp holds it to job_to_json.
// Pure; any thread.
#pragma once

#include <string>
#include <string_view>

#include "daemon/job.h"

namespace jobtrack {

// Appends the job's JSON object to `out`.
void append_job_json(std::string& out, const Job& job, std::string_view provider);

}  // namespace jobtrack
