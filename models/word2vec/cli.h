// The kiln-word2vec command line: `train` (train.h) and the evaluation and export subcommands
// `eval`, `neighbors`, `export` (commands.h, in models/word2vec_eval/). A function so that tests
// can run the tool in-process.
#pragma once

#include <iosfwd>

namespace word2vec {

// Exit codes of run_word2vec_cli.
inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 1;  // a missing or malformed corpus, checkpoint or
                                         // directory, an unwritable output
inline constexpr int kExitUsage = 2;     // no or an unknown subcommand, flag or flag value

// Runs `kiln-word2vec` with the given arguments (argv[0] is the program name). Results go to
// `out`, warnings and errors to `err`. `train --json` puts exactly one JSON object on `out`.
// The progress bar is drawn only when `out` is std::cout and that is a terminal.
int run_word2vec_cli(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace word2vec
