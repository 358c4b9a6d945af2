// wsedge's entry point: configuration, start-up line, and a graceful drain on SIGTERM/SIGINT.
#include <pthread.h>

#include <csignal>
#include <cstdio>

#include "app/config_flags.hpp"
#include "app/startup_line.hpp"
#include "app/wsedge_server.hpp"

int main(int argc, char** argv) {
  // Block the stop signals in every thread (threads inherit the mask); main waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto config = wsedge::app::load_config(argc, argv);
  if (!config.ok()) {
    std::fprintf(stderr, "wsedge: bad configuration: %s\n",
                 std::string(config.status().message()).c_str());
    return 2;
  }
  wsedge::app::wsedge_server server(*config);
  if (auto status = server.start(); !status.ok()) {
    std::fprintf(stderr, "wsedge: cannot start: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  std::printf("%s\n", wsedge::app::startup_line(*config, server).c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::printf("wsedge: %s received, draining (timeout %lld ms)\n", strsignal(signal_number),
              static_cast<long long>(config->edge.drain_timeout.count()));
  std::fflush(stdout);
  bool clean = server.drain_and_stop();
  std::printf("wsedge: drained%s, exiting\n", clean ? "" : " (deadline reached)");
  return 0;
}
