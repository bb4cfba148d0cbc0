// Helpers the provider_*_test.cpp files share: building a provider from an
// endpoint made in code, reading bodies, and hostile variants of a body.
#pragma once

#include <functional>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "daemon/providers/provider.h"

namespace jobtrack::testing {

inline EndpointConfig endpoint(std::string provider, std::string base_url,
                               nlohmann::json settings = nlohmann::json::object()) {
  EndpointConfig out;
  out.name = "test";
  out.provider = std::move(provider);
  out.base_url = std::move(base_url);
  out.settings = std::move(settings);
  return out;
}

inline std::unique_ptr<Provider> make(const EndpointConfig& config) {
  auto made = make_provider(config);
  if (!made) FAIL("make_provider: " << made.error().key << ": " << made.error().message);
  return std::move(*made);
}

inline ProviderError make_error(const EndpointConfig& config) {
  auto made = make_provider(config);
  REQUIRE_FALSE(made);
  CHECK_FALSE(made.error().message.empty());
  return made.error();
}

inline Observation parse_ok(const Provider& provider, const std::string& body) {
  INFO(body);
  auto parsed = provider.parse_status(body);
  if (!parsed) FAIL("parse_status: " << parsed.error());
  return std::move(*parsed);
}

inline std::string parse_error(const Provider& provider, const std::string& body) {
  INFO(body);
  auto parsed = provider.parse_status(body);
  REQUIRE_FALSE(parsed);
  CHECK_FALSE(parsed.error().empty());
  return parsed.error();
}

// Bodies that are not a status at all: each must give an error, not a crash.
inline std::vector<std::string> unreadable_bodies() {
  std::vector<std::string> out = {
      "",     " ", "null",         "[]",          "42",         "\"complete\"",
      "true", "{", "{\"status\":", "{} trailing", "\xff\xfe{}", "{\"status\": \"\xc3\x28\"}"};
  out.push_back(std::string(200'000, '[') + std::string(200'000, ']'));
  return out;
}

// Values that replace every field of a good body in turn.
inline std::vector<nlohmann::json> hostile_values() {
  nlohmann::json deep = nlohmann::json::array();
  for (int i = 0; i < 2000; ++i) deep = nlohmann::json::array({std::move(deep)});
  return {nullptr,
          true,
          -1,
          0,
          1e308,
          -1e308,
          std::uint64_t{18446744073709551615ULL},
          INT64_MIN,
          0.5,
          "",
          "not a time or a status",
          std::string(100'000, 'x'),
          nlohmann::json::array(),
          nlohmann::json::object(),
          nlohmann::json::array({1, "a", nullptr}),
          deep};
}

// Calls `check` with every variant of `body` that has one value (at any
// depth) replaced by a hostile value, or removed.
inline void for_each_variant(const nlohmann::json& body,
                             const std::function<void(const std::string&)>& check) {
  std::function<void(nlohmann::json&, const nlohmann::json&)> walk =
      [&](nlohmann::json& node, const nlohmann::json& root) {
        if (node.is_object()) {
          for (auto& [key, value] : node.items()) {
            nlohmann::json saved = value;
            for (const auto& hostile : hostile_values()) {
              value = hostile;
              check(root.dump());
            }
            value = saved;
            walk(value, root);
          }
          std::vector<std::string> keys;
          for (auto& item : node.items()) keys.push_back(item.key());
          for (const auto& key : keys) {
            nlohmann::json saved = node[key];
            node.erase(key);
            check(root.dump());
            node[key] = saved;
          }
        } else if (node.is_array()) {
          for (auto& item : node) walk(item, root);
        }
      };
  nlohmann::json copy = body;
  walk(copy, copy);
}

// Every variant parses to a value or an error, never a throw; a variant
// that parses keeps its remote status verbatim.
inline void survives_hostile_variants(const Provider& provider, const nlohmann::json& body) {
  for (const auto& text : unreadable_bodies()) {
    INFO(text.substr(0, 80));
    tl::expected<Observation, std::string> parsed;
    REQUIRE_NOTHROW(parsed = provider.parse_status(text));
    CHECK_FALSE(parsed);
  }
  std::size_t variants = 0;
  for_each_variant(body, [&](const std::string& text) {
    ++variants;
    tl::expected<Observation, std::string> parsed;
    REQUIRE_NOTHROW(parsed = provider.parse_status(text));
    if (!parsed) {
      REQUIRE_FALSE(parsed.error().empty());
    } else if (parsed->progress) {
      REQUIRE(*parsed->progress >= 0.0);
      REQUIRE(*parsed->progress <= 100.0);
    }
  });
  CHECK(variants > 0);
}

}  // namespace jobtrack::testing
