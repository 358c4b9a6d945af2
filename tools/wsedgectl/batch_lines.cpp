// publish-batch's JSON lines, read with nlohmann::json (linked already, for cpp-jwt) rather than
// Boost.JSON: it keeps the data's keys in order and writes numbers back as they were written
// (1.5, where Boost.JSON's serializer writes 1.5E0).
#include "tools/wsedgectl/batch_lines.hpp"

#include <absl/strings/ascii.h>
#include <absl/strings/match.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>

#include <nlohmann/json.hpp>

namespace wsedge::ctl {

namespace {

namespace v1 = wsedge::v1;
using json = nlohmann::ordered_json;

absl::Status invalid(absl::string_view what) {
  return absl::InvalidArgumentError(what);
}

// Sets `target` from the member `key`; an error when `key` is no target or its value is of the
// wrong type.
absl::Status set_target(const std::string& key, const json& value, v1::Target& target) {
  if (key == "all") {
    if (value != true) return invalid("\"all\" must be true");
    target.set_all(true);
    return absl::OkStatus();
  }
  if (!value.is_string()) return invalid(absl::StrCat("\"", key, "\" must be a string"));
  const auto& text = value.get_ref<const std::string&>();
  if (key == "room") {
    target.set_room(text);
  } else if (key == "user_id") {
    target.set_user_id(text);
  } else if (key == "role") {
    target.set_role(text);
  } else if (key == "client_id") {
    target.set_client_id(text);
  } else {
    return invalid(absl::StrCat("unknown member \"", key,
                                "\" (a line has one of room, user_id, role, client_id or all, "
                                "and data)"));
  }
  return absl::OkStatus();
}

// The publish that one line describes, or what is wrong with it.
absl::StatusOr<v1::PublishRequest> parse_line(const std::string& text) {
  json object;
  try {
    object = json::parse(text);
  } catch (const json::parse_error& e) {
    return invalid(absl::StrCat("not valid JSON (at character ", e.byte, ")"));
  }
  if (!object.is_object()) return invalid("not a JSON object");
  v1::PublishRequest publish;
  int targets = 0;
  bool has_data = false;
  for (const auto& [key, value] : object.items()) {
    if (key == "data") {
      // `replace` rather than throw: the parser has already refused malformed UTF-8.
      publish.set_data(value.dump(-1, ' ', false, json::error_handler_t::replace));
      has_data = true;
      continue;
    }
    if (auto status = set_target(key, value, *publish.mutable_target()); !status.ok())
      return status;
    ++targets;
  }
  if (targets != 1) return invalid("give exactly one of room, user_id, role, client_id or all");
  if (!has_data) return invalid("\"data\" is missing");
  return publish;
}

}  // namespace

absl::StatusOr<std::vector<batch_item>> read_batch_lines(std::istream& in) {
  std::vector<batch_item> items;
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    if (absl::StripAsciiWhitespace(text).empty()) continue;
    auto publish = parse_line(text);
    if (!publish.ok())
      return invalid(absl::StrCat("line ", line, ": ", publish.status().message()));
    items.push_back({line, *std::move(publish)});
  }
  if (in.bad()) return absl::DataLossError("cannot read the input");
  return items;
}

std::vector<std::span<const batch_item>> batch_calls(const std::vector<batch_item>& items) {
  std::vector<std::span<const batch_item>> calls;
  std::size_t begin = 0, bytes = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    // An item costs its size plus its field tag and length prefix (at most 8 bytes).
    const std::size_t cost = items[i].publish.ByteSizeLong() + 8;
    if (i > begin && (i - begin == max_call_items || bytes + cost > max_call_bytes)) {
      calls.emplace_back(items.data() + begin, i - begin);
      begin = i;
      bytes = 0;
    }
    bytes += cost;
  }
  if (begin < items.size()) calls.emplace_back(items.data() + begin, items.size() - begin);
  return calls;
}

std::string name_line(const std::string& message, std::span<const batch_item> call) {
  // The server words a bad item "publishes[3]: …" (PublishBatch in control.proto).
  constexpr absl::string_view prefix = "publishes[";
  const auto close = message.find(']');
  std::size_t index = 0;
  if (!absl::StartsWith(message, prefix) || close == std::string::npos ||
      !absl::SimpleAtoi(absl::string_view(message).substr(prefix.size(), close - prefix.size()),
                        &index) ||
      index >= call.size())
    return message;
  return absl::StrCat("line ", call[index].line, message.substr(close + 1));
}

}  // namespace wsedge::ctl
