// hiredis' event hooks on an Asio io_context, as hiredis' own libuv and libevent adapters do it:
// the context's socket is watched for readiness with a stream_descriptor that never owns it
// (hiredis closes it), and every readiness hands control back to redisAsyncHandleRead/Write.
// One io_context thread only.
#pragma once

#include <boost/asio/io_context.hpp>

struct redisAsyncContext;

namespace wsedge::engine::redis {

// Attaches `context` to `io`; false when the context already has hooks or the socket cannot be
// watched. hiredis detaches (through its cleanup hook) when it frees the context.
bool attach(redisAsyncContext* context, boost::asio::io_context& io);

}  // namespace wsedge::engine::redis
