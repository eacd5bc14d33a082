// kiln-word2vec: the CS20 skip-gram model trained, evaluated and exported (see docs/word2vec.md).
#include <iostream>

#include "word2vec/cli.h"

int main(int argc, char** argv) {
  return word2vec::run_word2vec_cli(argc, argv, std::cout, std::cerr);
}
