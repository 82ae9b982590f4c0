#pragma once
// SGP.22 v2.5 §3.1.2 Common Mutual Authentication, the IPA's part shared by the download (ES9+,
// §3.1.3) and Event Retrieval (ES11, §3.6.3): the server's initiateAuthentication answer turned
// into ES10b.AuthenticateServer's input, and the address the server signed.
#include <optional>
#include <string>

#include "ipa/download.hpp"

namespace ipa {

// No matchingId: ctxParams1 = A0 { A1 deviceInfo } (the default SM-DP+, and ES11).
es10b::AuthenticateServerInput authenticate_server_input(const InitiateAuthenticationResponse& initiated,
                                                         const DeviceInfo& device,
                                                         std::optional<std::string> matching_id);

// serverSigned1.serverAddress ('30' { .. 83 .. }); the IPA checks it is the address it called.
std::optional<std::string> signed_server_address(ByteView server_signed1);

}  // namespace ipa
