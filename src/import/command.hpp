#pragma once
// `cz-messenger import`: the command line around run_import (runner.hpp).
//
//   cz-messenger import --store URL --rooms FILE --messages FILE [--dry-run] [--batch N] [--json]
//
// Exit status: 0 when both files were read to the end (rejected documents are listed in the
// summary, they do not fail the run; rerunning over the same files exits 0 too), 1 when a file
// or the store could not be used, 2 on a usage error.
namespace cz::import {

// argv[0] is "import".
int import_command(int argc, char** argv);

}  // namespace cz::import
