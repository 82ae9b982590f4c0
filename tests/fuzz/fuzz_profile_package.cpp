// Profile packages (SAIP, TCA PEDefinitions) as an operator uploads them to the SM-DP+ and as the
// card installs them: rsp::read_profile_contents, the reading both sides use.
#include "fuzz_target.hpp"
#include "rsp/profile_contents.hpp"

namespace profile_package_target {

void run(const uint8_t* data, size_t size) {
  auto contents = rsp::read_profile_contents(rsp::fuzz::bytes(data, size));
  if (!contents || !contents->usim) return;
  for (unsigned n = 1; n <= 140; ++n) (void)contents->usim->service_available(n);
}

}  // namespace profile_package_target

RSP_FUZZ_TARGET(profile_package, nullptr, profile_package_target::run);
