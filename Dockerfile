# wsedge container image: built on Debian 12 with the same package list and build script as the
# README, run on debian:12-slim with only the runtime libraries, as a non-root user.
FROM debian:12 AS build
WORKDIR /src
COPY scripts/ scripts/
RUN scripts/install-deps.sh --build-only && rm -rf /var/lib/apt/lists/*
COPY . .
RUN scripts/build.sh /src/build -DWSEDGE_BUILD_TESTS=OFF

FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libabsl20220623 libboost-json1.81.0 libboost-url1.81.0 libc-ares2 libcivetweb1 \
      libgrpc++1.51 libgrpc29 libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 \
      libprotobuf32 libre2-9 libssl3 zlib1g ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin wsedge
COPY --from=build /src/build/app/wsedge /src/build/tools/wsedgectl /usr/local/bin/
USER 10001:10001
EXPOSE 8080 9090 9100
ENTRYPOINT ["/usr/local/bin/wsedge"]
