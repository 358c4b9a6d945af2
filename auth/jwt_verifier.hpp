// Verifies client JWTs (HS256 with a secret, RS256/ES256 with a PEM public key) into identities.
#pragma once

#include <absl/status/statusor.h>

#include <chrono>
#include <memory>
#include <string>

#include "edge/token_verifier.hpp"

namespace wsedge::auth {

struct jwt_config {
  // Exactly one of the two: an HS256 secret, or a PEM public key (RSA → RS256, EC → ES256).
  std::string secret;
  std::string public_key_pem;
  // Checked when not empty.
  std::string issuer;
  std::string audience;
  // Clock skew allowed on exp and nbf.
  std::chrono::seconds leeway{30};
};

class jwt_verifier final : public edge::token_verifier {
 public:
  // Fails when the key is missing, doubled or not a usable PEM public key.
  static absl::StatusOr<std::unique_ptr<jwt_verifier>> create(jwt_config config);

  // Only the configured key's algorithm is accepted: never `none`, never HS256 with a public key.
  absl::StatusOr<edge::identity> verify(std::string_view token) const override;
  const std::string& algorithm() const { return algorithm_; }

 private:
  jwt_verifier(jwt_config config, std::string algorithm)
      : config_(std::move(config)), algorithm_(std::move(algorithm)) {}

  jwt_config config_;
  std::string algorithm_;
};

}  // namespace wsedge::auth
