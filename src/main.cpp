// cz-messenger: the server (app/server.hpp), or `cz-messenger import ...`, which loads the
// original service's data (src/import/).
#include <string_view>

#include "app/server.hpp"
#include "import/command.hpp"

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "import")
    return cz::import::import_command(argc - 1, argv + 1);
  return cz::app::server_main(argc, argv);
}
