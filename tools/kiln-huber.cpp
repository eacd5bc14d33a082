// kiln-huber: the CS20 Huber regression trained eagerly (see docs/huber.md).
#include <iostream>

#include "huber/cli.h"

int main(int argc, char** argv) { return huber::run_huber_cli(argc, argv, std::cout, std::cerr); }
