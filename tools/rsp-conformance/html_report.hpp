#pragma once
// rsp-conformance --html: one self-contained HTML file (inline CSS, no scripts) with the run's
// summary and, per case, what it sends and expects, its verdict and its exchange, each ES10
// message decoded into asn1c's text tree.
#include <string>
#include <vector>

#include "case.hpp"
#include "exchange.hpp"

namespace conformance {

struct Result {
  const Case* c;
  Outcome outcome;
  double seconds;
  ExchangeLog exchanges;
};

struct RunInfo {
  std::string role;
  std::string target;  // e.g. "tcp:127.0.0.1:35963"
  std::string date;    // UTC, ISO 8601
};

// Text made safe for HTML element content and attribute values.
std::string html_escape(const std::string& text);
// Bytes the APDUs of one case carried both ways.
size_t apdu_bytes(const ExchangeLog& log);
// The ES10 message in `tlv` as asn1c's text tree, by its outermost tag (a request type for
// commands, any other for responses); empty when no type of ours decodes it.
std::string decode_es10(rsp::ByteView tlv, bool command);
std::string html_report(const RunInfo& run, const std::vector<Result>& results);

}  // namespace conformance
