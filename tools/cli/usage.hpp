// --help for the command-line tools: their usage, then every flag they define with its default.
#pragma once

#include <absl/strings/string_view.h>

#include <string>

namespace wsedge::cli {

// True when the command line asks for help: --help, -help or -h before any "--". Checked
// before absl parses it, because absl answers --help with only the flags of a file named after
// the program (none of ours) and exits 1.
bool help_requested(int argc, char** argv);

// `usage`, then each flag defined in a source file under `flags_folder` (e.g. "tools/wsedgectl/"),
// sorted by name, with its default and its help text.
std::string help_text(absl::string_view usage, absl::string_view flags_folder);

}  // namespace wsedge::cli
