// A scanner over already-validated JSON that returns the source text of top-level values.
#include "edge/json_members.hpp"

#include <boost/json/parse.hpp>
#include <cstddef>
#include <string>

namespace wsedge::edge {

namespace {

class scanner {
 public:
  explicit scanner(std::string_view text) : text_(text) {}

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }
  bool at(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool eat(char c) {
    if (!at(c)) return false;
    ++pos_;
    return true;
  }

  // A string starting at the opening quote; returns its text including quotes.
  std::string_view string() {
    std::size_t start = pos_++;
    while (pos_ < text_.size() && text_[pos_] != '"') pos_ += text_[pos_] == '\\' ? 2 : 1;
    ++pos_;
    return text_.substr(start, pos_ - start);
  }

  // Any value; returns its source text.
  std::string_view value() {
    std::size_t start = pos_;
    if (at('"')) return string();
    if (at('{') || at('[')) {
      int depth = 0;
      do {
        if (at('"')) {
          string();
          continue;
        }
        char c = text_[pos_++];
        if (c == '{' || c == '[') ++depth;
        if (c == '}' || c == ']') --depth;
      } while (depth > 0 && pos_ < text_.size());
      return text_.substr(start, pos_ - start);
    }
    // A number or a literal runs until a delimiter.
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}' && text_[pos_] != ']' &&
           text_[pos_] != ' ' && text_[pos_] != '\t' && text_[pos_] != '\n' && text_[pos_] != '\r')
      ++pos_;
    return text_.substr(start, pos_ - start);
  }

  bool done() const { return pos_ >= text_.size(); }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

void for_each_raw_member(
    std::string_view text,
    absl::FunctionRef<void(std::string_view key, std::string_view raw)> visit) {
  scanner s(text);
  s.skip_space();
  if (!s.eat('{')) return;
  std::string decoded;
  while (!s.done()) {
    s.skip_space();
    if (!s.at('"')) break;  // '}' or malformed: stop either way
    std::string_view name = s.string();
    s.skip_space();
    if (!s.eat(':')) break;
    s.skip_space();
    std::string_view value = s.value();
    std::string_view key = name.substr(1, name.size() - 2);
    if (key.find('\\') != std::string_view::npos) {
      // Rare: let the validating parser decode the escapes, so both read the same name.
      boost::system::error_code ec;
      auto parsed = boost::json::parse(name, ec);
      decoded = ec || !parsed.is_string() ? std::string() : std::string(parsed.get_string());
      key = decoded;
    }
    visit(key, value);
    s.skip_space();
    if (!s.eat(',')) break;
  }
}

std::optional<std::string_view> find_raw_member(std::string_view text, std::string_view key) {
  std::optional<std::string_view> found;
  for_each_raw_member(text, [&](std::string_view name, std::string_view raw) {
    if (name == key) found = raw;
  });
  return found;
}

}  // namespace wsedge::edge
