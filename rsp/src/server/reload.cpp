#include "rsp/server/reload.hpp"

namespace rsp::server {

void Reload::record(const Error& error) {
  if (!failure_) failure_ = error;
}

void Reload::listener(http::Server& server, size_t index, const ListenerConfig& l, const std::filesystem::path& pki,
                      crypto::Role role) {
  auto identity = listener_identity(l, pki, role);
  if (!identity) return record({l.listen + ": " + identity.error().message});
  auto step = server.prepare_tls_identity(index, *identity);
  if (!step) return record({l.listen + ": " + step.error().message});
  steps_.push_back(std::move(*step));
}

void Reload::pins(PinnedClients& pins, const PinFiles& files, const std::string& what) {
  auto fresh = std::make_unique<PinnedClients>();
  for (const auto& [name, file] : files)
    if (auto added = fresh->add(name, file); !added) return record({what + " " + added.error().message});
  steps_.push_back([&pins, replacement = fresh.get()] { pins.replace_with(*replacement); });
  fresh_pins_.push_back(std::move(fresh));
}

Status<> Reload::apply() {
  if (failure_) return Unexpected{*failure_};
  for (auto& step : steps_) step();
  steps_.clear();
  return Ok{};
}

}  // namespace rsp::server
