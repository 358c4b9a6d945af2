// A test fixture of wsedge nodes in cluster mode, in-process, on one real redis-server started
// for the test: node i is named "n<i>", and a random key prefix keeps tests apart.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tests/support/eventually.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/test_node.hpp"

namespace wsedge::testing {

class cluster_fixture : public ::testing::Test {
 protected:
  explicit cluster_fixture(int node_count) : node_count_(node_count) {}

  void SetUp() override {
    ASSERT_TRUE(redis_server::available()) << "no " << redis_server_binary;
    redis = std::make_unique<redis_server>();
    prefix = "t" + std::to_string(std::random_device{}());
    for (int i = 0; i < node_count_; ++i)
      nodes.push_back(std::make_unique<test_node>(config("n" + std::to_string(i))));
    // Every node connected, and each sees all of them in its heartbeats.
    ASSERT_TRUE(all_up());
  }

  // Every node's engine is up and its Stats lists every node.
  bool all_up() {
    return eventually([&] {
      for (auto& n : nodes)
        if (!n->server().hub().engine_up() || n->stats().nodes_size() != node_count_) return false;
      return true;
    });
  }

  // Every in-process node's Stats lists `count` nodes (each has seen the others' heartbeats).
  bool every_node_sees(int count) {
    return eventually([&] {
      for (auto& n : nodes)
        if (n->stats().nodes_size() != count) return false;
      return true;
    });
  }

  // A node's configuration; `tune` adds what a suite needs.
  app::server_config config(const std::string& name) {
    auto c = test_config();
    engine::redis::redis_engine_options o;
    o.port = redis->port();
    o.prefix = prefix;
    o.node_name = name;
    tune(o);
    c.redis = o;
    return c;
  }
  virtual void tune(engine::redis::redis_engine_options&) {}

  std::unique_ptr<redis_server> redis;
  std::string prefix;
  std::vector<std::unique_ptr<test_node>> nodes;

 private:
  const int node_count_;
};

}  // namespace wsedge::testing
