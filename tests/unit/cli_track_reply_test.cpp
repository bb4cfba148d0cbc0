#include <string>

#include <catch2/catch.hpp>

#include "cli/track_reply.h"
#include "daemon/protocol/varlink.h"

using jobtrack::cli::track_reply_id;
using nlohmann::json;

namespace {

std::string text(const json& message) {
  std::string encoded = jobtrack::protocol::encode(message);
  encoded.pop_back();  // the NUL
  return encoded;
}

json job(const json& id) {
  return {{"endpoint", "prism"}, {"id", id},       {"label", nullptr},
          {"progress", 12.5},    {"tags", {1, 2}}, {"detail", {{"id", 99}}}};
}

}  // namespace

TEST_CASE("a Track reply's job id is read without the document") {
  CHECK(track_reply_id(text({{"parameters", {{"created", true}, {"job", job(42)}}}})) == 42);
  CHECK(track_reply_id(text(
            {{"parameters", {{"job", job(7)}, {"created", false}}}, {"continues", false}})) == 7);
  // Members before and after, nested objects with their own "id", arrays.
  json reply = {
      {"parameters", {{"a", {{"id", 1}}}, {"job", job(3)}, {"z", {{"job", {{"id", 5}}}}}}}};
  CHECK(track_reply_id(text(reply)) == 3);
}

TEST_CASE("anything but a plain reply with a numeric job id is left to the full decoder") {
  CHECK_FALSE(track_reply_id(
      text({{"error", "io.jobtrack.Jobs.NoSuchEndpoint"}, {"parameters", {{"job", job(1)}}}})));
  CHECK_FALSE(track_reply_id(text({{"parameters", {{"job", job(1)}}}, {"continues", true}})));
  CHECK_FALSE(track_reply_id(text({{"parameters", {{"job", job("1")}}}})));
  CHECK_FALSE(track_reply_id(text({{"parameters", {{"job", json::array({1})}}}})));
  CHECK_FALSE(track_reply_id(text({{"parameters", {{"id", 1}}}})));
  CHECK_FALSE(track_reply_id(text({{"job", {{"id", 1}}}})));
  CHECK_FALSE(track_reply_id(R"({"parameters":{"job":{"id":1}})"));  // cut short
  CHECK_FALSE(track_reply_id(R"({"parameters":{"job":{"id":1}}} x)"));
  CHECK_FALSE(track_reply_id(""));
  CHECK_FALSE(track_reply_id(text({{"parameters", {{"job", job(1.5)}}}})));
  CHECK_FALSE(track_reply_id(text({{"parameters", {{"job", job(std::uint64_t{1} << 63)}}}})));
}
