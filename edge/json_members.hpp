// Finds the raw text of top-level members in a JSON object, so values pass through verbatim.
#pragma once

#include <optional>
#include <string_view>

namespace wsedge::edge {

// `text` must already be valid JSON (checked by Boost.JSON). Returns the exact source text of
// the value of the last top-level member named `key`, or nullopt when the object has none.
// Keys are compared as written (a key spelt with \u escapes is not matched).
std::optional<std::string_view> find_raw_member(std::string_view text, std::string_view key);

}  // namespace wsedge::edge
