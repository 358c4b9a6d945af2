// What every session is: its client id, made from its shard and serial when asked.
#include "edge/session.hpp"

#include "edge/shard.hpp"

namespace wsedge::edge {

std::string session::client_id() const {
  return home_.client_id_prefix() + std::to_string(serial_);
}

}  // namespace wsedge::edge
