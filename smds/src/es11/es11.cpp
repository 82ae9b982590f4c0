// What the ES11 functions share: the service's defaults.
#include "smds/es11.hpp"

#include <ctime>

namespace smds {

Es11::Es11(EventStore& store, const DsIdentity& identity, Es11Settings settings)
    : store_(store), identity_(identity), settings_(std::move(settings)) {
  if (!settings_.now) settings_.now = [] { return static_cast<int64_t>(std::time(nullptr)); };
}

}  // namespace smds
