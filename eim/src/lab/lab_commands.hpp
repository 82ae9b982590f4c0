#pragma once
// The `eim lab` commands: lab only, never for a production eIM. `eim lab forge` queues a package a
// card must refuse (see forge.hpp) straight into the eIM's database, for demos and tests:
//
//   eim lab forge --db URL --pki DIR --eid EID --kind bad-signature|old-counter|other-eid|unknown-eim
//                 --disable ICCID [--other-eid EID] [--eim-id ID] [--key PEM]
//
// Exit codes: 0 queued, 1 refused (unknown EID, store), 2 usage. Like the owner commands, it runs in
// its callback and ends the parse with CLI::RuntimeError(exit code).
#include <CLI/CLI.hpp>

namespace eim::lab {

void add_lab_commands(CLI::App& app);

}  // namespace eim::lab
