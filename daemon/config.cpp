#include "daemon/config.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <span>
#include <sstream>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "daemon/protocol/durations.h"

namespace jobtrack {
namespace {

using Status = tl::expected<void, ConfigError>;

// A configuration file larger than this is a wrong path, not a configuration.
constexpr std::int64_t kMaxFileBytes = 16 * 1024 * 1024;

constexpr std::string_view kTopLevelKeys =
    "database, socket, socket_group, log_level, keep_finished, keep_after_expiry, poll_retention, "
    "idle_timeout, max_connections, max_message_bytes, on_transition, hook_timeout, endpoints";
constexpr std::string_view kProviders[] = {"prism", "ttd-standard", "ttd-graphql",
                                           "ogc",   "asana",        "generic"};
constexpr std::string_view kLogLevels[] = {"debug", "info", "notice", "warning", "err"};

int line_of(const toml::source_position& position) {
  return static_cast<int>(std::min<std::uint32_t>(position.line, std::numeric_limits<int>::max()));
}
int line_of(const toml::source_region& region) {
  return line_of(region.begin);
}

// One key = value pair being read: `path` is its dotted name for messages.
struct Item {
  std::string key;
  std::string path;
  const toml::node* node;
  int line;
};

// The entries of a table in file order: toml++ keeps tables sorted by key,
// but errors and endpoints should follow the file.
std::vector<Item> entries(const toml::table& table, const std::string& prefix) {
  std::vector<std::pair<toml::source_position, Item>> sorted;
  for (auto&& [key, node] : table) {
    toml::source_position at = key.source().begin;
    if (at.line == 0) at = node.source().begin;
    std::string path =
        prefix.empty() ? std::string(key.str()) : fmt::format("{}.{}", prefix, key.str());
    sorted.push_back({at, Item{std::string(key.str()), std::move(path), &node, line_of(at)}});
  }
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return std::pair(a.first.line, a.first.column) < std::pair(b.first.line, b.first.column);
  });
  std::vector<Item> items;
  items.reserve(sorted.size());
  for (auto& entry : sorted) items.push_back(std::move(entry.second));
  return items;
}

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

template <typename... Args>
tl::unexpected<ConfigError> fail(const Item& item, fmt::format_string<Args...> format,
                                 Args&&... args) {
  return tl::make_unexpected(ConfigError{
      "", item.line,
      fmt::format("{}: {}", item.path, fmt::format(format, std::forward<Args>(args)...))});
}

tl::unexpected<ConfigError> wrong_type(const Item& item, std::string_view expected) {
  return fail(item, "expected {}, found {}", expected, type_name(*item.node));
}

// Stores a successfully read value, or passes the error on.
template <typename T, typename Target>
Status assign(tl::expected<T, ConfigError> value, Target& target) {
  if (!value) return tl::make_unexpected(std::move(value.error()));
  target = std::move(*value);
  return {};
}

tl::expected<std::string, ConfigError> string_value(const Item& item) {
  const auto* value = item.node->as_string();
  if (value == nullptr) return wrong_type(item, "a string");
  return value->get();
}

tl::expected<std::string, ConfigError> nonempty_string(const Item& item) {
  auto value = string_value(item);
  if (value && value->empty()) return fail(item, "must not be empty");
  return value;
}

// A hook's argv: a non-empty array of strings whose first is an absolute
// path. The command runs without a shell and without a PATH search, so what
// runs never depends on the daemon's environment.
tl::expected<std::vector<std::string>, ConfigError> command(const Item& item) {
  const auto* array = item.node->as_array();
  if (array == nullptr) {
    return wrong_type(item, "an array of strings such as [\"/usr/local/bin/notify\", \"--quiet\"]");
  }
  if (array->empty())
    return fail(item, "must not be empty: give the program's absolute path first");
  std::vector<std::string> argv;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto* element = array->get(i)->as_string();
    if (element == nullptr) {
      return fail(item, "element {} must be a string, found {}", i + 1, type_name(*array->get(i)));
    }
    if (element->get().find('\0') != std::string::npos)
      return fail(item, "element {} contains a NUL character", i + 1);
    argv.push_back(element->get());
  }
  if (argv[0].empty() || argv[0][0] != '/') {
    return fail(item, "the program \"{}\" must be an absolute path (no shell, no PATH search)",
                argv[0]);
  }
  return argv;
}

tl::expected<std::string, ConfigError> one_of(const Item& item,
                                              std::span<const std::string_view> choices) {
  auto value = string_value(item);
  if (!value) return value;
  if (std::find(choices.begin(), choices.end(), *value) != choices.end()) return value;
  return fail(item, "unknown value \"{}\" (expected one of {})", *value, fmt::join(choices, ", "));
}

tl::expected<Millis, ConfigError> duration(const Item& item, bool allow_zero) {
  auto text = string_value(item);
  if (!text)
    return fail(item, "expected a duration string such as \"30s\" or \"1h30m\", found {}",
                type_name(*item.node));
  auto ms = protocol::parse_duration_ms(*text);
  if (!ms) return fail(item, "{}", ms.error());
  if (!allow_zero && *ms <= 0) return fail(item, "must be longer than zero");
  return *ms;
}

tl::expected<int, ConfigError> integer(const Item& item, std::int64_t min, std::int64_t max) {
  const auto* value = item.node->as_integer();
  if (value == nullptr) return wrong_type(item, "an integer");
  std::int64_t number = value->get();
  if (number < min || number > max) {
    if (max == std::numeric_limits<int>::max())
      return fail(item, "must be at least {}, found {}", min, number);
    return fail(item, "must be between {} and {}, found {}", min, max, number);
  }
  return static_cast<int>(number);
}

tl::expected<double, ConfigError> factor(const Item& item) {
  double number = 0;
  if (const auto* f = item.node->as_floating_point()) {
    number = f->get();
  } else if (const auto* i = item.node->as_integer()) {
    number = static_cast<double>(i->get());
  } else {
    return wrong_type(item, "a number");
  }
  // Written so that NaN fails too.
  if (!(number >= 1.0) || !std::isfinite(number))
    return fail(item, "must be a number of at least 1.0");
  return number;
}

// "10MB", "256MiB", "1.5GB", "4096" or "512 KiB": decimal and binary units,
// case-insensitive.
tl::expected<std::int64_t, std::string> parse_size(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() &&
         ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.'))
    ++digits;
  double number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + digits, number);
  if (digits == 0 || ec != std::errc() || end != text.data() + digits) {
    return tl::make_unexpected(fmt::format(
        "invalid size \"{}\": expected a number then a unit, e.g. \"10MB\" or \"256MiB\"", text));
  }
  std::string unit;
  for (char c : text.substr(digits)) {
    if (c != ' ') unit.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"", 1.0},
      {"b", 1.0},
      {"k", 1e3},
      {"kb", 1e3},
      {"kib", 1024.0},
      {"m", 1e6},
      {"mb", 1e6},
      {"mib", 1048576.0},
      {"g", 1e9},
      {"gb", 1e9},
      {"gib", 1073741824.0},
      {"t", 1e12},
      {"tb", 1e12},
      {"tib", 1099511627776.0},
  };
  for (const auto& [name, scale] : kUnits) {
    if (unit != name) continue;
    double bytes = number * scale;
    if (!(bytes < 9.0e18))
      return tl::make_unexpected(fmt::format("invalid size \"{}\": too large", text));
    return static_cast<std::int64_t>(bytes);
  }
  return tl::make_unexpected(fmt::format(
      "invalid size \"{}\": unknown unit (use B, KB, MB, GB, TB or KiB, MiB, GiB, TiB)", text));
}

tl::expected<std::int64_t, ConfigError> size(const Item& item) {
  std::int64_t bytes = 0;
  if (const auto* i = item.node->as_integer()) {
    bytes = i->get();
  } else if (const auto* s = item.node->as_string()) {
    auto parsed = parse_size(s->get());
    if (!parsed) return fail(item, "{}", parsed.error());
    bytes = *parsed;
  } else {
    return wrong_type(item, "a size (bytes as an integer, or a string such as \"10MB\")");
  }
  if (bytes <= 0) return fail(item, "must be larger than zero");
  return bytes;
}

tl::expected<RateLimit, ConfigError> rate_limit(const Item& item) {
  auto text = string_value(item);
  if (!text)
    return fail(item, "expected a rate string such as \"20/s\" or \"1500/min\", found {}",
                type_name(*item.node));
  auto rate = protocol::parse_rate(*text);
  if (!rate) return fail(item, "{}", rate.error());
  return RateLimit{rate->count, rate->per_ms};
}

tl::expected<std::string, ConfigError> base_url(const Item& item) {
  auto url = nonempty_string(item);
  if (!url) return url;
  std::string_view view = *url;
  std::size_t scheme = view.starts_with("https://") ? 8 : view.starts_with("http://") ? 7 : 0;
  if (scheme == 0) return fail(item, "\"{}\" must start with http:// or https://", view);
  while (view.size() > scheme && view.back() == '/') view.remove_suffix(1);
  if (view.size() == scheme) return fail(item, "\"{}\" has no host", *url);
  for (char c : view) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return fail(item, "\"{}\" must not contain spaces or control characters", *url);
    }
  }
  return std::string(view);
}

// The token is referenced, never written in the file. Messages must not
// quote a value here: it might be the token pasted by mistake.
tl::expected<TokenSource, ConfigError> token_source(const Item& item) {
  constexpr std::string_view kHint =
      "write where the token comes from: { env = \"VARIABLE\" }, { file = \"/path\" } or "
      "{ credential = \"name\" }";
  const auto* table = item.node->as_table();
  if (table == nullptr)
    return fail(item, "expected a table, found {}; {}", type_name(*item.node), kHint);
  if (table->size() != 1)
    return fail(item, "needs exactly one of env, file or credential; {}", kHint);
  Item source = entries(*table, item.path).front();
  TokenSource token;
  if (source.key == "env") {
    token.kind = TokenSource::Kind::env;
  } else if (source.key == "file") {
    token.kind = TokenSource::Kind::file;
  } else if (source.key == "credential") {
    token.kind = TokenSource::Kind::credential;
  } else {
    return fail(item, "unknown token source \"{}\"; {}", source.key, kHint);
  }
  const auto* name = source.node->as_string();
  if (name == nullptr) return wrong_type(source, "a string");
  token.name = name->get();
  if (token.name.empty()) return fail(source, "must not be empty");
  if (token.kind == TokenSource::Kind::env && token.name.find('=') != std::string::npos) {
    return fail(source, "an environment variable name cannot contain '='");
  }
  if (token.kind == TokenSource::Kind::credential &&
      (token.name.find('/') != std::string::npos || token.name == "." || token.name == "..")) {
    return fail(source, "a credential name cannot contain '/'");
  }
  return token;
}

// Any TOML value as JSON, for the provider to read.
tl::expected<nlohmann::json, ConfigError> to_json(const Item& item) {
  const toml::node& node = *item.node;
  if (const auto* table = node.as_table()) {
    nlohmann::json object = nlohmann::json::object();
    for (const Item& child : entries(*table, item.path)) {
      auto value = to_json(child);
      if (!value) return value;
      object[child.key] = std::move(*value);
    }
    return object;
  }
  if (const auto* array = node.as_array()) {
    nlohmann::json list = nlohmann::json::array();
    std::size_t index = 0;
    for (const toml::node& element : *array) {
      int line = line_of(element.source());
      auto value = to_json(Item{item.key, fmt::format("{}[{}]", item.path, index++), &element,
                                line == 0 ? item.line : line});
      if (!value) return value;
      list.push_back(std::move(*value));
    }
    return list;
  }
  if (const auto* s = node.as_string()) return nlohmann::json(s->get());
  if (const auto* i = node.as_integer()) return nlohmann::json(i->get());
  if (const auto* b = node.as_boolean()) return nlohmann::json(b->get());
  if (const auto* f = node.as_floating_point()) {
    if (!std::isfinite(f->get())) return fail(item, "must be a finite number");
    return nlohmann::json(f->get());
  }
  // Dates and times: their TOML spelling, which is RFC 3339.
  std::ostringstream text;
  if (const auto* d = node.as_date())
    text << *d;
  else if (const auto* t = node.as_time())
    text << *t;
  else if (const auto* dt = node.as_date_time())
    text << *dt;
  else
    return wrong_type(item, "a value");
  return nlohmann::json(text.str());
}

void record_key_lines(const toml::table& table, const std::string& prefix,
                      std::map<std::string, int>& lines) {
  for (const Item& item : entries(table, prefix)) {
    lines[item.path] = item.line;
    if (const auto* sub = item.node->as_table()) record_key_lines(*sub, item.path, lines);
  }
}

bool valid_endpoint_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

Status endpoint_key(EndpointConfig& ep, const Item& item) {
  const std::string& k = item.key;
  if (k == "provider") return assign(one_of(item, kProviders), ep.provider);
  if (k == "base_url") return assign(base_url(item), ep.base_url);
  if (k == "token") return assign(token_source(item), ep.token);
  if (k == "poll_initial") return assign(duration(item, false), ep.poll.initial);
  if (k == "poll_max") return assign(duration(item, false), ep.poll.max);
  if (k == "poll_factor") return assign(factor(item), ep.poll.factor);
  if (k == "retry_initial") return assign(duration(item, false), ep.retry.initial);
  if (k == "retry_max") return assign(duration(item, false), ep.retry.max);
  if (k == "max_in_flight") return assign(integer(item, 1, 10'000), ep.max_in_flight);
  if (k == "rate_limit") return assign(rate_limit(item), ep.rate_limit);
  if (k == "timeout") return assign(duration(item, false), ep.timeout);
  if (k == "max_response_size") return assign(size(item), ep.max_response_bytes);
  if (k == "deadline") return assign(duration(item, false), ep.deadline);
  if (k == "keep_finished") return assign(duration(item, true), ep.keep_finished);
  if (k == "keep_after_expiry") return assign(duration(item, true), ep.keep_after_expiry);
  if (k == "not_found_confirmations") {
    return assign(integer(item, 1, std::numeric_limits<int>::max()), ep.not_found_confirmations);
  }
  if (k == "ca_bundle") return assign(nonempty_string(item), ep.ca_bundle);
  if (k == "on_transition") return assign(command(item), ep.on_transition);
  return assign(to_json(item), ep.settings[k]);
}

tl::expected<EndpointConfig, ConfigError> endpoint(const Item& item) {
  const auto* table = item.node->as_table();
  if (table == nullptr) return wrong_type(item, "a table ([" + item.path + "])");
  if (!valid_endpoint_name(item.key)) {
    return fail(item, "invalid endpoint name \"{}\": use only letters, digits, '_', '.' and '-'",
                item.key);
  }
  EndpointConfig ep;
  ep.name = item.key;
  int header = line_of(table->source());
  ep.line = header == 0 ? item.line : header;
  record_key_lines(*table, "", ep.key_lines);

  std::map<std::string, Item> seen;
  for (const Item& field : entries(*table, item.path)) {
    if (auto status = endpoint_key(ep, field); !status)
      return tl::make_unexpected(std::move(status.error()));
    seen.emplace(field.key, field);
  }
  Item whole{item.key, item.path, item.node, ep.line};
  if (!seen.contains("provider")) {
    return fail(whole, "missing required key provider (one of {})", fmt::join(kProviders, ", "));
  }
  if (!seen.contains("base_url"))
    return fail(whole, "missing required key base_url, e.g. \"https://api.example.com\"");

  auto order = [&](std::string_view lower, std::string_view upper, Millis low,
                   Millis high) -> Status {
    if (low <= high) return {};
    auto at = seen.find(std::string(lower));
    const Item& culprit = at != seen.end() ? at->second : seen.at(std::string(upper));
    return fail(culprit, "{} ({}) must not be longer than {} ({})", lower,
                protocol::format_duration_ms(low), upper, protocol::format_duration_ms(high));
  };
  if (auto status = order("poll_initial", "poll_max", ep.poll.initial, ep.poll.max); !status) {
    return tl::make_unexpected(std::move(status.error()));
  }
  if (auto status = order("retry_initial", "retry_max", ep.retry.initial, ep.retry.max); !status) {
    return tl::make_unexpected(std::move(status.error()));
  }
  return ep;
}

Status endpoints(Config& config, const Item& item) {
  const auto* table = item.node->as_table();
  if (table == nullptr) return wrong_type(item, "a table of [endpoints.NAME] tables");
  for (const Item& entry : entries(*table, item.path)) {
    auto ep = endpoint(entry);
    if (!ep) return tl::make_unexpected(std::move(ep.error()));
    if (config.endpoint(ep->name) != nullptr)
      return fail(entry, "endpoint \"{}\" is defined twice", ep->name);
    config.endpoints.push_back(std::move(*ep));
  }
  std::stable_sort(
      config.endpoints.begin(), config.endpoints.end(),
      [](const EndpointConfig& a, const EndpointConfig& b) { return a.line < b.line; });
  return {};
}

Status top_level_key(Config& config, const Item& item) {
  const std::string& k = item.key;
  if (k == "database") return assign(nonempty_string(item), config.database);
  if (k == "socket") return assign(nonempty_string(item), config.socket);
  if (k == "socket_group") return assign(string_value(item), config.socket_group);
  if (k == "log_level") return assign(one_of(item, kLogLevels), config.log_level);
  if (k == "keep_finished") return assign(duration(item, true), config.keep_finished);
  if (k == "keep_after_expiry") return assign(duration(item, true), config.keep_after_expiry);
  if (k == "poll_retention") return assign(duration(item, true), config.poll_retention);
  if (k == "idle_timeout") return assign(duration(item, false), config.idle_timeout);
  if (k == "max_connections") {
    return assign(integer(item, 1, std::numeric_limits<int>::max()), config.max_connections);
  }
  if (k == "max_message_bytes") return assign(size(item), config.max_message_bytes);
  if (k == "on_transition") return assign(command(item), config.on_transition);
  if (k == "hook_timeout") return assign(duration(item, false), config.hook_timeout);
  if (k == "endpoints") return endpoints(config, item);
  return fail(item, "unknown key (expected one of {})", kTopLevelKeys);
}

// "$VARIABLE/file" when the variable (systemd's StateDirectory= and
// RuntimeDirectory= set them, colon-separated when several) is set, else
// "./file".
std::string default_path(const char* variable, std::string_view file) {
  const char* value = std::getenv(variable);
  std::string_view directory = value == nullptr ? std::string_view() : std::string_view(value);
  directory = directory.substr(0, directory.find(':'));
  if (directory.empty()) return fmt::format("./{}", file);
  return fmt::format("{}/{}", directory, file);
}

tl::expected<Config, ConfigError> parse(std::string_view text, const std::string& name) {
  Config config;
  config.path = name;
  config.database = default_path("STATE_DIRECTORY", "jobtrack.db");
  config.socket = default_path("RUNTIME_DIRECTORY", "jobtrack.sock");

  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& error) {
    return tl::make_unexpected(
        ConfigError{name, line_of(error.source()), std::string(error.description())});
  }
  for (const Item& item : entries(root, "")) {
    if (auto status = top_level_key(config, item); !status) {
      status.error().file = name;
      return tl::make_unexpected(std::move(status.error()));
    }
  }
  return config;
}

}  // namespace

const EndpointConfig* Config::endpoint(std::string_view name) const {
  for (const auto& ep : endpoints) {
    if (ep.name == name) return &ep;
  }
  return nullptr;
}

std::string ConfigError::to_string() const {
  if (line > 0) return fmt::format("{}:{}: {}", file, line, message);
  return fmt::format("{}: {}", file, message);
}

ConfigError endpoint_error(const Config& config, const EndpointConfig& endpoint,
                           std::string_view key, std::string_view message) {
  std::string path = key.empty() ? fmt::format("endpoints.{}", endpoint.name)
                                 : fmt::format("endpoints.{}.{}", endpoint.name, key);
  int line = endpoint.line;
  // "states.succeeded[1]" -> "states.succeeded" -> "states".
  while (!key.empty()) {
    if (auto at = endpoint.key_lines.find(std::string(key)); at != endpoint.key_lines.end()) {
      line = at->second;
      break;
    }
    auto cut = key.find_last_of(".[");
    key = key.substr(0, cut == std::string_view::npos ? 0 : cut);
  }
  return ConfigError{config.path, line, fmt::format("{}: {}", path, message)};
}

tl::expected<Config, ConfigError> parse_config(std::string_view text, const std::string& name) {
  try {
    return parse(text, name);
  } catch (const std::exception& error) {
    // Only allocation failures are expected here; the caller still gets an error.
    return tl::make_unexpected(
        ConfigError{name, 0, fmt::format("cannot read configuration: {}", error.what())});
  } catch (...) {
    return tl::make_unexpected(ConfigError{name, 0, "cannot read configuration"});
  }
}

tl::expected<Config, ConfigError> load_config(const std::string& path) {
  auto error = [&](std::string message) {
    return tl::make_unexpected(ConfigError{path, 0, std::move(message)});
  };
  std::FILE* file = std::fopen(path.c_str(), "rbe");
  if (file == nullptr)
    return error(fmt::format("cannot open configuration file: {}", std::strerror(errno)));
  struct Closer {
    std::FILE* file;
    ~Closer() { std::fclose(file); }
  } closer{file};

  struct stat st {};
  if (::fstat(::fileno(file), &st) != 0)
    return error(fmt::format("cannot stat: {}", std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) return error("not a regular file");
  if (st.st_size > kMaxFileBytes) return error(fmt::format("larger than {} bytes", kMaxFileBytes));

  std::string text;
  char buffer[16384];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
    text.append(buffer, n);
    if (text.size() > static_cast<std::size_t>(kMaxFileBytes))
      return error(fmt::format("larger than {} bytes", kMaxFileBytes));
  }
  if (std::ferror(file))
    return error(fmt::format("cannot read configuration file: {}", std::strerror(errno)));
  return parse_config(text, path);
}

}  // namespace jobtrack
