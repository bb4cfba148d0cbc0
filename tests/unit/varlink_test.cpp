#include "daemon/protocol/varlink.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

using jobtrack::protocol::Call;
using jobtrack::protocol::encode;
using jobtrack::protocol::error_reply;
using jobtrack::protocol::interface_description;
using jobtrack::protocol::invalid_parameter;
using jobtrack::protocol::MessageReader;
using jobtrack::protocol::Params;
using jobtrack::protocol::parse_call;
using jobtrack::protocol::reply;
using nlohmann::json;
namespace errors = jobtrack::protocol::errors;

namespace {

using Status = MessageReader::Status;

void feed(MessageReader& reader, std::string_view bytes) {
  reader.feed(bytes.data(), bytes.size());
}

// Everything the reader returns until it needs more; "<too large>" marks a
// discarded message.
std::vector<std::string> drain(MessageReader& reader) {
  std::vector<std::string> messages;
  std::string out;
  for (;;) {
    Status status = reader.next(out);
    if (status == Status::need_more) return messages;
    messages.push_back(status == Status::message ? out : "<too large>");
  }
}

std::string parameter_of(const jobtrack::protocol::VarlinkError& error) {
  CHECK(error.name == errors::kInvalidParameter);
  return error.parameters.value("parameter", "");
}

}  // namespace

TEST_CASE("MessageReader reassembles messages split at every byte boundary") {
  const std::string stream = std::string("{\"a\":1}") + '\0' + "{\"b\":2}" + '\0';
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    INFO("cut at " << cut);
    MessageReader reader(1024);
    feed(reader, std::string_view(stream).substr(0, cut));
    auto first = drain(reader);
    feed(reader, std::string_view(stream).substr(cut));
    auto second = drain(reader);
    first.insert(first.end(), second.begin(), second.end());
    CHECK(first == std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"});
    CHECK(reader.buffered() == 0);
  }
}

TEST_CASE("MessageReader reads a message fed one byte at a time") {
  const std::string stream = std::string("{\"method\":\"x\"}") + '\0';
  MessageReader reader(1024);
  std::vector<std::string> messages;
  for (char c : stream) {
    reader.feed(&c, 1);
    auto got = drain(reader);
    messages.insert(messages.end(), got.begin(), got.end());
  }
  CHECK(messages == std::vector<std::string>{"{\"method\":\"x\"}"});
}

TEST_CASE("MessageReader returns several messages from one feed, then keeps a partial one") {
  std::string stream;
  for (int i = 0; i < 1000; ++i) stream += std::to_string(i) + '\0';
  stream += "12";
  MessageReader reader(64);
  feed(reader, stream);
  auto messages = drain(reader);
  REQUIRE(messages.size() == 1000);
  CHECK(messages.front() == "0");
  CHECK(messages.back() == "999");
  CHECK(reader.buffered() == 2);
  feed(reader, std::string_view("3\0", 2));
  CHECK(drain(reader) == std::vector<std::string>{"123"});
}

TEST_CASE("MessageReader ready says whether next would return without more bytes") {
  MessageReader reader(8);
  CHECK_FALSE(reader.ready());
  feed(reader, "ab");
  CHECK_FALSE(reader.ready());  // a partial message
  feed(reader, std::string_view("c\0d", 3));
  CHECK(reader.ready());
  std::string out;
  REQUIRE(reader.next(out) == Status::message);
  CHECK(out == "abc");
  CHECK_FALSE(reader.ready());  // "d" waits for its end
  feed(reader, "efghijkl");     // past the limit without a NUL
  CHECK(reader.ready());
  CHECK(reader.next(out) == Status::too_large);
}

TEST_CASE("MessageReader accepts a message exactly at the limit") {
  MessageReader reader(4);
  feed(reader, std::string_view("abcd\0", 5));
  CHECK(drain(reader) == std::vector<std::string>{"abcd"});
}

TEST_CASE("MessageReader discards an oversized message whole and reads the next one") {
  SECTION("the oversized message arrives complete") {
    MessageReader reader(8);
    feed(reader, std::string("0123456789") + '\0' + "ok" + '\0');
    CHECK(drain(reader) == std::vector<std::string>{"<too large>", "ok"});
  }
  SECTION("the oversized message arrives in pieces") {
    MessageReader reader(8);
    feed(reader, "0123456789");
    CHECK(drain(reader) == std::vector<std::string>{"<too large>"});
    CHECK(reader.buffered() == 0);
    feed(reader, "more bytes of the same message");
    CHECK(drain(reader).empty());
    CHECK(reader.buffered() == 0);
    feed(reader, std::string("tail") + '\0' + "ok" + '\0' + "ne");
    CHECK(drain(reader) == std::vector<std::string>{"ok"});
    feed(reader, std::string_view("xt\0", 3));
    CHECK(drain(reader) == std::vector<std::string>{"next"});
  }
}

TEST_CASE("encode terminates with NUL and replaces invalid UTF-8") {
  CHECK(encode(json{{"a", 1}}) == std::string("{\"a\":1}") + '\0');
  std::string encoded;
  REQUIRE_NOTHROW(encoded = encode(json{{"s", std::string("bad \xff\xfe byte")}}));
  CHECK(encoded.back() == '\0');
  CHECK(encoded.find("\xef\xbf\xbd") != std::string::npos);  // U+FFFD
  // A NUL inside a string is escaped, so it cannot end the frame early.
  encoded = encode(json{{"s", std::string("a\0b", 3)}});
  CHECK(encoded.find('\0') == encoded.size() - 1);
}

TEST_CASE("parse_call decodes a well-formed call") {
  auto call = parse_call(
      R"({"method":"io.jobtrack.Jobs.Get","parameters":{"id":7},"more":true,"upgrade":false})");
  REQUIRE(call);
  CHECK(call->method == "io.jobtrack.Jobs.Get");
  CHECK(call->parameters == json{{"id", 7}});
  CHECK(call->more);
  CHECK_FALSE(call->oneway);

  auto bare = parse_call(R"({"method":"io.jobtrack.Jobs.Status"})");
  REQUIRE(bare);
  CHECK(bare->parameters == json::object());
  CHECK_FALSE(bare->more);

  auto nulls = parse_call(R"({"method":"m","parameters":null,"more":null})");
  REQUIRE(nulls);
  CHECK(nulls->parameters == json::object());
}

TEST_CASE("parse_call refuses bad messages with InvalidParameter") {
  struct Case {
    const char* message;
    const char* parameter;
  };
  for (auto [message, parameter] : {
           Case{"{\"method\":", "message"},
           Case{"not json", "message"},
           Case{"", "message"},
           Case{"[1,2]", "message"},
           Case{"\"method\"", "message"},
           Case{"{}", "method"},
           Case{R"({"method":42})", "method"},
           Case{R"({"method":"m","parameters":[1]})", "parameters"},
           Case{R"({"method":"m","parameters":"x"})", "parameters"},
           Case{R"({"method":"m","more":"yes"})", "more"},
           Case{R"({"method":"m","oneway":1})", "oneway"},
       }) {
    INFO(message);
    auto call = parse_call(message);
    REQUIRE_FALSE(call);
    CHECK(parameter_of(call.error()) == parameter);
  }
}

TEST_CASE("parse_call refuses invalid UTF-8 without throwing") {
  std::string message = std::string("{\"method\":\"m\xff\"}");
  REQUIRE_NOTHROW(parse_call(message));
  CHECK_FALSE(parse_call(message));
}

TEST_CASE("Params getters read present values and treat null as absent") {
  json parameters = {{"name", "x"},        {"count", 5},         {"flag", true},
                     {"list", {"a", "b"}}, {"nothing", nullptr}, {"big", 9007199254740993LL}};
  Params params(parameters);
  CHECK(params.optional_string("name").value() == "x");
  CHECK(params.required_string("name").value() == "x");
  CHECK(params.optional_int("count").value() == 5);
  CHECK(params.optional_int("big").value() == 9007199254740993LL);
  CHECK(params.optional_bool("flag").value() == true);
  CHECK(params.optional_string_list("list").value() == std::vector<std::string>{"a", "b"});
  CHECK(params.optional_string("nothing").value() == std::nullopt);
  CHECK(params.optional_int("nothing").value() == std::nullopt);
  CHECK(params.optional_bool("absent").value() == std::nullopt);
  CHECK(params.optional_string_list("absent").value() == std::nullopt);
  CHECK(params.no_unknown());
}

TEST_CASE("Params getters refuse values of the wrong type") {
  json parameters = {{"s", 1},
                     {"i", "1"},
                     {"f", 1.5},
                     {"b", "true"},
                     {"l", "a"},
                     {"mixed", {"a", 1}},
                     {"huge", 18446744073709551615ULL},
                     {"obj", json::object()}};
  Params params(parameters);
  CHECK(parameter_of(params.optional_string("s").error()) == "s");
  CHECK(parameter_of(params.required_string("s").error()) == "s");
  CHECK(parameter_of(params.optional_int("i").error()) == "i");
  CHECK(parameter_of(params.optional_int("f").error()) == "f");
  CHECK(parameter_of(params.optional_int("huge").error()) == "huge");
  CHECK(parameter_of(params.optional_bool("b").error()) == "b");
  CHECK(parameter_of(params.optional_string_list("l").error()) == "l");
  CHECK(parameter_of(params.optional_string_list("mixed").error()) == "mixed");
  CHECK(parameter_of(params.optional_string("obj").error()) == "obj");
}

TEST_CASE("Params required_string refuses a missing or null value") {
  json parameters = {{"endpoint", nullptr}};
  Params params(parameters);
  CHECK(parameter_of(params.required_string("endpoint").error()) == "endpoint");
  CHECK(parameter_of(params.required_string("remote_id").error()) == "remote_id");
}

TEST_CASE("Params no_unknown names the first parameter no getter asked for") {
  json parameters = {{"id", 1}, {"zzz", 2}, {"extra", nullptr}};
  Params params(parameters);
  REQUIRE(params.optional_int("id"));
  auto unknown = params.no_unknown();
  REQUIRE_FALSE(unknown);
  CHECK(parameter_of(unknown.error()) == "extra");
  REQUIRE(params.optional_string("extra"));
  CHECK(parameter_of(params.no_unknown().error()) == "zzz");
}

TEST_CASE("reply and error_reply build Varlink messages") {
  CHECK(reply(json{{"id", 1}}) == json{{"parameters", {{"id", 1}}}});
  CHECK(reply(nullptr) == json{{"parameters", json::object()}});
  CHECK(reply(json::object(), true) == json{{"parameters", json::object()}, {"continues", true}});
  auto error = invalid_parameter("limit", "must be positive");
  CHECK(error_reply(error) ==
        json{{"error", "org.varlink.service.InvalidParameter"},
             {"parameters", {{"parameter", "limit"}, {"reason", "must be positive"}}}});
  CHECK(invalid_parameter("id").parameters == json{{"parameter", "id"}});
}

TEST_CASE("interface_description is the interface file") {
  auto text = interface_description();
  CHECK(text.substr(0, 2) == "# ");
  CHECK(text.find("\ninterface io.jobtrack.Jobs\n") != std::string_view::npos);
  CHECK(text.find("method Track(") != std::string_view::npos);
}
