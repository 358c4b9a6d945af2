// The wsedge_* series of the Prometheus exposition, read from the edge's shard counters at
// scrape time: nothing is counted twice and nothing on the data path touches Prometheus.
#pragma once

#include <prometheus/collectable.h>

#include <vector>

#include "edge/hub.hpp"

namespace wsedge::metrics {

class edge_collector final : public prometheus::Collectable {
 public:
  // `hub` must outlive the collector's registration.
  explicit edge_collector(const edge::hub& hub) : hub_(hub) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const edge::hub& hub_;
};

}  // namespace wsedge::metrics
