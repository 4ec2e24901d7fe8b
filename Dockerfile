# syntax=docker/dockerfile:1
# sfc-cni images. One build stage, then one small runtime image per target:
#   docker build --target node        -t sfc-cni/node .          (DaemonSet: sfc-cni, sfc-agent, sfcctl)
#   docker build --target sf-firewall -t sfc-cni/sf-firewall .
#   docker build --target sf-counter  -t sfc-cni/sf-counter .
# The BPF objects are compiled against the build host's kernel BTF (vmlinux.h)
# and are CO-RE, so they load on other kernels with BTF.
FROM debian:12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends make gcc ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make deps && make -j2 all

FROM debian:12-slim AS runtime-base
RUN apt-get update && apt-get install -y --no-install-recommends \
        libbpf1 libelf1 libnl-3-200 libnl-route-3-200 libcjson1 libseccomp2 libcap2 \
    && rm -rf /var/lib/apt/lists/*

FROM runtime-base AS node
COPY --from=build /src/build/bin/sfc-cni /src/build/bin/sfc-agent /src/build/bin/sfcctl /usr/local/bin/
COPY manifests/install-cni.sh /usr/local/bin/install-cni.sh
ENTRYPOINT ["/usr/local/bin/sfc-agent"]

FROM runtime-base AS sf-firewall
COPY --from=build /src/build/bin/sf-firewall /usr/local/bin/
USER 65534:65534
ENTRYPOINT ["/usr/local/bin/sf-firewall"]

FROM runtime-base AS sf-counter
COPY --from=build /src/build/bin/sf-counter /usr/local/bin/
USER 65534:65534
ENTRYPOINT ["/usr/local/bin/sf-counter"]
