// An edge_observer that forwards every event to several observers (e.g. metrics and a test probe).
#pragma once

#include <vector>

#include "edge/edge_observer.hpp"

namespace wsedge::edge {

class observer_list final : public edge_observer {
 public:
  // The observers must outlive this list; nullptr entries are skipped.
  explicit observer_list(std::vector<edge_observer*> observers) {
    for (edge_observer* o : observers)
      if (o != nullptr) observers_.push_back(o);
  }

  void on_connection_opened() override { each(&edge_observer::on_connection_opened); }
  void on_connection_closed() override { each(&edge_observer::on_connection_closed); }
  void on_connection_rejected(std::string_view r) override {
    each(&edge_observer::on_connection_rejected, r);
  }
  void on_room_opened() override { each(&edge_observer::on_room_opened); }
  void on_room_closed() override { each(&edge_observer::on_room_closed); }
  void on_subscribed() override { each(&edge_observer::on_subscribed); }
  void on_unsubscribed() override { each(&edge_observer::on_unsubscribed); }
  void on_messages_received(std::uint64_t n) override {
    each(&edge_observer::on_messages_received, n);
  }
  void on_messages_sent(std::uint64_t n, std::uint64_t bytes) override {
    each(&edge_observer::on_messages_sent, n, bytes);
  }
  void on_published(publish_source s) override { each(&edge_observer::on_published, s); }
  void on_error(std::string_view kind) override { each(&edge_observer::on_error, kind); }
  void on_kicked() override { each(&edge_observer::on_kicked); }
  void on_slow_consumer() override { each(&edge_observer::on_slow_consumer); }
  void on_publish_fanout(double s) override { each(&edge_observer::on_publish_fanout, s); }

 private:
  template <typename... Args, typename... Given>
  void each(void (edge_observer::*event)(Args...), Given... args) {
    for (edge_observer* o : observers_) (o->*event)(args...);
  }

  std::vector<edge_observer*> observers_;
};

}  // namespace wsedge::edge
