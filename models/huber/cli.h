// The kiln-huber command line: parses flags, trains (train.h), prints the CS20 log or a JSON
// result, and draws the fit. A function so that tests can run the tool in-process.
#pragma once

#include <iosfwd>

namespace huber {

// Exit codes of run_huber_cli.
inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 1;  // a missing or malformed data file or checkpoint, an
                                         // unwritable plot or checkpoint
inline constexpr int kExitUsage = 2;     // an unknown flag or a bad flag value

// Runs `kiln-huber` with the given arguments (argv[0] is the program name). Results go to
// `out`; warnings and errors to `err`. With --json, `out` receives exactly one JSON object.
int run_huber_cli(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace huber
