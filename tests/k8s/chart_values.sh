#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# chart_values.sh RUN - the chart values that install sfc-cni on the
# tests/k8s node of run dir RUN (cluster.sh up): its CNI dirs, sfc-cni's
# per-run pin, state and conf dirs and host veth prefix (what cluster.sh's
# own conflist uses), the API server at the node address (no kube-proxy:
# the kubernetes Service is not routed), images imported, never pulled.
#
#   tests/k8s/chart_values.sh "$K8S_RUN" >"$K8S_RUN/values.yaml"
#   build/bin/chart-render --release sfc-cni --namespace kube-system \
#       -f "$K8S_RUN/values.yaml" manifests/helm/sfc-cni >"$K8S_RUN/sfc-cni.yaml"
set -euo pipefail
run=${1:?usage: chart_values.sh RUN_DIR}
# shellcheck source=/dev/null
. "$run/env"
cat <<EOF2
image: {pullPolicy: Never}
kubernetesServiceHost: "$K8S_NODE_IP"
kubernetesServicePort: "6443"
cni:
  binDir: "$K8S_RUN/cni/bin"
  confDir: "$K8S_RUN/cni/net.d"
  hostIfPrefix: "$K8S_PFX"
  ipam: {dataDir: "$K8S_RUN/cni/ipam"}
node:
  bpffsDir: "$K8S_BPFFS"
  stateDir: "$K8S_SFC_STATE"
  confDir: "$K8S_SFC_CONF"
  runDir: "$K8S_RUN/sfc/run"
EOF2
