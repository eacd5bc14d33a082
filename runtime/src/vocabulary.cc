// Vocabularies read from checkpoint metadata for the command line (see vocabulary.h).
#include "runtime/src/vocabulary.h"

#include "runtime/src/status.h"

namespace kiln::rt {

Vocabulary Vocabulary::parse(std::string_view text, const std::string& origin) {
  if (text.empty()) bad_input(origin + ": the vocabulary is empty");
  Vocabulary v;
  size_t line = 0;
  while (!text.empty()) {
    ++line;
    size_t nl = text.find('\n');
    std::string_view l = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    std::string_view token = l.substr(0, l.find('\t'));
    if (!token.empty() && token.back() == '\r') token.remove_suffix(1);
    if (token.empty())
      bad_input(origin + ": line " + std::to_string(line) + " (id " + std::to_string(line - 1) +
                ") has no token");
    v.tokens_.emplace_back(token);
  }
  v.ids_.reserve(v.tokens_.size());
  for (size_t id = 0; id < v.tokens_.size(); ++id) {
    auto [it, inserted] = v.ids_.emplace(v.tokens_[id], static_cast<int64_t>(id));
    if (!inserted)
      bad_input(origin + ": the token '" + v.tokens_[id] + "' is on line " +
                std::to_string(it->second + 1) + " and again on line " + std::to_string(id + 1));
  }
  return v;
}

int64_t Vocabulary::find(std::string_view token) const {
  auto it = ids_.find(token);
  return it == ids_.end() ? -1 : it->second;
}

std::string Vocabulary::token(int64_t id) const {
  if (id < 0 || static_cast<uint64_t>(id) >= tokens_.size())
    return "<id " + std::to_string(id) + ">";
  return tokens_[static_cast<size_t>(id)];
}

std::vector<std::string> split_words(const std::string& text, const std::string& origin) {
  std::string_view s(text);
  auto trim = [](std::string_view w) {
    while (!w.empty() && (w.front() == ' ' || w.front() == '\t')) w.remove_prefix(1);
    while (!w.empty() && (w.back() == ' ' || w.back() == '\t')) w.remove_suffix(1);
    return w;
  };
  s = trim(s);
  if (!s.empty() && s.front() == '[') {
    if (s.back() != ']') bad_input(origin + ": '" + text + "' opens a list it does not close");
    s = s.substr(1, s.size() - 2);
  }
  std::vector<std::string> words;
  while (true) {
    size_t comma = s.find(',');
    std::string_view w = trim(s.substr(0, comma));
    if (w.empty())
      bad_input(origin + ": an empty word in '" + text + "' (words are separated by commas)");
    words.emplace_back(w);
    if (comma == std::string_view::npos) break;
    s = s.substr(comma + 1);
  }
  return words;
}

}  // namespace kiln::rt
