// Wires configuration to the layers. (Layers being built: see issue 2.)
#include "app/config.hpp"

int main(int argc, char** argv) {
  int exit_code = 0;
  auto config = cz::app::parse_config(argc, argv, exit_code);
  if (!config) return exit_code;
  return 0;
}
