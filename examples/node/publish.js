// Publishes {"hello":"from node"} into a wsedge room over the gRPC control plane.
//
// usage: node publish.js ROOM [SERVER]
// (SERVER: the control plane's host:port, default 127.0.0.1:9090)
// A control token, when the server wants one, comes from $WSEDGE_CONTROL_TOKEN. The service is
// read from proto/ at run time by @grpc/proto-loader: nothing is generated.
'use strict';
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [room, server = '127.0.0.1:9090', ...extra] = process.argv.slice(2);
if (!room || extra.length) {
  console.error('usage: node publish.js ROOM [SERVER]');
  process.exit(2);
}
const definition = protoLoader.loadSync('wsedge/v1/control.proto', {
  includeDirs: [path.join(__dirname, '..', '..', 'proto')],
  longs: String, // uint64 fields as decimal strings: exact beyond 2^53
  defaults: true, // fields at 0 too (proto3 leaves them out of the wire)
});
const { EdgeControl } = grpc.loadPackageDefinition(definition).wsedge.v1;
const client = new EdgeControl(server, grpc.credentials.createInsecure());
const metadata = new grpc.Metadata();
if (process.env.WSEDGE_CONTROL_TOKEN) {
  metadata.set('authorization', `Bearer ${process.env.WSEDGE_CONTROL_TOKEN}`);
}
const request = { target: { room }, data: '{"hello":"from node"}' };
client.Publish(request, metadata, { deadline: Date.now() + 10000 }, (error, reply) => {
  client.close();
  if (error) {
    // grpc.status maps a code's number back to its name, e.g. 16 → UNAUTHENTICATED.
    console.error(`publish failed: ${grpc.status[error.code]}: ${error.details}`);
    process.exitCode = 1;
    return;
  }
  console.log(`recipients=${reply.recipients} seq=${reply.seq}`);
});
