// Vocabularies for the command line of kiln-run and standalone executables: the ids an
// integer input or output holds (artifact.fbs TensorSpec.vocabulary) read from a
// checkpoint's metadata, so that a user types words and reads words.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kiln::rt {

// Move-only: the index holds views into the tokens.
class Vocabulary {
 public:
  Vocabulary(Vocabulary&&) = default;
  Vocabulary& operator=(Vocabulary&&) = default;
  Vocabulary(const Vocabulary&) = delete;
  Vocabulary& operator=(const Vocabulary&) = delete;

  // One token per line, the id is the line number from 0; anything after the first tab on
  // a line is ignored (Kiln's "word<TAB>count" lines read as is). A final newline is
  // optional. Throws Error (KILN_BAD_INPUT) naming `origin` and the line for an empty text,
  // an empty token or a token that appears twice (its ids would be ambiguous).
  static Vocabulary parse(std::string_view text, const std::string& origin);

  size_t size() const { return tokens_.size(); }
  // The id of `token`, or -1 when it is not in the vocabulary.
  int64_t find(std::string_view token) const;
  // The token of `id`; "<id N>" for an id outside [0, size()).
  std::string token(int64_t id) const;

 private:
  Vocabulary() = default;
  std::vector<std::string> tokens_;
  std::unordered_map<std::string_view, int64_t> ids_;  // views into tokens_
};

// Splits a command-line list of words: "king", "king,france" or "[king, france]".
// Whitespace around words is dropped; an empty word is an error naming `origin`.
std::vector<std::string> split_words(const std::string& text, const std::string& origin);

}  // namespace kiln::rt
