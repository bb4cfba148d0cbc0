#include "cli/track_reply.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace jobtrack::cli {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 3> kIdPath = {"parameters", "job", "id"};

// SAX events of a reply: notes the number at parameters.job.id and refuses
// what a plain successful reply does not hold (an error, "continues": true).
class IdReader : public nlohmann::json_sax<json> {
 public:
  std::optional<std::int64_t> id;
  bool refused = false;

  bool null() override { return true; }
  bool boolean(bool set) override {
    if (containers_.size() == 1 && continues_key_ && set) return refuse();
    return true;
  }
  bool number_integer(number_integer_t number) override {
    if (at_id()) id = number;
    return true;
  }
  bool number_unsigned(number_unsigned_t number) override {
    if (at_id() && number <= static_cast<number_unsigned_t>(INT64_MAX)) {
      id = static_cast<std::int64_t>(number);
    }
    return true;
  }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return open('{'); }
  bool start_array(std::size_t) override { return open('['); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& name) override {
    const std::size_t depth = containers_.size();
    if (depth == 1) {
      if (name == "error") return refuse();
      continues_key_ = name == "continues";
    }
    if (depth <= kIdPath.size()) matched_[depth - 1] = name == kIdPath[depth - 1];
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return refuse();
  }

 private:
  bool open(char kind) {
    containers_.push_back(kind);
    if (containers_.size() <= kIdPath.size()) matched_[containers_.size() - 1] = false;
    return true;
  }
  bool close() {
    containers_.pop_back();
    return true;
  }
  // A value whose key path is parameters.job.id, through objects only.
  bool at_id() const {
    if (containers_.size() != kIdPath.size()) return false;
    for (std::size_t i = 0; i < kIdPath.size(); ++i) {
      if (containers_[i] != '{' || !matched_[i]) return false;
    }
    return true;
  }
  bool refuse() {
    refused = true;
    return false;
  }

  std::vector<char> containers_;  // the open objects and arrays, outermost first
  // Whether the current key of the open object at each depth is kIdPath's.
  std::array<bool, kIdPath.size()> matched_{};
  bool continues_key_ = false;  // the current top-level key is "continues"
};

}  // namespace

std::optional<std::int64_t> track_reply_id(std::string_view message) {
  IdReader reader;
  const bool parsed = json::sax_parse(message.begin(), message.end(), &reader);
  if (!parsed || reader.refused) return std::nullopt;
  return reader.id;
}

}  // namespace jobtrack::cli
