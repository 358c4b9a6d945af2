// Small helpers for tests that make files (keys, certificates) with command-line tools.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

namespace wsedge::testing {

// A path under the test temp dir, private to this process (ctest runs tests in parallel).
inline std::string private_temp_path(const std::string& name) {
  return ::testing::TempDir() + "/wsedge_" + std::to_string(getpid()) + "_" + name;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs a set-up command (openssl …); returns its exit status.
inline int shell(const std::string& command) {
  return std::system((command + " 2>/dev/null").c_str());
}

// A self-signed certificate for 127.0.0.1 and its key, as `name`.pem and `name`.key under
// private_temp_path; returns openssl's exit status.
inline int make_test_certificate(const std::string& name) {
  return shell("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " +
               private_temp_path(name + ".key") + " -out " + private_temp_path(name + ".pem") +
               " -addext subjectAltName=IP:127.0.0.1");
}

}  // namespace wsedge::testing
