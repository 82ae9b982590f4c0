#pragma once
// The `eim` program's client commands for a fleet owner: each calls the eIM's owner API
// (eim/include/eim/owner_api.hpp) over HTTPS with the owner's client certificate and key, and
// prints readable text or, with --json, the API's JSON answer on one line.
//
//   eim device add (--eid EID | --eid-file FILE) [--fleet NAME] [--eim-id ID] [--association-token N]
//                  [--counter-value N] [--euicc-certificate FILE --eum-certificate FILE]
//   eim device list [--fleet NAME] [--limit N]      eim device show --eid EID
//   eim download TARGET (--activation-code AC | --default-smdp | --smds ADDRESS | --root-smds)
//   eim psmo TARGET [--enable ICCID [--rollback]] [--disable ICCID] [--delete ICCID] [--list-profile-info]
//                   [--get-rat] [--set-fallback ICCID] [--unset-fallback] [--set-default-dp ADDRESS]
//                   [--operations JSON]            (operations in the order given)
//   eim eco TARGET [--add-eim FILE] [--update-eim FILE] [--delete-eim ID] [--list-eim] [--operations JSON]
//   eim data-request TARGET --tag TAG...            eim status TARGET
// TARGET is --eid EID or --fleet NAME; every command takes --eim-url https://HOST:PORT, --cert FILE
// --key FILE (the owner's identity, PEM), --ca FILE (trust for the eIM's TLS; default the system's)
// and --json. Exit codes: 0 done, 1 refused by the eIM or not reached, 2 usage.
#include <CLI/CLI.hpp>

namespace eim::cli {

// Adds the commands to `app`. A command runs in its callback once parsing is complete and ends the
// parse with CLI::RuntimeError(exit code), which CLI11_PARSE / App::exit return without printing.
void add_owner_commands(CLI::App& app);

}  // namespace eim::cli
