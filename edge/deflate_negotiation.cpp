// Reads the offer Beast took (the first permessage-deflate in the header) and the answer's
// window, by RFC 7692's grammar: `name; param[=value]; …`, offers separated by commas.
#include "edge/deflate_negotiation.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

namespace wsedge::edge {

namespace {

constexpr std::string_view extension_name = "permessage-deflate";
constexpr std::string_view window_param = "server_max_window_bits";
constexpr int full_window = 15;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return std::ranges::equal(
      a, b, [](unsigned char x, unsigned char y) { return std::tolower(x) == std::tolower(y); });
}

// Calls each(part) for every `separator`-separated part of `s`, trimmed; stops when it returns
// true.
template <class Each>
void for_each_part(std::string_view s, char separator, Each&& each) {
  for (;;) {
    const auto at = s.find(separator);
    if (each(trim(s.substr(0, at))) || at == std::string_view::npos) return;
    s.remove_prefix(at + 1);
  }
}

// The value of `server_max_window_bits` in one offer or answer: 0 when absent, -1 when it is
// not a number from 8 to 15.
int server_window(std::string_view element) {
  int bits = 0;
  bool first = true;
  for_each_part(element, ';', [&](std::string_view part) {
    if (std::exchange(first, false)) return false;  // the extension's name
    const auto equals = part.find('=');
    if (!iequals(trim(part.substr(0, equals)), window_param)) return false;
    if (equals == std::string_view::npos) {
      bits = -1;
      return true;
    }
    std::string_view value = trim(part.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), bits);
    if (ec != std::errc() || end != value.data() + value.size() || bits < 8 || bits > 15) bits = -1;
    return true;
  });
  return bits;
}

bool names_deflate(std::string_view element) {
  return iequals(trim(element.substr(0, element.find(';'))), extension_name);
}

}  // namespace

deflate_answer settle_deflate_answer(std::string_view offered, std::string_view negotiated) {
  if (!names_deflate(negotiated)) return {std::string(negotiated), false};
  int offered_window = 0;
  for_each_part(offered, ',', [&](std::string_view element) {
    if (!names_deflate(element)) return false;
    offered_window = server_window(element);
    return true;
  });
  const int answered_window = server_window(negotiated);
  // Raised above what the client allows (Beast answers 9 to an offer of 8): decline.
  if (offered_window > 0 && answered_window > offered_window) return {};
  std::string extensions(negotiated);
  // The client named the window it allows; the answer must name one too.
  if (offered_window == full_window && answered_window == 0)
    extensions += "; server_max_window_bits=15";
  return {std::move(extensions), answered_window == 0 || answered_window == full_window};
}

}  // namespace wsedge::edge
