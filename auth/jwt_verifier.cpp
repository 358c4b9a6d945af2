// JWT verification with cpp-jwt (signature, algorithm allowlist, exp/nbf/iss/aud) plus our claims.
#include "auth/jwt_verifier.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <jwt/jwt.hpp>

namespace wsedge::auth {

namespace {

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

absl::StatusOr<edge::identity> jwt_verifier::verify(std::string_view token) const {
  const std::string& key = config_.secret.empty() ? config_.public_key_pem : config_.secret;
  try {
    std::error_code ec;
    auto decoded = jwt::decode(jwt::string_view(token.data(), token.size()),
                               jwt::params::algorithms({algorithm_}), ec, jwt::params::secret(key),
                               jwt::params::verify(true),
                               jwt::params::leeway(static_cast<uint32_t>(config_.leeway.count())));
    if (ec) return unauthenticated(ec.message());
    const auto& claims = decoded.payload().create_json_obj();
    if (!config_.issuer.empty() && (!claims.contains("iss") || claims["iss"] != config_.issuer))
      return unauthenticated("wrong issuer");
    if (!config_.audience.empty()) {
      bool match = false;
      if (claims.contains("aud")) {
        const auto& aud = claims["aud"];
        if (aud.is_string()) match = aud == config_.audience;
        if (aud.is_array())
          for (const auto& a : aud) match = match || a == config_.audience;
      }
      if (!match) return unauthenticated("wrong audience");
    }

    edge::identity who;
    if (claims.contains("sub")) {
      if (!claims["sub"].is_string()) return unauthenticated("sub must be a string");
      who.user_id = claims["sub"].get<std::string>();
    }
    if (claims.contains("role")) {
      if (!claims["role"].is_string()) return unauthenticated("role must be a string");
      who.role = claims["role"].get<std::string>();
    }
    if (claims.contains("rooms")) {
      const auto& rooms = claims["rooms"];
      if (!rooms.is_array()) return unauthenticated("rooms must be an array of strings");
      who.rooms.emplace();
      for (const auto& r : rooms) {
        if (!r.is_string()) return unauthenticated("rooms must be an array of strings");
        who.rooms->push_back(r.get<std::string>());
      }
    }
    if (claims.contains("exp")) {
      if (!claims["exp"].is_number()) return unauthenticated("exp must be a number");
      who.expires_at = std::chrono::system_clock::time_point(
          std::chrono::seconds(claims["exp"].get<std::int64_t>()) + config_.leeway);
    }
    return who;
  } catch (const std::exception&) {
    // cpp-jwt and nlohmann::json throw on some malformed input; it is still just a bad token.
    return unauthenticated("malformed token");
  }
}

}  // namespace wsedge::auth
