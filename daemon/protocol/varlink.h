// Varlink on a stream socket: messages are JSON objects, each terminated by
// a NUL byte. This file holds the framing (MessageReader, encode), the
// decoding of a call with its parameter checks, and the standard error
// names. Both the daemon's server and jobtrackctl's client use it.
//
// Nothing here does I/O or throws on bad input: hostile bytes come back as
// a VarlinkError describing the standard error to reply with.
// Not thread-safe; each connection owns its own MessageReader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "daemon/embedded.h"

namespace jobtrack::protocol {

inline constexpr std::string_view kInterfaceName = "io.jobtrack.Jobs";

// Standard errors (org.varlink.service) and jobtrack's own.
namespace errors {
inline constexpr std::string_view kInterfaceNotFound = "org.varlink.service.InterfaceNotFound";
inline constexpr std::string_view kMethodNotFound = "org.varlink.service.MethodNotFound";
inline constexpr std::string_view kMethodNotImplemented =
    "org.varlink.service.MethodNotImplemented";
inline constexpr std::string_view kInvalidParameter = "org.varlink.service.InvalidParameter";
inline constexpr std::string_view kPermissionDeniedStd = "org.varlink.service.PermissionDenied";
inline constexpr std::string_view kExpectedMore = "org.varlink.service.ExpectedMore";
inline constexpr std::string_view kNoSuchJob = "io.jobtrack.Jobs.NoSuchJob";
inline constexpr std::string_view kNoSuchEndpoint = "io.jobtrack.Jobs.NoSuchEndpoint";
inline constexpr std::string_view kPermissionDenied = "io.jobtrack.Jobs.PermissionDenied";
inline constexpr std::string_view kStorageFailure = "io.jobtrack.Jobs.StorageFailure";
}  // namespace errors

// An error reply: {"error": name, "parameters": parameters}.
struct VarlinkError {
  std::string name;
  nlohmann::json parameters = nlohmann::json::object();
};

// InvalidParameter naming `parameter`, with an optional human reason
// (an extra field that generic Varlink tools show and otherwise ignore).
VarlinkError invalid_parameter(std::string_view parameter, std::string_view reason = {});

// Splits a byte stream into NUL-terminated messages.
class MessageReader {
 public:
  explicit MessageReader(std::size_t max_message_bytes) : max_(max_message_bytes) {}

  enum class Status { message, need_more, too_large };

  // Appends bytes received from the peer.
  void feed(const char* data, std::size_t size);
  // Takes the next complete message (without its NUL) into `out`.
  // too_large: the current message passed the limit; its bytes up to the
  // next NUL are discarded so the stream stays in step, and the caller
  // should reply with an error (or close).
  Status next(std::string& out);
  // Bytes held but not yet returned (bounded by the limit).
  std::size_t buffered() const { return buffer_.size() - consumed_; }
  // Whether next() would return at once (a message, or too_large) rather
  // than need_more. Scans what next() would scan.
  bool ready() const;

 private:
  // Drops the bytes already returned once they are at least half the
  // buffer, so many messages arriving in one read cost linear time.
  void compact();

  std::size_t max_;
  std::string buffer_;
  std::size_t consumed_ = 0;
  // Offset in buffer_ up to which no NUL was found: a large message that
  // arrives in small reads is scanned once, not once per read.
  std::size_t scanned_ = 0;
  // Dropping the rest of an oversized message until its NUL arrives.
  bool discarding_ = false;
};

// Serializes a message and appends the NUL terminator. Invalid UTF-8 in
// strings is replaced (U+FFFD) rather than throwing.
std::string encode(const nlohmann::json& message);

// A decoded call.
struct Call {
  std::string method;  // fully qualified: "io.jobtrack.Jobs.Get"
  nlohmann::json parameters = nlohmann::json::object();
  bool more = false;
  bool oneway = false;
};

// Decodes one message as a call: malformed JSON, a non-object, a missing or
// non-string method, non-object parameters, or non-bool more/oneway each
// give InvalidParameter naming the offending field.
tl::expected<Call, VarlinkError> parse_call(std::string_view message);

// Typed, checked access to a call's parameters. Each getter records the
// name as known; a present value of the wrong type is an InvalidParameter
// error; JSON null counts as absent.
class Params {
 public:
  explicit Params(const nlohmann::json& parameters) : parameters_(parameters) {}

  tl::expected<std::optional<std::string>, VarlinkError> optional_string(std::string_view name);
  tl::expected<std::string, VarlinkError> required_string(std::string_view name);
  tl::expected<std::optional<std::int64_t>, VarlinkError> optional_int(std::string_view name);
  tl::expected<std::optional<bool>, VarlinkError> optional_bool(std::string_view name);
  tl::expected<std::optional<std::vector<std::string>>, VarlinkError> optional_string_list(
      std::string_view name);
  // After all getters: an InvalidParameter for the first parameter that no
  // getter asked for.
  tl::expected<void, VarlinkError> no_unknown();

 private:
  const nlohmann::json& parameters_;
  std::vector<std::string> known_;
};

// Replies as JSON objects ready for encode().
nlohmann::json reply(nlohmann::json parameters, bool continues = false);
nlohmann::json error_reply(const VarlinkError& error);

// The interface description text (daemon/protocol/io.jobtrack.Jobs.varlink).
std::string_view interface_description();

}  // namespace jobtrack::protocol
