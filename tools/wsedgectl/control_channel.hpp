// The channel credentials of wsedgectl: plaintext, TLS (--tls_ca) or mutual TLS (--tls_cert and
// --tls_key as well), matching the server's --control_tls_cert/_key and --control_client_ca.
#pragma once

#include <absl/status/statusor.h>
#include <grpcpp/security/credentials.h>

#include <memory>
#include <string>

namespace wsedge::ctl {

// PEM file paths, each empty when not given.
struct tls_files {
  std::string ca;    // the CA that signed the server's certificate (empty: the system's roots)
  std::string cert;  // this client's certificate, for mutual TLS
  std::string key;   // its private key
};

// Plaintext when no file is given; TLS otherwise. An error names the flag at fault: a file that
// cannot be read, or a certificate without its key (or the reverse).
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> channel_credentials(
    const tls_files& files);

}  // namespace wsedge::ctl
