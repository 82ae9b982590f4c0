// Decoding and encoding take no lock: asn1/src/codec.cpp makes asn1c 0.9.28's run-time writes into
// the type descriptors once, before main (rsp/asn1/runtime.hpp). Several threads decoding,
// constraint-checking, re-encoding and dumping many message types at once get exactly the
// single-threaded results, and no descriptor changes while they run. Built with -fsanitize=thread
// (a build dir of its own), this suite is the data-race check of the codec.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <latch>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "asn1/samples.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/asn1/runtime.hpp"
#include "rsp/asn1/types.hpp"

#include <ber_tlv_tag.h>  // after codec.hpp, which brings asn1c's system includes

namespace {

namespace fs = std::filesystem;
using namespace rsp;
using namespace rsp::test::samples;

struct Input {
  std::string name;
  Bytes der;
};

// The samples built from the ASN.1 definitions, and with the reference kit every DER file of its
// vectors and certificates (recorded ES9+ sessions, BPP parts, certificates of every role).
std::vector<Input> inputs() {
  std::vector<Input> out = {{"EUICCInfo1", euicc_info1()},
                            {"ServerSigned1", server_signed1()},
                            {"GetEuiccDataResponse", get_euicc_data_response()},
                            {"certificate", certificate()},
                            {"profile header", profile_header()},
                            {"profile end", profile_end()}};
  const fs::path kit = rsp::test::kit_dir();
  if (fs::exists(kit / "FACTS.md"))
    for (const char* dir : {"vectors", "certs"})
      for (const auto& entry : fs::recursive_directory_iterator(kit / dir))
        if (entry.is_regular_file() && entry.path().extension() == ".der")
          out.push_back({fs::relative(entry.path(), kit).string(), rsp::test::read_file(entry.path())});
  return out;
}

// One input decoded as one of our types: each type whose outermost tag the input has, and the
// untagged CHOICEs, so an input meets many types, most of which refuse it somewhere inside.
struct Job {
  const asn1::Type* type;
  const Input* input;
};

std::vector<Job> jobs(const std::vector<Input>& inputs) {
  std::vector<Job> out;
  for (const Input& input : inputs) {
    ber_tlv_tag_t tag = 0;
    if (ber_fetch_tag(input.der.data(), input.der.size(), &tag) <= 0) continue;
    for (const asn1::Type* type : asn1::all_types())
      if (type->tags_count == 0 || type->tags[0] == tag) out.push_back({type, &input});
  }
  return out;
}

// Everything the codec says about one job: the decode error, or the DER re-encoding and the dump.
std::string run(const Job& job) {
  auto value = asn1::decode(*job.type, job.input->der);
  if (!value) return "error: " + value.error().message();
  auto der = asn1::encode(*value);
  return "ok: " + (der ? to_hex(*der) : "encode error: " + der.error().message) + "\n" + asn1::dump(*value);
}

std::map<const asn1::Type*, asn1::DescriptorState> snapshot(const std::vector<asn1::Type*>& types) {
  std::map<const asn1::Type*, asn1::DescriptorState> out;
  for (const asn1::Type* t : types) out.emplace(t, asn1::descriptor_state(*t));
  return out;
}

std::vector<std::string> names_of_changed(const std::map<const asn1::Type*, asn1::DescriptorState>& before,
                                          const std::map<const asn1::Type*, asn1::DescriptorState>& after) {
  std::vector<std::string> out;
  for (const auto& [type, state] : before)
    if (!(after.at(type) == state)) out.push_back(type->name ? type->name : "?");
  return out;
}

TEST_CASE("every descriptor is settled before main: using each type writes none of them") {
  const auto types = asn1::reachable_types();
  CHECK(types.size() > asn1::all_types().size());  // members' own descriptors are in too
  const auto before = snapshot(types);
  // The calls that run a derived type's inheriting step: free, constraint check, print and BER
  // decode, each on no value or on an empty input, which they refuse right after that step.
  for (asn1::Type* t : types) {
    t->free_struct(t, nullptr, 0);
    t->check_constraints(t, nullptr, nullptr, nullptr);
    t->print_struct(
        t, nullptr, 0, [](const void*, size_t, void*) { return 0; }, nullptr);
    void* structure = nullptr;
    asn_codec_ctx_t ctx{};
    t->ber_decoder(&ctx, t, &structure, "", 0, 0);
    t->free_struct(t, structure, 0);
  }
  const auto changed = names_of_changed(before, snapshot(types));
  INFO("descriptors written after start-up: " << changed.size());
  CHECK(changed.empty());
  asn1::settle_descriptors();  // idempotent
  CHECK(names_of_changed(before, snapshot(types)).empty());
}

TEST_CASE("several threads decode and encode many message types at once, as one thread does") {
  const auto types = asn1::reachable_types();
  const auto before = snapshot(types);
  const std::vector<Input> all_inputs = inputs();
  const std::vector<Job> all_jobs = jobs(all_inputs);

  // Each thread runs every job a few times, starting at its own place in the list, all at once; a
  // result that differs from the thread's first one for that job is kept as its result.
  constexpr size_t kThreads = 4;
  constexpr size_t kRounds = 4;
  std::vector<std::vector<std::string>> results(kThreads, std::vector<std::string>(all_jobs.size()));
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (size_t n = 0; n < kThreads; ++n)
    threads.emplace_back([&, n] {
      start.arrive_and_wait();
      for (size_t i = 0; i < kRounds * all_jobs.size(); ++i) {
        size_t j = (i + n * all_jobs.size() / kThreads) % all_jobs.size();
        std::string result = run(all_jobs[j]);
        if (i < all_jobs.size() || result != results[n][j]) results[n][j] = std::move(result);
      }
    });
  for (auto& t : threads) t.join();

  std::set<std::string> decoded_types;
  size_t decoded = 0;
  size_t mismatches = 0;
  for (size_t j = 0; j < all_jobs.size(); ++j) {
    const std::string expected = run(all_jobs[j]);
    if (expected.starts_with("ok: ")) {
      ++decoded;
      decoded_types.insert(all_jobs[j].type->name);
    }
    for (size_t n = 0; n < kThreads; ++n)
      if (results[n][j] != expected) {
        ++mismatches;
        UNSCOPED_INFO(all_jobs[j].input->name << " as " << all_jobs[j].type->name << " in thread " << n);
      }
  }
  std::printf("%zu inputs, %zu jobs (%zu decode, as %zu types), %zu threads x %zu rounds\n", all_inputs.size(),
              all_jobs.size(), decoded, decoded_types.size(), kThreads, kRounds);
  CHECK(mismatches == 0);
  // The samples alone decode as EUICCInfo1, ServerSigned1, GetEuiccDataResponse, Certificate,
  // ProfileElement and the SEQUENCE types of the same shape.
  CHECK(decoded_types.size() >= 5);
  CHECK(names_of_changed(before, snapshot(types)).empty());
}

}  // namespace
