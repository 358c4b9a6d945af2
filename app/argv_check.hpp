// Checks argv against the defined flags before Abseil's parser, which exits with 1 on an error:
// a bad setting is a configuration error (exit 2), told apart from a start-up failure (exit 1).
#pragma once

#include <absl/status/status.h>

namespace wsedge::app {

// Every `--name`, `--name=value`, `--name value` and `--noname` on argv names a defined flag
// and carries a value that flag accepts; no positional arguments. The error names the flag.
absl::Status check_argv(int argc, char** argv);

}  // namespace wsedge::app
