// rsp-asn1: decode, re-encode and list the ASN.1 types of our modules (SGP.22 RSPDefinitions,
// SGP.32 SGP32Definitions, TCA PEDefinitions subset, PKIX certificates).
//
//   rsp-asn1 decode TYPE FILE        readable dump of a BER/DER (or hex) file as TYPE
//   rsp-asn1 encode TYPE FILE [--hex] the same value re-encoded as DER on stdout
//   rsp-asn1 types                   every type name
//
// FILE may be '-' for stdin. TYPE ProfileElement takes a whole profile package (a stream of
// ProfileElement TLVs without wrapper); elements outside our module's subset pass through raw.
// Exit codes: 0 success, 1 unreadable or undecodable input, 2 usage error (e.g. unknown type).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "rsp/asn1/codec.hpp"
#include "rsp/asn1/profile_package.hpp"
#include "rsp/asn1/types.hpp"
#include "rsp/bytes.hpp"

namespace {

constexpr int kExitInput = 1;
constexpr int kExitUsage = 2;
constexpr std::string_view kProfileElement = "ProfileElement";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Type names close to `name`: same name ignoring case and '-'/'_', names containing it, and the
// nearest by edit distance.
std::vector<std::string> close_names(std::string_view name) {
  std::string wanted = lower(name);
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto* type : rsp::asn1::all_types()) {
    if (!type->name) continue;
    std::string candidate = lower(type->name);
    size_t score = edit_distance(wanted, candidate);
    if (candidate == wanted)
      score = 0;
    else if (wanted.size() >= 3 && candidate.find(wanted) != std::string::npos)
      score = std::min<size_t>(score, 1);
    if (score <= std::max<size_t>(3, wanted.size() / 3)) scored.emplace_back(score, type->name);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < 8; ++i) out.push_back(scored[i].second);
  return out;
}

const rsp::asn1::Type* resolve_type(const std::string& name) {
  if (const auto* type = rsp::asn1::find_type(name)) return type;
  std::cerr << "rsp-asn1: unknown type '" << name << "'";
  auto suggestions = close_names(name);
  if (!suggestions.empty()) {
    std::cerr << "; did you mean:";
    for (const auto& s : suggestions) std::cerr << ' ' << s;
  }
  std::cerr << "\n(rsp-asn1 types lists them all)\n";
  return nullptr;
}

// The file's bytes; a file of only hex digits and white space is taken as hex.
std::optional<rsp::Bytes> read_input(const std::string& path) {
  std::string content;
  if (path == "-") {
    content.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::cerr << "rsp-asn1: cannot read " << path << "\n";
      return std::nullopt;
    }
    content.assign(std::istreambuf_iterator<char>(in), {});
  }
  bool has_digit = false;
  bool only_hex = std::all_of(content.begin(), content.end(), [&](char c) {
    auto u = static_cast<unsigned char>(c);
    if (std::isxdigit(u)) {
      has_digit = true;
      return true;
    }
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  });
  if (!only_hex || !has_digit) return rsp::Bytes(content.begin(), content.end());
  auto bytes = rsp::from_hex(content);
  if (!bytes) std::cerr << "rsp-asn1: " << path << ": hex input with an odd number of digits\n";
  return bytes;
}

void print_profile_package(const std::vector<rsp::asn1::ProfileElementEntry>& elements) {
  for (const auto& e : elements) {
    if (e.decoded) {
      std::cout << rsp::asn1::dump(*e.decoded);
    } else {
      std::cout << "<element tag " << rsp::to_hex(rsp::tlv::encode_tag(e.tag)) << ", " << e.raw.size()
                << " bytes, not decoded>";
      if (auto name = rsp::asn1::profile_element_name(e.tag); !name.empty()) std::cout << "  -- " << name;
      std::cout << "\n";
    }
  }
}

void write_output(const rsp::Bytes& der, bool hex) {
  if (hex) {
    std::cout << rsp::to_hex(der) << "\n";
  } else {
    std::cout.write(reinterpret_cast<const char*>(der.data()), static_cast<std::streamsize>(der.size()));
  }
  std::cout.flush();
}

// decode (encode_out == false) or encode (encode_out == true) one file as one type.
int run(const std::string& type_name, const std::string& path, bool encode_out, bool hex) {
  const auto* type = resolve_type(type_name);
  if (!type) return kExitUsage;
  auto input = read_input(path);
  if (!input) return kExitInput;

  if (type_name == kProfileElement) {
    auto elements = rsp::asn1::parse_profile_package(*input);
    if (!elements) {
      std::cerr << "rsp-asn1: " << elements.error().message() << "\n";
      return kExitInput;
    }
    if (!encode_out) {
      print_profile_package(*elements);
      return 0;
    }
    auto der = rsp::asn1::serialize_profile_package(*elements);
    if (!der) {
      std::cerr << "rsp-asn1: " << der.error().message << "\n";
      return kExitInput;
    }
    write_output(*der, hex);
    return 0;
  }

  auto value = rsp::asn1::decode(*type, *input);
  if (!value) {
    std::cerr << "rsp-asn1: " << value.error().message() << "\n";
    return kExitInput;
  }
  if (!encode_out) {
    std::cout << rsp::asn1::dump(*value);
    return 0;
  }
  auto der = rsp::asn1::encode(*value);
  if (!der) {
    std::cerr << "rsp-asn1: " << der.error().message << "\n";
    return kExitInput;
  }
  write_output(*der, hex);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Decode and encode the ASN.1 types of the RSP stack (SGP.22, SGP.32, SAIP, X.509)", "rsp-asn1"};
  app.require_subcommand(1);

  std::string type_name, path;
  bool hex = false;

  auto* decode = app.add_subcommand("decode", "Print a BER/DER (or hex) file as TYPE");
  decode->add_option("TYPE", type_name, "ASN.1 type name (see 'types'); ProfileElement reads a whole profile package")
      ->required();
  decode->add_option("FILE", path, "input file, '-' for stdin")->required();

  auto* encode = app.add_subcommand("encode", "Re-encode a BER/DER (or hex) file of TYPE as DER on stdout");
  encode
      ->add_option("TYPE", type_name, "ASN.1 type name (see 'types'); ProfileElement re-emits a whole profile package")
      ->required();
  encode->add_option("FILE", path, "input file, '-' for stdin")->required();
  encode->add_flag("--hex", hex, "print upper-case hex instead of binary");

  auto* types = app.add_subcommand("types", "List every ASN.1 type name");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }

  if (types->parsed()) {
    std::vector<std::string> names;
    for (const auto* type : rsp::asn1::all_types())
      if (type->name) names.emplace_back(type->name);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) std::cout << n << "\n";
    return 0;
  }
  return run(type_name, path, encode->parsed(), hex);
}
