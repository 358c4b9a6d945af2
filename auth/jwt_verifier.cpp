// JWT verification: strict JOSE header and claims parsing here, the signature with cpp-jwt.
#include "auth/jwt_verifier.hpp"

#include <absl/container/flat_hash_set.h>
#include <absl/strings/escaping.h>
#include <absl/strings/match.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_split.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <cmath>
#include <jwt/jwt.hpp>
#include <optional>
#include <vector>

namespace wsedge::auth {

namespace {

namespace json = boost::json;

// The JWT algorithm that matches a PEM public key's type, or "" when unsupported.
std::string algorithm_for_public_key(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return {};
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (!key) return {};
  switch (EVP_PKEY_get_base_id(key.get())) {
    case EVP_PKEY_RSA:
      return "RS256";
    case EVP_PKEY_EC:
      return "ES256";
    default:
      return {};
  }
}

absl::Status unauthenticated(std::string_view why) {
  return absl::UnauthenticatedError(std::string(why));
}

// Builds a value exactly as boost::json::parser does, but stops at a key seen twice in one
// object. RFC 7515 §4 and RFC 7519 §4 allow refusing them, and we must: with two "sub" or two
// "exp", which one counts depends on the parser, so the issuer and we could read different tokens.
class no_duplicate_keys_handler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack st;
  // The first key found twice ("" when none).
  std::string duplicate;

  bool on_object_begin(json::error_code&) {
    keys_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t n, json::error_code&) {
    keys_.pop_back();
    st.push_object(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    key_.append(s.data(), s.size());
    if (!keys_.back().insert(key_).second) {
      duplicate = key_;
      ec = make_error_code(boost::system::errc::invalid_argument);
      return false;
    }
    key_.clear();
    st.push_key(s);
    return true;
  }
  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view, json::error_code&) {
    st.push_double(d);
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  // The keys of every object open at this point, innermost last.
  std::vector<absl::flat_hash_set<std::string>> keys_;
  // The key being read, which may arrive in parts.
  std::string key_;
};

// One JWS segment (`part` is "header" or "payload"), base64url-decoded and parsed as a JSON object
// without duplicate keys. Abseil's WebSafeBase64Unescape is public API of a library we link
// already (OpenSSL's EVP_DecodeBlock needs the alphabet translated and padding restored, and
// Beast's base64 is a detail namespace); it also takes the unpadded form JWS uses. Its leniency
// (it skips whitespace) costs nothing: the signature is checked over the raw segment text.
absl::StatusOr<json::object> decode_segment(absl::string_view segment, const char* part) {
  std::string text;
  if (!absl::WebSafeBase64Unescape(segment, &text))
    return unauthenticated(absl::StrCat("malformed token: ", part, " is not base64url"));
  json::basic_parser<no_duplicate_keys_handler> parser{json::parse_options{}};
  parser.handler().st.reset();
  json::error_code ec;
  std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (!parser.handler().duplicate.empty())
    return unauthenticated(
        absl::StrCat("duplicate key \"", parser.handler().duplicate, "\" in the ", part));
  if (ec || used != text.size() || !parser.done())
    return unauthenticated(absl::StrCat("malformed token: ", part, " is not JSON"));
  json::value value = parser.handler().st.release();
  if (!value.is_object())
    return unauthenticated(absl::StrCat("malformed token: ", part, " is not a JSON object"));
  return std::move(value.get_object());
}

// Times are whole seconds since the epoch, clamped to ±2200-01-01. system_clock counts
// nanoseconds in an int64 here and ends in 2262, so exp 9999-12-31 plus the leeway would overflow
// (and once wrapped into the past, close the connection at the first tick). A token valid past
// 2200 is treated as valid until 2200, which no connection will see.
constexpr std::int64_t far_future_s = 7'258'118'400;  // 2200-01-01T00:00:00Z
static_assert(std::chrono::seconds(far_future_s) < std::chrono::system_clock::duration::max());

std::int64_t clamp_seconds(std::int64_t s) {
  return std::clamp(s, -far_future_s, far_future_s);
}

// A NumericDate claim (RFC 7519 §2: seconds, possibly fractional), clamped; nullopt when the
// claim is present but not a number, an absent claim is `absent`.
std::optional<std::int64_t> numeric_date(const json::object& claims, std::string_view name,
                                         std::int64_t absent) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return absent;
  if (v->is_int64()) return clamp_seconds(v->get_int64());
  if (v->is_uint64()) return far_future_s;  // Boost.JSON only uses uint64 above INT64_MAX
  if (v->is_double() && !std::isnan(v->get_double()))
    return static_cast<std::int64_t>(std::clamp(std::floor(v->get_double()),
                                                static_cast<double>(-far_future_s),
                                                static_cast<double>(far_future_s)));
  return std::nullopt;
}

}  // namespace

absl::StatusOr<std::unique_ptr<jwt_verifier>> jwt_verifier::create(jwt_config config) {
  if (config.secret.empty() == config.public_key_pem.empty())
    return absl::InvalidArgumentError(
        "jwt_secret: set exactly one of jwt_secret/jwt_secret_file or jwt_public_key_file");
  std::string algorithm = "HS256";
  if (!config.public_key_pem.empty()) {
    algorithm = algorithm_for_public_key(config.public_key_pem);
    if (algorithm.empty())
      return absl::InvalidArgumentError("jwt_public_key_file: not a PEM RSA or EC public key");
  }
  return std::unique_ptr<jwt_verifier>(new jwt_verifier(std::move(config), std::move(algorithm)));
}

// cpp-jwt's decode() reads JSON with nlohmann (the last of two equal keys wins silently), compares
// `alg` case-insensitively, ignores `crit`, and checks exp/nbf in unsigned arithmetic that wraps
// (nbf 0 with a leeway became the far future). So the header and claims are read and checked
// here, and cpp-jwt only verifies the signature, for the configured algorithm alone.
namespace {
bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}
}  // namespace

absl::StatusOr<edge::identity> jwt_verifier::verify(std::string_view token) const {
  // Abseil here has its own string_view, not std::string_view.
  const absl::string_view text(token.data(), token.size());
  const std::vector<absl::string_view> parts = absl::StrSplit(text, '.');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty())
    return unauthenticated("malformed token: not header.payload.signature");
  auto header = decode_segment(parts[0], "header");
  if (!header.ok()) return header.status();
  auto payload = decode_segment(parts[1], "payload");
  if (!payload.ok()) return payload.status();

  // Algorithm names are case-sensitive (RFC 7515 §4.1.1): "hs256" or "none" is not "HS256".
  const json::value* alg = header->if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->get_string() != algorithm_)
    return unauthenticated(absl::StrCat("algorithm must be ", algorithm_));
  // We implement no JWS extension, so any `crit` names one we do not understand (§4.1.11).
  if (header->contains("crit")) return unauthenticated("unsupported crit header");
  if (const json::value* typ = header->if_contains("typ")) {
    const json::string* name = typ->if_string();
    if (name == nullptr ||
        !absl::EqualsIgnoreCase(absl::string_view(name->data(), name->size()), "JWT"))
      return unauthenticated("typ must be JWT");
  }

  // cpp-jwt's base64 decoder indexes its table with a signed char: a byte of 0x80 or above
  // would read before it (found by fuzz/jwt_fuzzer). Only the base64url alphabet goes on.
  if (!std::all_of(parts[2].begin(), parts[2].end(), is_base64url_char))
    return unauthenticated("malformed token: the signature is not base64url");

  try {
    const std::string& key = config_.secret.empty() ? config_.public_key_pem : config_.secret;
    jwt::jwt_signature signature(jwt::string_view(key.data(), key.size()));
    // The signed text is the raw "header.payload", exactly as received.
    const absl::string_view signed_text = text.substr(0, parts[0].size() + 1 + parts[1].size());
    auto [valid, ec] = signature.verify(jwt::jwt_header(jwt::str_to_alg(algorithm_)),
                                        jwt::string_view(signed_text.data(), signed_text.size()),
                                        jwt::string_view(parts[2].data(), parts[2].size()));
    if (ec) return unauthenticated(ec.message());
    if (!valid) return unauthenticated("invalid signature");
  } catch (const std::exception&) {
    // cpp-jwt throws on some malformed input (a signature that is not base64url, …).
    return unauthenticated("malformed token");
  }

  const json::object& claims = *payload;
  const std::int64_t now = clamp_seconds(std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
  const std::int64_t leeway = std::clamp<std::int64_t>(config_.leeway.count(), 0, far_future_s);
  // All three are within ±far_future_s, so adding or subtracting the leeway cannot overflow.
  const auto exp = numeric_date(claims, "exp", far_future_s);
  if (!exp) return unauthenticated("exp must be a number");
  const auto nbf = numeric_date(claims, "nbf", -far_future_s);
  if (!nbf) return unauthenticated("nbf must be a number");
  if (!numeric_date(claims, "iat", 0)) return unauthenticated("iat must be a number");
  if (now > *exp + leeway) return unauthenticated("token expired");
  if (*nbf - leeway > now) return unauthenticated("token not valid yet (nbf)");

  if (!config_.issuer.empty()) {
    const json::value* iss = claims.if_contains("iss");
    if (iss == nullptr || !iss->is_string() || iss->get_string() != config_.issuer)
      return unauthenticated("wrong issuer");
  }
  if (!config_.audience.empty()) {
    bool match = false;
    if (const json::value* aud = claims.if_contains("aud")) {
      if (aud->is_string()) match = aud->get_string() == config_.audience;
      if (aud->is_array())
        for (const auto& a : aud->get_array())
          match = match || (a.is_string() && a.get_string() == config_.audience);
    }
    if (!match) return unauthenticated("wrong audience");
  }

  edge::identity who;
  if (const json::value* sub = claims.if_contains("sub")) {
    if (!sub->is_string()) return unauthenticated("sub must be a string");
    who.user_id = sub->get_string();
  }
  if (const json::value* role = claims.if_contains("role")) {
    if (!role->is_string()) return unauthenticated("role must be a string");
    who.role = role->get_string();
  }
  if (const json::value* rooms = claims.if_contains("rooms")) {
    if (!rooms->is_array()) return unauthenticated("rooms must be an array of strings");
    std::vector<std::string> allowed;
    for (const auto& r : rooms->get_array()) {
      if (!r.is_string()) return unauthenticated("rooms must be an array of strings");
      allowed.emplace_back(r.get_string());
    }
    who.rooms = std::make_shared<const std::vector<std::string>>(std::move(allowed));
  }
  if (claims.contains("exp"))
    who.expires_at = std::chrono::system_clock::time_point(
        std::chrono::seconds(std::min(*exp + leeway, far_future_s)));
  return who;
}

}  // namespace wsedge::auth
