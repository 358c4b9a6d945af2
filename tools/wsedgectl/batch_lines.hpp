// publish-batch's input and calls: JSON lines, one publish each, checked whole before anything
// is sent, then cut into PublishBatch requests the server accepts.
#pragma once

#include <absl/status/statusor.h>

#include <cstddef>
#include <istream>
#include <span>
#include <string>
#include <vector>

#include "wsedge/v1/control.pb.h"

namespace wsedge::ctl {

// One publish and the input line it came from, so that errors can name the line.
struct batch_item {
  int line = 0;
  wsedge::v1::PublishRequest publish;
};

// Reads every line of `in`: an object with exactly one target member (room, user_id, role,
// client_id as strings, or "all": true, as in the proto's Target) and `data`, any JSON value,
// e.g. {"room":"a","data":{"x":1}}. Blank lines are skipped. An error names the first bad line
// ("line 3: …"), so that a malformed input sends nothing.
absl::StatusOr<std::vector<batch_item>> read_batch_lines(std::istream& in);

// The server takes at most 1,000 publishes a call (edge_control_service::max_batch) and gRPC's
// default receive limit is 4 MiB a message.
inline constexpr std::size_t max_call_items = 1000;
inline constexpr std::size_t max_call_bytes = 4u << 20;

// `items` cut, in order, into calls within both limits (an item above the byte limit is a call
// of its own, for the server to refuse).
std::vector<std::span<const batch_item>> batch_calls(const std::vector<batch_item>& items);

// The server's error for `call` with its "publishes[i]" (the index in the call) replaced by the
// input line, "line 7".
std::string name_line(const std::string& message, std::span<const batch_item> call);

}  // namespace wsedge::ctl
