#pragma once
// `rsp-conformance replay DIR`: plays a --record'ed run back against a target, byte for byte: each
// command APDU to the card given with --euicc, each HTTP request (path, header fields, body) to the
// server given with --url (default: the recorded target). The target answers afresh; per exchange
// the replay says whether the answer is the recorded one, has the recorded status word / HTTP
// status with other data (fresh challenges and signatures), or differs. Messages bound to a
// session's challenge are expected to be refused by a target that draws fresh ones: a replay shows
// what a target does with exactly those bytes, it does not re-run the case.
#include <string>

namespace conformance {

struct ReplayOptions {
  std::string dir;
  std::string pattern;  // --case: only the cases whose ID matches this glob
  std::string euicc;    // tcp:HOST:PORT | pcsc:READER
  std::string url;      // https://HOST[:PORT]
  std::string pki;      // the CIs the server's TLS certificate chains to
  bool json = false;    // one JSON line per exchange on stdout
};

// 0 when every status word and HTTP status is the recorded one, 1 when one differs or the target
// cannot be reached, 2 for usage errors and unreadable recordings.
int replay(const ReplayOptions& options);

}  // namespace conformance
