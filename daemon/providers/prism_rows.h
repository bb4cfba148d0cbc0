// Reading Prism's per-row results. read_prism_row() reads one element of a
// body's `results` array from a DOM (parse_status, and the reference for
// every error message). PrismRowStream is the SAX reader of a spooled body:
// every top-level field but `results` is built into head() as a small DOM,
// and each element of `results` is read straight into a RowResult by a
// small state machine, with no per-row DOM or allocation beyond the row's
// own strings, then handed to the sink. A row of any other shape (a field of
// the wrong type, a nested container) is rebuilt as a DOM from that point
// and read by read_prism_row(), so its error message is the same whichever
// reader met it.
//
// Memory is one row, however many rows there are. The first unreadable row
// is kept in row_error() and later rows are counted but not handed on:
// whether that matters is only known once `status` is read, which may come
// after the results.
//
// One thread (whichever runs the parse); the sink is called on it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "daemon/job.h"
#include "daemon/observation.h"

namespace jobtrack::providers {

// One results[] element (`index` is its position), or the message that
// says what is wrong with it.
tl::expected<RowResult, std::string> read_prism_row(const nlohmann::json& item, std::int64_t index);

// nlohmann's SAX interface (used through nlohmann::json::sax_parse, no
// virtual calls). Stops at the first malformed JSON (error()).
class PrismRowStream {
 public:
  using json = nlohmann::json;
  using string_t = json::string_t;

  explicit PrismRowStream(RowSink& sink) : sink_(sink) {}

  const json& head() const { return head_; }
  const std::string& error() const { return error_; }
  const std::string& row_error() const { return row_error_; }
  bool saw_results() const { return saw_results_; }
  bool row_failed() const { return row_failed_; }
  std::int64_t rows() const { return rows_; }

  bool null();
  bool boolean(bool flag);
  bool number_integer(json::number_integer_t number);
  bool number_unsigned(json::number_unsigned_t number);
  bool number_float(json::number_float_t number, const string_t&);
  bool string(string_t& text);
  bool binary(json::binary_t&) { return fail("body is not valid JSON"); }
  bool start_object(std::size_t);
  bool start_array(std::size_t);
  bool key(string_t& name);
  bool end_object();
  bool end_array();
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&);

 private:
  // Where the row reader stands: outside a row (or in one being rebuilt as
  // a DOM), in a row's object, or in its `error` object.
  enum class In { none, row, error };
  // The field whose value comes next.
  enum class Field { other, id, created, existing, error, code, message };

  // A scalar met by the row reader: true once taken (or ignored), false
  // when the row needs the DOM (then the caller passes the value on).
  bool fast_string(string_t& text);
  bool fast_boolean(bool flag);
  bool fast_null();
  // Rebuilds the row read so far as DOM containers on stack_, so the event
  // that did not fit is taken by the generic path.
  void to_dom();
  void finish_row();

  bool open(json container);
  bool close();
  bool value(json item);
  bool take_row(const json& item);
  void take_row(RowResult&& row);
  bool fail(std::string message);

  RowSink& sink_;
  json head_ = json::object();
  std::vector<json> stack_;        // containers being built, innermost last
  std::vector<std::string> keys_;  // the pending key of each container on stack_
  std::string key_;                // the pending top-level key
  int depth_ = 0;                  // 0 before the body, 1 in it, 2 in its results array
  bool body_started_ = false;
  bool saw_results_ = false;
  bool row_failed_ = false;
  std::int64_t rows_ = 0;
  std::string error_, row_error_;

  // The row being read without a DOM.
  In in_ = In::none;
  Field field_ = Field::other;
  std::string field_name_;  // field_'s key, for to_dom()
  RowResult row_;
  bool row_has_error_ = false;  // `error` is an object (its code/message are in row_)
};

}  // namespace jobtrack::providers
