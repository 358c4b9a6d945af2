// The wsedge_* series of PROTOCOL.md, registered once and updated from edge events.
#include "metrics/prometheus_observer.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

namespace wsedge::metrics {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

struct prometheus_observer::series {
  explicit series(prometheus::Registry& r)
      : connections(BuildGauge()
                        .Name("wsedge_connections")
                        .Help("Open WebSocket connections.")
                        .Register(r)
                        .Add({})),
        rooms(BuildGauge().Name("wsedge_rooms").Help("Rooms with members.").Register(r).Add({})),
        subscriptions(BuildGauge()
                          .Name("wsedge_subscriptions")
                          .Help("Room memberships over all connections.")
                          .Register(r)
                          .Add({})),
        opened(BuildCounter()
                   .Name("wsedge_connections_opened_total")
                   .Help("WebSocket connections accepted.")
                   .Register(r)
                   .Add({})),
        received(BuildCounter()
                     .Name("wsedge_messages_received_total")
                     .Help("WebSocket messages received from clients.")
                     .Register(r)
                     .Add({})),
        sent(BuildCounter()
                 .Name("wsedge_messages_sent_total")
                 .Help("WebSocket messages written to clients.")
                 .Register(r)
                 .Add({})),
        bytes_sent(BuildCounter()
                       .Name("wsedge_bytes_sent_total")
                       .Help("Payload bytes written to clients.")
                       .Register(r)
                       .Add({})),
        socket_writes(BuildCounter()
                          .Name("wsedge_socket_writes_total")
                          .Help("Writes to client sockets; messages_sent / this = messages per "
                                "write (see write_delay).")
                          .Register(r)
                          .Add({})),
        published(BuildCounter()
                      .Name("wsedge_published_total")
                      .Help("Messages published, by source (grpc or client).")
                      .Register(r)),
        published_grpc(published.Add({{"source", "grpc"}})),
        published_client(published.Add({{"source", "client"}})),
        errors(BuildCounter()
                   .Name("wsedge_errors_total")
                   .Help("Client errors and transport failures, by kind.")
                   .Register(r)),
        kicks(BuildCounter()
                  .Name("wsedge_kicks_total")
                  .Help("Connections closed by a control-plane Kick.")
                  .Register(r)
                  .Add({})),
        slow_consumers(BuildCounter()
                           .Name("wsedge_slow_consumer_disconnects_total")
                           .Help("Connections closed with 4001 because their queue overflowed.")
                           .Register(r)
                           .Add({})),
        rejected(BuildCounter()
                     .Name("wsedge_rejected_connections_total")
                     .Help("Connection attempts refused before or during the upgrade, by reason.")
                     .Register(r)),
        fanout(BuildHistogram()
                   .Name("wsedge_publish_fanout_seconds")
                   .Help("From publish accepted to the last recipient's frame queued.")
                   .Register(r)
                   .Add({}, prometheus::Histogram::BucketBoundaries{
                                0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1})) {}

  prometheus::Gauge& connections;
  prometheus::Gauge& rooms;
  prometheus::Gauge& subscriptions;
  prometheus::Counter& opened;
  prometheus::Counter& received;
  prometheus::Counter& sent;
  prometheus::Counter& bytes_sent;
  prometheus::Counter& socket_writes;
  prometheus::Family<prometheus::Counter>& published;
  prometheus::Counter& published_grpc;
  prometheus::Counter& published_client;
  prometheus::Family<prometheus::Counter>& errors;
  prometheus::Counter& kicks;
  prometheus::Counter& slow_consumers;
  prometheus::Family<prometheus::Counter>& rejected;
  prometheus::Histogram& fanout;
};

prometheus_observer::prometheus_observer()
    : registry_(std::make_shared<prometheus::Registry>()),
      series_(std::make_unique<series>(*registry_)) {}

prometheus_observer::~prometheus_observer() = default;

std::shared_ptr<prometheus::Registry> prometheus_observer::registry() const {
  return registry_;
}

void prometheus_observer::on_connection_opened() {
  series_->connections.Increment();
  series_->opened.Increment();
}
void prometheus_observer::on_connection_closed() {
  series_->connections.Decrement();
}
void prometheus_observer::on_connection_rejected(std::string_view reason) {
  series_->rejected.Add({{"reason", std::string(reason)}}).Increment();
}
void prometheus_observer::on_room_opened() {
  series_->rooms.Increment();
}
void prometheus_observer::on_room_closed() {
  series_->rooms.Decrement();
}
void prometheus_observer::on_subscribed() {
  series_->subscriptions.Increment();
}
void prometheus_observer::on_unsubscribed() {
  series_->subscriptions.Decrement();
}
void prometheus_observer::on_messages_received(std::uint64_t count) {
  series_->received.Increment(static_cast<double>(count));
}
void prometheus_observer::on_messages_sent(std::uint64_t count, std::uint64_t bytes) {
  series_->sent.Increment(static_cast<double>(count));
  series_->bytes_sent.Increment(static_cast<double>(bytes));
  series_->socket_writes.Increment();
}
void prometheus_observer::on_published(edge::publish_source source) {
  (source == edge::publish_source::grpc ? series_->published_grpc : series_->published_client)
      .Increment();
}
void prometheus_observer::on_error(std::string_view kind) {
  series_->errors.Add({{"kind", std::string(kind)}}).Increment();
}
void prometheus_observer::on_kicked() {
  series_->kicks.Increment();
}
void prometheus_observer::on_slow_consumer() {
  series_->slow_consumers.Increment();
}
void prometheus_observer::on_publish_fanout(double seconds) {
  series_->fanout.Observe(seconds);
}

}  // namespace wsedge::metrics
