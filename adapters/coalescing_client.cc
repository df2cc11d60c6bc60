#include "adapters/coalescing_client.h"

#include <algorithm>
#include <string>

namespace eko::adapter {
namespace {

// The summary of a caller answered from a call it joined: no upstream
// exchange of its own.
CallSummary Replayed() {
  CallSummary summary;
  summary.replayed = true;
  return summary;
}

CallSummary Cancelled() {
  CallSummary summary;
  summary.outcome = UpstreamOutcome::kCancelled;
  return summary;
}

}  // namespace

CoalescingClient::CoalescingClient(UpstreamClient* inner) : inner_(inner) {}

void CoalescingClient::Cancel(uint64_t call_id) {
  if ((call_id & kIdTagMask) != kOwnIdTag) {
    inner_->Cancel(call_id);
    return;
  }
  Answer answer;
  std::optional<uint64_t> cancel_upstream;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = waiters_.find(call_id);
    if (it == waiters_.end()) return;  // already answered
    answer = std::move(it->second.answer);
    std::shared_ptr<Flight> flight = std::move(it->second.flight);
    waiters_.erase(it);
    std::vector<uint64_t>& waiting = flight->waiters;
    waiting.erase(std::find(waiting.begin(), waiting.end(), call_id));
    if (waiting.empty() && !flight->ended) {
      EndFlightLocked(flight);
      // Set: the leader waits until its upstream call has started.
      cancel_upstream = flight->upstream_id;
    }
  }
  if (cancel_upstream.has_value()) inner_->Cancel(*cancel_upstream);
  executor_.Post(
      [answer = std::move(answer)]() mutable { std::move(answer)(nullptr, Cancelled()); });
}

size_t CoalescingClient::waiting_calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiters_.size();
}

CoalescingClient::Joined CoalescingClient::Join(std::string key, absl::Time deadline,
                                                Answer answer) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = flights_.find(key);
  if (it != flights_.end() && it->second->deadline > deadline) return {};
  Joined joined;
  joined.id = kOwnIdTag | ++next_id_;
  if (it != flights_.end()) {
    joined.flight = it->second;
    coalesced_calls_.fetch_add(1);
  } else {
    joined.flight = std::make_shared<Flight>();
    joined.flight->key = key;
    joined.flight->deadline = deadline;
    joined.leads = true;
    flights_.emplace(std::move(key), joined.flight);
  }
  joined.flight->waiters.push_back(joined.id);
  waiters_.emplace(joined.id, Waiter{joined.flight, std::move(answer)});
  return joined;
}

void CoalescingClient::Started(const std::shared_ptr<Flight>& flight,
                               const absl::StatusOr<uint64_t>& started) {
  std::vector<Answer> joiners;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (started.ok()) {
      flight->upstream_id = *started;
    } else {
      // The leader cannot have cancelled: its id was not handed out yet. It
      // gets the refusal as the call's result, and its answer never runs.
      waiters_.erase(flight->waiters.front());
      flight->waiters.erase(flight->waiters.begin());
      joiners = EndFlightLocked(flight);
    }
  }
  if (!joiners.empty()) {
    AnswerLater(std::move(joiners),
                std::make_shared<const Outcome>(Outcome{started.status(), "", Replayed()}));
  }
}

void CoalescingClient::Land(const std::shared_ptr<Flight>& flight, Outcome outcome) {
  std::vector<Answer> answers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (flight->ended) return;  // left by its last waiter
    answers = EndFlightLocked(flight);
  }
  if (answers.empty()) return;
  Answer first = std::move(answers.front());
  answers.erase(answers.begin());
  auto shared = std::make_shared<const Outcome>(std::move(outcome));
  AnswerLater(std::move(answers), shared);
  // The first caller still waiting carries the upstream exchange's summary.
  std::move(first)(shared.get(), shared->summary);
}

std::vector<CoalescingClient::Answer> CoalescingClient::EndFlightLocked(
    const std::shared_ptr<Flight>& flight) {
  flight->ended = true;
  auto it = flights_.find(flight->key);
  if (it != flights_.end() && it->second == flight) flights_.erase(it);
  std::vector<Answer> answers;
  answers.reserve(flight->waiters.size());
  for (const uint64_t id : flight->waiters) {
    auto waiter = waiters_.find(id);
    answers.push_back(std::move(waiter->second.answer));
    waiters_.erase(waiter);
  }
  flight->waiters.clear();
  return answers;
}

void CoalescingClient::AnswerLater(std::vector<Answer> answers,
                                   std::shared_ptr<const Outcome> outcome) {
  for (Answer& answer : answers) {
    executor_.Post([answer = std::move(answer), outcome]() mutable {
      std::move(answer)(outcome.get(), Replayed());
    });
  }
}

}  // namespace eko::adapter
