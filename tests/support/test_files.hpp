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

}  // namespace wsedge::testing
