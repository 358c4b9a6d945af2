// Reads the configuration from flags and WSEDGE_* environment variables (the flag wins).
#pragma once

#include <absl/status/statusor.h>

#include "app/server_config.hpp"

namespace wsedge::app {

// Parses argv (handling --help) and the environment, and validates every setting. The error
// names the setting it is about.
absl::StatusOr<server_config> load_config(int argc, char** argv);

}  // namespace wsedge::app
