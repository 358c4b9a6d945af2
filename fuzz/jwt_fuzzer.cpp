// Fuzzes client tokens. An input with a newline is "header JSON\npayload JSON": the target
// signs it with the HS256 secret, so the claim checks behind the signature are reached. Any
// other input is a token as sent, checked by HS256, RS256 and ES256 verifiers (cpp-jwt's
// signature decoding included). A token that verifies always names its verifier's algorithm.
#include <absl/strings/escaping.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwt_verifier.hpp"
#include "fuzz/fuzz_check.hpp"

namespace auth = wsedge::auth;

namespace {

constexpr std::string_view secret = "fuzz-secret";

// Fixed public keys (their private halves were thrown away: these tokens never verify).
constexpr const char* ec_public_key = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEy9CTVG0g2zqFGhEdh71Ypk4iV/R9
cuQl+8JshlfUCOfymtfOzyPVWts+Bc0u5Rgwzrp+/zjrdFF7JznLqqtbiA==
-----END PUBLIC KEY-----
)";
constexpr const char* rsa_public_key = R"(-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtu3QVFUwioybXe+0maLj
Jzj+oAPca6saJDpXMxbLxv4KmrquisPUaXM7UPoE3F44CJresjSbC28+G0teglmk
2NG7iG5Hti2kDwwsURNlM9tTah4L/NnRfvKbJ1kc9MTHBxiNhGJd50DNYx9GBmsp
O83Rl1ys5uX1MFfNjDzZv2UTTSnaJINHYTdyEi7pY6I9AnQSkfb+P8RzunO6+Aki
xMbEq9cGlJj5UJ5FXX+rd5gYUse0lNxhDs3JHidsTuOFhJ7q3Ah0mjutWFvxhfRk
Xv43VXlwTkyNic8mLjx402QJyGCorqxVRxfyP/W661tJUt2uwfATGhkpX/cMPVpY
3QIDAQAB
-----END PUBLIC KEY-----
)";

std::unique_ptr<auth::jwt_verifier> make_verifier(auth::jwt_config config) {
  config.issuer = "fuzz-issuer";
  config.audience = "wsedge";
  auto verifier = auth::jwt_verifier::create(std::move(config));
  FUZZ_CHECK(verifier.ok());
  return *std::move(verifier);
}

const std::vector<std::unique_ptr<auth::jwt_verifier>>& verifiers() {
  static const auto all = [] {
    std::vector<std::unique_ptr<auth::jwt_verifier>> v;
    v.push_back(make_verifier({.secret = std::string(secret)}));
    v.push_back(make_verifier({.public_key_pem = rsa_public_key}));
    v.push_back(make_verifier({.public_key_pem = ec_public_key}));
    return v;
  }();
  return all;
}

std::string base64url(std::string_view bytes) {
  return absl::WebSafeBase64Escape(absl::string_view(bytes.data(), bytes.size()));
}

// header.payload.signature, signed with the HS256 secret.
std::string signed_token(std::string_view header, std::string_view payload) {
  std::string token = base64url(header) + "." + base64url(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(token.data()), token.size(), mac, &mac_size);
  return token + "." + base64url(std::string_view(reinterpret_cast<char*>(mac), mac_size));
}

// A token that verified: its header's alg is exactly the verifier's.
void check_accepted(const auth::jwt_verifier& verifier, std::string_view token) {
  const std::string_view header = token.substr(0, token.find('.'));
  std::string decoded;
  FUZZ_CHECK(
      absl::WebSafeBase64Unescape(absl::string_view(header.data(), header.size()), &decoded));
  const boost::json::value parsed = boost::json::parse(decoded);
  FUZZ_CHECK(parsed.at("alg") == boost::json::value(verifier.algorithm()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (const std::size_t newline = input.find('\n'); newline != std::string_view::npos) {
    const std::string token = signed_token(input.substr(0, newline), input.substr(newline + 1));
    const auto& hs256 = *verifiers().front();
    const auto who = hs256.verify(token);
    if (who.ok()) {
      check_accepted(hs256, token);
      if (who->rooms)
        for (const std::string& room : *who->rooms) FUZZ_CHECK(room.size() < size);
    } else {
      FUZZ_CHECK(!who.status().message().empty());
    }
    return 0;
  }
  for (const auto& verifier : verifiers()) {
    const auto who = verifier->verify(input);
    if (who.ok()) check_accepted(*verifier, input);
  }
  return 0;
}
