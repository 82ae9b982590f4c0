// Text forms of the stored states: what the database columns and logs hold.
#include <array>

#include "smdp/store.hpp"

namespace smdp {
namespace {

constexpr std::array<std::string_view, 9> kProfileStates{"available",  "allocated", "linked", "confirmed",  "released",
                                                         "downloaded", "installed", "error",  "unavailable"};
constexpr std::array<std::string_view, 5> kSessionStates{"initiated", "authenticated", "bpp_sent", "finished",
                                                         "cancelled"};

template <class State, size_t N>
std::optional<State> lookup(const std::array<std::string_view, N>& names, std::string_view text) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == text) return static_cast<State>(i);
  return std::nullopt;
}

}  // namespace

std::string_view to_string(ProfileState state) { return kProfileStates.at(static_cast<size_t>(state)); }
std::optional<ProfileState> profile_state_from(std::string_view text) {
  return lookup<ProfileState>(kProfileStates, text);
}
std::string_view to_string(SessionState state) { return kSessionStates.at(static_cast<size_t>(state)); }
std::optional<SessionState> session_state_from(std::string_view text) {
  return lookup<SessionState>(kSessionStates, text);
}

}  // namespace smdp
