// The control plane over TLS and mutual TLS, with certificates made by `openssl` at test time.
#include <gtest/gtest.h>

#include "tests/support/test_files.hpp"
#include "tests/support/test_node.hpp"

namespace wsedge::testing {
namespace {

// A certificate for `name` signed by the test CA, valid for 127.0.0.1.
void make_signed(const std::string& name) {
  std::ofstream(private_temp_path(name + ".ext")) << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  ASSERT_EQ(
      shell("openssl req -newkey rsa:2048 -nodes -keyout " + private_temp_path(name + ".key") +
            " -out " + private_temp_path(name + ".csr") + " -subj /CN=" + name),
      0);
  ASSERT_EQ(shell("openssl x509 -req -in " + private_temp_path(name + ".csr") + " -CA " +
                  private_temp_path("ca.pem") + " -CAkey " + private_temp_path("ca.key") +
                  " -CAcreateserial -days 1 -out " + private_temp_path(name + ".pem") +
                  " -extfile " + private_temp_path(name + ".ext")),
            0);
}

class ControlTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_EQ(shell("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=wsedge-test-ca"
                    " -keyout " +
                    private_temp_path("ca.key") + " -out " + private_temp_path("ca.pem")),
              0);
    make_signed("server");
    make_signed("client");
  }

  static app::server_config tls_config(bool mutual) {
    return control_tls_config("server", mutual ? "ca" : "");
  }

  static grpc::Status stats_over(std::shared_ptr<grpc::ChannelCredentials> credentials,
                                 std::uint16_t port) {
    auto stub = wsedge::v1::EdgeControl::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port), credentials));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    wsedge::v1::StatsResponse response;
    return stub->Stats(&context, {}, &response);
  }

  static grpc::SslCredentialsOptions trusting_ca(bool with_client_cert) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = read_file(private_temp_path("ca.pem"));
    if (with_client_cert) {
      options.pem_private_key = read_file(private_temp_path("client.key"));
      options.pem_cert_chain = read_file(private_temp_path("client.pem"));
    }
    return options;
  }
};

TEST_F(ControlTls, ServesTlsAndRefusesPlaintext) {
  test_node node(tls_config(false));
  EXPECT_TRUE(stats_over(grpc::SslCredentials(trusting_ca(false)), node.grpc_port()).ok());
  EXPECT_FALSE(stats_over(grpc::InsecureChannelCredentials(), node.grpc_port()).ok());
}

TEST_F(ControlTls, MutualTlsNeedsAClientCertificateFromTheCa) {
  test_node node(tls_config(true));
  EXPECT_TRUE(stats_over(grpc::SslCredentials(trusting_ca(true)), node.grpc_port()).ok());
  EXPECT_FALSE(stats_over(grpc::SslCredentials(trusting_ca(false)), node.grpc_port()).ok());
}

}  // namespace
}  // namespace wsedge::testing
