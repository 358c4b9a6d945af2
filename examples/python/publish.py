#!/usr/bin/env python3
"""Publishes {"hello":"from python"} into a wsedge room over the gRPC control plane.

usage: publish.py ROOM [SERVER]   (SERVER: the control plane's host:port, default 127.0.0.1:9090)
A control token, when the server wants one, comes from $WSEDGE_CONTROL_TOKEN. The stubs are
generated from proto/ and found on PYTHONPATH (examples/README.md shows the protoc command).
"""
import os
import sys

import grpc
from wsedge.v1 import control_pb2, control_pb2_grpc

if len(sys.argv) not in (2, 3):
    print("usage: publish.py ROOM [SERVER]", file=sys.stderr)
    sys.exit(2)
room = sys.argv[1]
server = sys.argv[2] if len(sys.argv) == 3 else "127.0.0.1:9090"
token = os.environ.get("WSEDGE_CONTROL_TOKEN")
metadata = [("authorization", f"Bearer {token}")] if token else []

with grpc.insecure_channel(server) as channel:
    stub = control_pb2_grpc.EdgeControlStub(channel)
    request = control_pb2.PublishRequest(
        target=control_pb2.Target(room=room), data='{"hello":"from python"}')
    try:
        reply = stub.Publish(request, metadata=metadata, timeout=10)
    except grpc.RpcError as error:
        sys.exit(f"publish failed: {error.code().name}: {error.details()}")
print(f"recipients={reply.recipients} seq={reply.seq}")
