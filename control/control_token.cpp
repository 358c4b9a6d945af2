// Checks a call's authorization metadata against the control token.
#include "control/control_token.hpp"

#include <openssl/crypto.h>

namespace wsedge::control {

control_token_check::control_token_check(const std::string& control_token)
    : expected_authorization_(control_token.empty() ? "" : "Bearer " + control_token) {}

grpc::Status control_token_check::check(const grpc::ServerContextBase& context) const {
  if (expected_authorization_.empty()) return grpc::Status::OK;
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it != metadata.end() && it->second.size() == expected_authorization_.size() &&
      CRYPTO_memcmp(it->second.data(), expected_authorization_.data(),
                    expected_authorization_.size()) == 0)
    return grpc::Status::OK;
  return {grpc::StatusCode::UNAUTHENTICATED,
          "missing or wrong control token: send metadata 'authorization: Bearer <control_token>'"};
}

}  // namespace wsedge::control
