// Event watchers for the bench: one blocking stream per thread.
#include "bench/event_watchers.hpp"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "bench/load_clients.hpp"
#include "wsedge/v1/control.grpc.pb.h"

namespace wsedge::bench {

namespace v1 = wsedge::v1;

namespace {

struct watcher {
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::Event>> reader;
  std::atomic<std::uint64_t> received{0};
  std::atomic<bool> ended{false};
  std::mutex latencies_mutex;
  std::vector<std::uint64_t> latencies;
  std::thread thread;

  void run() {
    v1::Event event;
    while (reader->Read(&event)) {
      received.fetch_add(1, std::memory_order_relaxed);
      if (!event.has_client_message()) continue;
      const std::string& data = event.client_message().data();
      if (auto at = data.find("\"t\":"); at != std::string::npos) {
        const std::uint64_t sent = std::strtoull(data.c_str() + at + 4, nullptr, 10);
        const std::uint64_t now = now_ns();
        std::lock_guard lock(latencies_mutex);
        latencies.push_back(now > sent ? now - sent : 0);
      }
    }
    (void)reader->Finish();
    ended = true;
  }
};

}  // namespace

struct event_watchers::impl {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::EdgeControl::Stub> stub;
  std::vector<std::unique_ptr<watcher>> watchers;
};

event_watchers::event_watchers(const std::string& address, int count)
    : impl_(std::make_unique<impl>()) {
  impl_->channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  impl_->stub = v1::EdgeControl::NewStub(impl_->channel);
  for (int i = 0; i < count; ++i) {
    auto w = std::make_unique<watcher>();
    w->reader = impl_->stub->WatchEvents(&w->context, v1::WatchRequest());
    // The server sends its headers once the watcher is registered.
    w->reader->WaitForInitialMetadata();
    w->thread = std::thread([raw = w.get()] { raw->run(); });
    impl_->watchers.push_back(std::move(w));
  }
}

event_watchers::~event_watchers() {
  for (auto& w : impl_->watchers) w->context.TryCancel();
  for (auto& w : impl_->watchers) w->thread.join();
}

std::uint64_t event_watchers::received() const {
  std::uint64_t total = 0;
  for (const auto& w : impl_->watchers) total += w->received.load();
  return total;
}

std::uint64_t event_watchers::fewest_received() const {
  std::uint64_t fewest = UINT64_MAX;
  for (const auto& w : impl_->watchers) fewest = std::min(fewest, w->received.load());
  return impl_->watchers.empty() ? 0 : fewest;
}

int event_watchers::ended() const {
  return static_cast<int>(std::count_if(impl_->watchers.begin(), impl_->watchers.end(),
                                        [](const auto& w) { return w->ended.load(); }));
}

std::vector<std::uint64_t> event_watchers::take_latencies() {
  std::vector<std::uint64_t> all;
  for (auto& w : impl_->watchers) {
    std::lock_guard lock(w->latencies_mutex);
    all.insert(all.end(), w->latencies.begin(), w->latencies.end());
    w->latencies.clear();
  }
  return all;
}

void event_watchers::reset() {
  take_latencies();
  for (auto& w : impl_->watchers) w->received = 0;
}

}  // namespace wsedge::bench
