// Flag-by-flag validation of argv with Abseil's own parsers (the same ones ParseCommandLine uses).
#include "app/argv_check.hpp"

#include <absl/flags/reflection.h>
#include <absl/strings/match.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/strip.h>

#include <string>

namespace wsedge::app {

absl::Status check_argv(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") {
      if (i + 1 < argc)
        return absl::InvalidArgumentError(
            absl::StrCat("unexpected argument '", argv[i + 1], "' (wsedge takes only flags)"));
      break;
    }
    if (!absl::ConsumePrefix(&arg, "--") && !absl::ConsumePrefix(&arg, "-"))
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument '", argv[i], "' (wsedge takes only flags)"));
    const auto eq = arg.find('=');
    const absl::string_view name = arg.substr(0, eq);
    // Abseil's own usage flags are handled (and validated) by its parser.
    if (name == "help" || name == "helpfull" || name == "helpshort" || name == "helppackage" ||
        name == "helpon" || name == "helpmatch" || name == "version" || name == "only_check_args")
      continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) {
      absl::string_view negated = name;
      if (eq == absl::string_view::npos && absl::ConsumePrefix(&negated, "no")) {
        if (auto* boolean = absl::FindCommandLineFlag(negated);
            boolean != nullptr && boolean->IsOfType<bool>())
          continue;
      }
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, ": unknown flag (see wsedge --help)"));
    }
    std::string value;
    if (eq != absl::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
    } else if (flag->IsOfType<bool>()) {
      value = "true";
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return absl::InvalidArgumentError(absl::StrCat("--", name, ": missing value"));
    }
    // ParseFrom sets the flag; ParseCommandLine sets it to the same value again right after.
    std::string error;
    if (!flag->ParseFrom(value, &error))
      return absl::InvalidArgumentError(absl::StrCat("--", name, ": ", error));
  }
  return absl::OkStatus();
}

}  // namespace wsedge::app
