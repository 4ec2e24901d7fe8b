#!/bin/sh
# Init container of the DaemonSet: copies the sfc-cni binary and a default
# conflist onto the node (host paths mounted at /host/opt/cni/bin and
# /host/etc/cni/net.d). Written to a temp name and renamed so the runtime
# never sees a half-written file.
set -eu
bin_dir=${CNI_BIN_DIR:-/host/opt/cni/bin}
conf_dir=${CNI_CONF_DIR:-/host/etc/cni/net.d}
subnet=${SFC_POD_SUBNET:?set SFC_POD_SUBNET to this node's pod CIDR}
cp /usr/local/bin/sfc-cni "$bin_dir/.sfc-cni.tmp"
mv -f "$bin_dir/.sfc-cni.tmp" "$bin_dir/sfc-cni"
cat > "$conf_dir/.10-sfc.conflist.tmp" <<CONF
{
  "cniVersion": "1.0.0",
  "name": "sfc",
  "plugins": [
    { "type": "sfc-cni", "mtu": ${SFC_MTU:-1500},
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$subnet" }]] } },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
CONF
mv -f "$conf_dir/.10-sfc.conflist.tmp" "$conf_dir/10-sfc.conflist"
