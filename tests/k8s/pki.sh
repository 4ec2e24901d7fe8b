# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# pki.sh - sourced by cluster.sh: the certificates, keys and kubeconfigs of
# one test cluster, made with openssl into a per-run dir (EC P-256, 1 year).
#
#   pki_make DIR NODE NODE_IP     DIR/ca.{crt,key}, one cert+key per identity
#                                 below, sa.{key,pub}
#   pki_kubeconfig DIR NAME SERVER  print a kubeconfig for identity NAME
#
# Identities (O = group, CN = user, as the apiserver's x509 authenticator
# and RBAC read them):
#   apiserver       serving: kubernetes{,.default,.default.svc,...}, localhost,
#                   127.0.0.1, 10.96.0.1 (the kubernetes Service), NODE_IP
#   admin           O=system:masters (kubectl in the tests)
#   apiserver-kubelet-client  O=system:masters (logs/exec through the kubelet)
#   controller-manager, scheduler  system:kube-controller-manager / -scheduler
#   kubelet         O=system:nodes, CN=system:node:NODE (Node authorizer)
#   kubelet-serving serving: NODE, NODE_IP, 127.0.0.1
#   sa.key/sa.pub   service-account token signing key pair

_pki_cnf() {
	cat <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
EOF
}

# _pki_leaf DIR NAME SUBJ EKU [SAN]: NAME.key and NAME.crt signed by the CA.
_pki_leaf() {
	local d=$1 name=$2 subj=$3 eku=$4 san=${5:-}
	openssl ecparam -name prime256v1 -genkey -noout -out "$d/$name.key" 2>/dev/null &&
		openssl req -new -key "$d/$name.key" -subj "$subj" -config "$d/openssl.cnf" \
			-out "$d/$name.csr" &&
		{
			echo "basicConstraints = CA:FALSE"
			echo "keyUsage = critical,digitalSignature,keyEncipherment"
			echo "extendedKeyUsage = $eku"
			echo "authorityKeyIdentifier = keyid"
			[ -z "$san" ] || echo "subjectAltName = $san"
		} >"$d/$name.ext" &&
		openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
			-set_serial "0x$(openssl rand -hex 8)" -days 365 -sha256 \
			-extfile "$d/$name.ext" -out "$d/$name.crt" 2>/dev/null &&
		rm -f "$d/$name.csr" "$d/$name.ext"
}

pki_make() {
	local d=$1 node=$2 ip=$3
	mkdir -p "$d" && chmod 700 "$d"
	_pki_cnf >"$d/openssl.cnf"
	openssl ecparam -name prime256v1 -genkey -noout -out "$d/ca.key" 2>/dev/null &&
		openssl req -x509 -new -key "$d/ca.key" -subj "/CN=sfc-k8s-ca" -days 365 -sha256 \
			-config "$d/openssl.cnf" -extensions ca -out "$d/ca.crt" || return 1
	_pki_leaf "$d" apiserver "/CN=kube-apiserver" serverAuth \
		"DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:10.96.0.1,IP:$ip" &&
		_pki_leaf "$d" admin "/O=system:masters/CN=sfc-k8s-admin" clientAuth &&
		_pki_leaf "$d" apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth &&
		_pki_leaf "$d" controller-manager "/CN=system:kube-controller-manager" clientAuth &&
		_pki_leaf "$d" scheduler "/CN=system:kube-scheduler" clientAuth &&
		_pki_leaf "$d" kubelet "/O=system:nodes/CN=system:node:$node" clientAuth &&
		_pki_leaf "$d" kubelet-serving "/CN=$node" serverAuth "DNS:$node,IP:$ip,IP:127.0.0.1" &&
		openssl ecparam -name prime256v1 -genkey -noout -out "$d/sa.key" 2>/dev/null &&
		openssl ec -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null
}

pki_kubeconfig() {
	local d=$1 name=$2 server=$3
	cat <<EOF
apiVersion: v1
kind: Config
clusters:
- name: sfc-k8s
  cluster:
    server: $server
    certificate-authority: $d/ca.crt
users:
- name: $name
  user:
    client-certificate: $d/$name.crt
    client-key: $d/$name.key
contexts:
- name: sfc-k8s
  context:
    cluster: sfc-k8s
    user: $name
current-context: sfc-k8s
EOF
}
