// --help text from absl's flag registry, so that a new flag is listed without touching it.
#include "tools/cli/usage.hpp"

#include <absl/flags/commandlineflag.h>
#include <absl/flags/reflection.h>
#include <absl/strings/match.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_split.h>

#include <algorithm>
#include <vector>

namespace wsedge::cli {

namespace {

// Help text sits under its flag, indented, wrapped to fit an 80-column terminal.
constexpr absl::string_view help_indent = "      ";
constexpr std::size_t help_width = 80 - help_indent.size();

void append_wrapped(std::string& out, absl::string_view text) {
  std::string line;
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    if (!line.empty() && line.size() + 1 + word.size() > help_width) {
      absl::StrAppend(&out, help_indent, line, "\n");
      line.clear();
    }
    absl::StrAppend(&line, line.empty() ? "" : " ", word);
  }
  if (!line.empty()) absl::StrAppend(&out, help_indent, line, "\n");
}

}  // namespace

bool help_requested(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--") return false;
    if (arg == "--help" || arg == "-help" || arg == "-h") return true;
  }
  return false;
}

std::string help_text(absl::string_view usage, absl::string_view flags_folder) {
  std::vector<const absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags())
    if (absl::StrContains(flag->Filename(), flags_folder)) flags.push_back(flag);
  std::sort(flags.begin(), flags.end(),
            [](const auto* a, const auto* b) { return a->Name() < b->Name(); });
  std::string out = absl::StrCat(usage, "\n\nflags:\n");
  for (const auto* flag : flags) {
    // Quoted so that an empty default shows, and so that it can be pasted into a shell.
    const absl::string_view quote = flag->IsOfType<std::string>() ? "\"" : "";
    absl::StrAppend(&out, "  --", flag->Name(), "=", quote, flag->DefaultValue(), quote, "\n");
    append_wrapped(out, flag->Help());
  }
  return out;
}

}  // namespace wsedge::cli
