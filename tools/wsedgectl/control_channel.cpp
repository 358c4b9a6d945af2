// TLS credentials from PEM files named on the command line.
#include "tools/wsedgectl/control_channel.hpp"

#include <absl/strings/str_cat.h>

#include <fstream>
#include <iterator>
#include <tuple>

namespace wsedge::ctl {

namespace {

// The contents of the file that `flag` names, or an error naming both.
absl::StatusOr<std::string> read_pem(absl::string_view flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("--", flag, ": cannot open ", path));
  std::string text(std::istreambuf_iterator<char>(in), {});
  if (text.empty())
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", path, " is empty"));
  return text;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> channel_credentials(
    const tls_files& files) {
  if (files.cert.empty() != files.key.empty())
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together (mutual TLS)");
  if (files.ca.empty() && files.cert.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  for (auto [flag, path, pem] : {std::tuple{"tls_ca", &files.ca, &options.pem_root_certs},
                                 std::tuple{"tls_cert", &files.cert, &options.pem_cert_chain},
                                 std::tuple{"tls_key", &files.key, &options.pem_private_key}}) {
    if (path->empty()) continue;
    auto text = read_pem(flag, *path);
    if (!text.ok()) return text.status();
    *pem = *std::move(text);
  }
  return grpc::SslCredentials(options);
}

}  // namespace wsedge::ctl
