// The `eim` program's client commands for a fleet owner (see owner_commands.hpp).
#include "owner_commands.hpp"

#include "owner_client.hpp"

namespace eim::cli {

void add_owner_commands(CLI::App& app) {
  add_device_commands(app);
  add_package_commands(app);
}

}  // namespace eim::cli
