// Offer and answer are read the way Beast reads them (its pmd_read: the first acceptable
// permessage-deflate offer, parameters as RFC 7692 spells them), so the correction can never
// disagree with what Beast negotiated and will configure the stream from.
#include "edge/deflate_negotiation.hpp"

#include "edge/pmd_reading.hpp"

namespace wsedge::edge {

namespace {

constexpr int full_window = 15;

}  // namespace

deflate_answer settle_deflate_answer(std::string_view offered, std::string_view negotiated) {
  const auto answered = beast_pmd_reading(negotiated);
  if (!answered.accept) return {std::string(negotiated), false};
  const auto offer = beast_pmd_reading(offered);
  const int offered_window = offer.server_max_window_bits;
  const int answered_window = answered.server_max_window_bits;
  // Raised above what the client allows (Beast answers 9 to an offer of 8): decline.
  if (offered_window > 0 && answered_window > offered_window) return {};
  std::string extensions(negotiated);
  // The client named the window it allows; the answer must name one too.
  if (offered_window == full_window && answered_window == 0)
    extensions += "; server_max_window_bits=15";
  return {std::move(extensions), answered_window == 0 || answered_window == full_window};
}

}  // namespace wsedge::edge
