#pragma once
// How an ES10 function changes what the card remembers: the change is made to the state in memory
// and committed; if the commit fails (disk full, read-only), the state in memory is put back as it
// was, so memory and disk always agree and a failed command changes nothing.
#include <utility>

#include "card_context.hpp"

namespace euicc {

// Runs `change()` (which edits card.state, e.g. through queue_profile_notification) and commits.
// Returns false, with card.state as before, when the commit fails.
template <class Change>
bool commit_change(CardContext& card, Change&& change) {
  CardState before = card.state;
  std::forward<Change>(change)();
  if (card.commit()) return true;
  card.state = std::move(before);
  return false;
}

}  // namespace euicc
