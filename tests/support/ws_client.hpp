// A WebSocket test client over real sockets: every wait has a deadline, nothing sleeps.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace wsedge::testing {

using namespace std::chrono_literals;

class ws_client {
 public:
  ws_client();
  ~ws_client();

  // Opens a WebSocket to 127.0.0.1:port. False when refused; http_status() tells how.
  bool connect(std::uint16_t port, const std::string& target = "/ws",
               const std::map<std::string, std::string>& headers = {});
  int http_status() const { return http_status_; }
  const std::string& http_body() const { return http_body_; }
  // The Sec-WebSocket-Protocol the server selected ("" when none).
  const std::string& subprotocol() const { return subprotocol_; }

  void send(const std::string& text);
  void send_binary(const std::string& bytes);
  // Sends `count` text fragments of `size` bytes each, never finishing the message.
  void send_fragments(int count, std::size_t size);
  // Writes complete client frames (built with client_frame.hpp) in one TCP write, past Beast.
  void send_raw(const std::string& frames);
  // Sends a ping; pongs() counts the pongs seen while reading.
  void ping(const std::string& payload = {});
  int pongs() const { return pongs_; }

  // The next message, or nullopt on timeout or close (then close_code() tells).
  std::optional<std::string> read(std::chrono::milliseconds timeout = 10s);
  // The next message parsed as JSON (a null value when none arrived).
  boost::json::value read_json(std::chrono::milliseconds timeout = 10s);
  // Reads and drops messages until the server closes; returns the close code (0: none in time).
  int wait_for_close(std::chrono::milliseconds timeout = 10s);
  int close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }
  // Why the last read ended without a message ("" when it did not fail).
  const std::string& last_error() const { return last_error_; }

  // Connects and consumes the "connected" message; returns its client id ("" on failure).
  std::string connect_and_greet(std::uint16_t port, const std::string& target = "/ws");

 private:
  void write(const std::string& message, bool binary);

  struct impl;
  std::unique_ptr<impl> impl_;
  int http_status_ = 0;
  std::string http_body_;
  std::string subprotocol_;
  int pongs_ = 0;
  int close_code_ = 0;
  std::string close_reason_;
  std::string last_error_;
};

// GET http://127.0.0.1:port/target; returns (status, body), status 0 on failure.
std::pair<int, std::string> http_get(std::uint16_t port, const std::string& target,
                                     const std::map<std::string, std::string>& headers = {});

// A JSON value as a std::string ("<not a string: …>" otherwise), for comparisons in tests.
inline std::string str(const boost::json::value& v) {
  if (const auto* s = v.if_string()) return std::string(*s);
  return "<not a string: " + boost::json::serialize(v) + ">";
}

}  // namespace wsedge::testing
