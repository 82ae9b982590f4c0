// rsp-ac: activation codes (SGP.22 v2.5 §4.1). `make` writes one from its fields, `parse` shows the fields
// of one, `qr` draws one as a QR code: an SVG file (0644, written atomically) or half blocks on the terminal.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

#include "rsp/activation_code.hpp"
#include "rsp/activation_code_qr.hpp"
#include "rsp/files.hpp"

namespace {

// Exit codes: 1 a bad activation code or I/O, 2 usage.
int bad(const std::string& command, const std::string& message) {
  std::cerr << "rsp-ac " << command << ": " << message << "\n";
  return 1;
}

void print(const rsp::ActivationCode& ac, bool json) {
  if (json) {
    nlohmann::json j = {{"activationCode", ac.to_qr_text()},
                        {"smdpAddress", ac.smdp_address},
                        {"matchingId", ac.matching_id},
                        {"confirmationCodeRequired", ac.confirmation_code_required}};
    if (ac.smdp_oid) j["smdpOid"] = *ac.smdp_oid;
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << "SM-DP+ address     " << ac.smdp_address << "\n"
            << "matching ID        " << (ac.matching_id.empty() ? "(empty)" : ac.matching_id) << "\n"
            << "SM-DP+ OID         " << ac.smdp_oid.value_or("(none)") << "\n"
            << "confirmation code  " << (ac.confirmation_code_required ? "required" : "not required") << "\n";
}

rsp::QrErrorCorrection level_of(const std::string& letter) {
  if (letter == "L") return rsp::QrErrorCorrection::low;
  if (letter == "Q") return rsp::QrErrorCorrection::quartile;
  if (letter == "H") return rsp::QrErrorCorrection::high;
  return rsp::QrErrorCorrection::medium;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rsp-ac: make, parse and draw SGP.22 activation codes"};
  app.require_subcommand(1);

  rsp::ActivationCode fields;
  std::string oid;
  bool make_json = false;
  auto* make = app.add_subcommand("make", "print the activation code (LPA:1$...) of the given fields");
  make->add_option("--smdp", fields.smdp_address, "SM-DP+ address (FQDN), kept as given")->required();
  make->add_option("--matching-id", fields.matching_id, "matching ID (AC token), kept as given")->required();
  make->add_option("--oid", oid, "SM-DP+ OID, dotted");
  make->add_flag("--confirmation-code-required", fields.confirmation_code_required,
                 "the download needs a confirmation code");
  make->add_flag("--json", make_json, "print the fields as JSON");

  std::string qr_text, svg_file, level = "M";
  bool dark_on_light = false;
  auto* qr = app.add_subcommand("qr", "draw an activation code as a QR code: an SVG file, or on the terminal");
  qr->add_option("TEXT", qr_text, "activation code, with or without LPA:")->required();
  qr->add_option("--svg", svg_file, "write a standalone SVG to this file (mode 0644) instead of drawing");
  qr->add_option("--level", level, "error correction level L, M, Q or H (default M)")
      ->check(CLI::IsMember({"L", "M", "Q", "H"}));
  qr->add_flag("--dark-on-light", dark_on_light,
               "terminal: paint the dark modules (for dark text on a light background)");

  std::string parse_text;
  bool parse_json = false;
  auto* parse = app.add_subcommand("parse", "print the fields of an activation code");
  parse->add_option("TEXT", parse_text, "activation code, with or without LPA:")->required();
  parse->add_flag("--json", parse_json, "print the fields as JSON");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::cerr << "rsp-ac: " << e.what() << "\n";
    return 2;
  }

  if (*make) {
    if (!oid.empty()) fields.smdp_oid = oid;
    // '$' separates the fields: inside one it would make a different code.
    for (auto [name, value] :
         {std::pair{"--smdp", &fields.smdp_address}, {"--matching-id", &fields.matching_id}, {"--oid", &oid}})
      if (value->find('$') != std::string::npos) return bad("make", std::string(name) + " must not contain '$'");
    // What comes back from the text must be what went in (a valid address and OID).
    const std::string text = fields.to_qr_text();
    auto back = rsp::ActivationCode::parse(text);
    if (!back) return bad("make", back.error().message);
    if (make_json)
      print(*back, true);
    else
      std::cout << text << "\n";
    return 0;
  }

  if (*parse) {
    auto ac = rsp::ActivationCode::parse(parse_text);
    if (!ac) return bad("parse", ac.error().message);
    print(*ac, parse_json);
    return 0;
  }

  if (svg_file.empty()) {
    rsp::QrTerminalOptions options;
    options.error_correction = level_of(level);
    options.dark_on_light = dark_on_light;
    auto drawn = rsp::activation_code_text_qr(qr_text, options);
    if (!drawn) return bad("qr", drawn.error().message);
    std::cout << *drawn << std::flush;
    return 0;
  }
  rsp::QrOptions options;
  options.error_correction = level_of(level);
  auto svg = rsp::activation_code_svg(qr_text, options);
  if (!svg) return bad("qr", svg.error().message);
  if (auto w = rsp::files::write_atomic(svg_file, *svg); !w) return bad("qr", svg_file + ": " + w.error().message);
  auto matrix = rsp::activation_code_matrix(qr_text, options);
  std::cout << "wrote the QR code (version " << matrix->version << ", " << matrix->size << "x" << matrix->size
            << " modules, level " << level << ") of " << *rsp::activation_code_qr_text(qr_text) << " to " << svg_file
            << "\n";
  return 0;
}
