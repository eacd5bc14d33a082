// kiln-run: runs a function of a compiled artifact with the runtime alone (no compiler in
// this program): kiln-run huber.kiln --checkpoint huber.kckpt --function predict --input x=[1.8]
#include "runtime/src/cli.h"

int main(int argc, char** argv) { return kiln::rt::run_cli(argc, argv, nullptr); }
