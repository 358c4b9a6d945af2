// The reason text of a close frame: valid UTF-8 and at most 123 bytes (RFC 6455 §5.5.1, §7.4).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wsedge::edge {

inline constexpr std::size_t max_close_reason_bytes = 123;

// Invalid UTF-8 (as a gRPC caller may send) becomes U+FFFD; a reason that is too long is cut
// at the last whole character that fits, never inside one (a strict client would answer a
// broken reason with 1007 and never see the close code).
std::string close_reason_text(std::string_view reason);

}  // namespace wsedge::edge
