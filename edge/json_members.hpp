// Finds the raw text of top-level members in a JSON object, so values pass through verbatim.
#pragma once

#include <absl/functional/function_ref.h>

#include <optional>
#include <string_view>

namespace wsedge::edge {

// `text` must already be valid JSON (checked by Boost.JSON). Calls `visit(key, raw)` for every
// top-level member of the object, in order: `key` decoded (a key spelt with escapes, such as
// "\u0069d", is the "id" the validating parser sees), `raw` the exact source text of its value.
void for_each_raw_member(std::string_view text,
                         absl::FunctionRef<void(std::string_view key, std::string_view raw)> visit);

// The raw text of the last top-level member named `key` (decoded), or nullopt.
std::optional<std::string_view> find_raw_member(std::string_view text, std::string_view key);

}  // namespace wsedge::edge
