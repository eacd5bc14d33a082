// kiln-inspect: prints a Kiln checkpoint or artifact (see tools/inspect.h).
#include <iostream>

#include "tools/inspect.h"

int main(int argc, char** argv) {
  return kiln::tools::run_inspect_cli(argc, argv, std::cout, std::cerr);
}
