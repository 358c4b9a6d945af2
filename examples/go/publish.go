// publish sends {"hello":"from go"} into a wsedge room over the gRPC control plane.
//
// usage: publish ROOM [SERVER]   (SERVER: the control plane's host:port, default 127.0.0.1:9090)
//
// A control token, when the server wants one, comes from $WSEDGE_CONTROL_TOKEN. The package
// wsedgev1 is generated from proto/ by protoc-gen-go and protoc-gen-go-grpc
// (examples/README.md shows the command).
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	wsedgev1 "wsedge.example/proto/wsedge/v1"
)

func main() {
	if len(os.Args) != 2 && len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: publish ROOM [SERVER]")
		os.Exit(2)
	}
	server := "127.0.0.1:9090"
	if len(os.Args) == 3 {
		server = os.Args[2]
	}
	// Plain TCP. Debian 12 ships grpc-go 1.33; from 1.34 on this is spelled
	// grpc.WithTransportCredentials(insecure.NewCredentials()).
	conn, err := grpc.Dial(server, grpc.WithInsecure())
	if err != nil {
		fmt.Fprintln(os.Stderr, "publish failed:", err)
		os.Exit(1)
	}
	defer conn.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if token := os.Getenv("WSEDGE_CONTROL_TOKEN"); token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	reply, err := wsedgev1.NewEdgeControlClient(conn).Publish(ctx, &wsedgev1.PublishRequest{
		Target: &wsedgev1.Target{Kind: &wsedgev1.Target_Room{Room: os.Args[1]}},
		Data:   `{"hello":"from go"}`,
	})
	if err != nil {
		// code.Code spells a status the way the other languages do: UNAUTHENTICATED, not Unauthenticated.
		s := status.Convert(err)
		fmt.Fprintf(os.Stderr, "publish failed: %s: %s\n", code.Code(s.Code()), s.Message())
		os.Exit(1)
	}
	fmt.Printf("recipients=%d seq=%d\n", reply.Recipients, reply.Seq)
}
