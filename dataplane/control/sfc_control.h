/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sfc_control.h - the control plane shared by sfc-cni, sfc-agent and sfcctl
 * (libsfcctl): endpoint state records, standalone-mode Kubernetes-shaped
 * objects (ServiceChain, Pod annotations), and the compilers that turn
 * chains into classifier rules and service function paths in the maps.
 * Functions return 0 or a negative errno; where an @err buffer is given, a
 * human-readable reason naming the file/field is written there on failure.
 */
#ifndef SFC_CONTROL_H
#define SFC_CONTROL_H

#include <stdint.h>
#include <stddef.h>
#include "sfc_common.h"

#define SFC_CONF_DIR_DEFAULT "/etc/sfc"        /* chains.d/, pods.d/ */
#define SFC_STATE_DIR_DEFAULT "/var/lib/sfc"   /* endpoints/ */
#define SFC_ANNOT_CHAIN "sfc.io/chain"
#define SFC_ANNOT_FUNCTION "sfc.io/function"
#define SFC_NAME_MAX 64
#define SFC_MAX_IPS 4
#define SFC_MAX_CHAIN_SFS 16

/* One endpoint wired by sfc-cni, persisted as
 * <state_dir>/endpoints/<container_id>_<ifname>.json (written atomically). */
struct sfc_ep_record {
	char container_id[128];
	char ifname[16];          /* pod-side name (CNI_IFNAME) */
	char host_ifname[16];     /* host-side veth */
	char netns[256];          /* CNI_NETNS path */
	char pod_namespace[SFC_NAME_MAX];
	char pod_name[254];
	uint32_t vpid;
	uint32_t role;            /* enum sfc_role */
	char function[SFC_NAME_MAX]; /* sfc.io/function (SF endpoints) */
	char mac[18];             /* pod-side MAC, aa:bb:cc:dd:ee:ff */
	char host_mac[18];
	int n_ips;
	char ips[SFC_MAX_IPS][64];   /* CIDR form, e.g. 10.22.0.5/24 */
	char ipam_type[SFC_NAME_MAX];
};

/** sfc_state_write() - write @r atomically (temp file, fsync, rename). */
int sfc_state_write(const char *state_dir, const struct sfc_ep_record *r);
/** sfc_state_read() - read the record of (@container_id, @ifname).
 *  Return: 0, -ENOENT if none, -EINVAL if the file is corrupt. */
int sfc_state_read(const char *state_dir, const char *container_id,
		   const char *ifname, struct sfc_ep_record *r);
/** sfc_state_remove() - delete the record; 0 also when already gone. */
int sfc_state_remove(const char *state_dir, const char *container_id,
		     const char *ifname);
/** sfc_state_list() - every record; *@out is malloc'd (caller frees), may
 *  be NULL when *@n is 0. Corrupt files are skipped. */
int sfc_state_list(const char *state_dir, struct sfc_ep_record **out, int *n);

/* Pod annotations relevant to sfc, from <conf_dir>/pods.d/*.json
 * (objects of kind Pod: metadata.namespace, .name, .annotations). */
struct sfc_pod_info {
	char chain[SFC_NAME_MAX];    /* sfc.io/chain, "" if none */
	char function[SFC_NAME_MAX]; /* sfc.io/function, "" if none */
};

/** sfc_pod_lookup() - annotations of pod @ns/@name.
 *  Return: 0 (fields "" when the pod has no object or no annotation),
 *  -EINVAL with @err set when a pod file is malformed. */
int sfc_pod_lookup(const char *conf_dir, const char *ns, const char *name,
		   struct sfc_pod_info *out, char *err, size_t errlen);

/* A ServiceChain (<conf_dir>/chains.d/*.json). */
struct sfc_match {
	uint32_t dir;                /* enum sfc_dir */
	struct sfc_rule rule;        /* spi filled in by the compiler */
};

struct sfc_chain {
	char name[SFC_NAME_MAX];
	int n_sfs;
	char sfs[SFC_MAX_CHAIN_SFS][SFC_NAME_MAX]; /* SF types, in order */
	uint32_t policy;             /* enum sfc_fail_policy */
	int n_match;                 /* 0 = all egress traffic */
	struct sfc_match match[SFC_MAX_RULES];
	uint32_t spi;                /* SPI of the egress SFP; ingress is spi+1 */
};

/** sfc_chain_parse() - parse one ServiceChain JSON text.
 *  Return: 0 or -EINVAL with @err naming the field. */
int sfc_chain_parse(const char *json, struct sfc_chain *out, char *err,
		    size_t errlen);

/** sfc_chain_spi() - stable SPI of the egress SFP of chain @name
 *  (even, 1..SFC_SPI_MAX-1; the ingress SFP uses spi + 1). */
uint32_t sfc_chain_spi(const char *name);

/**
 * sfc_reconcile() - compile every chain in <conf_dir>/chains.d against the
 * endpoints in <state_dir>/endpoints and the pod annotations in
 * <conf_dir>/pods.d, and program sfc_paths and sfc_policy to match:
 * entries that should exist are written, stale ones removed.
 * Chains that cannot be compiled (unknown SF type, no instance, bad file)
 * are reported in @err and left unprogrammed; the others still apply.
 * Return: 0, or -EINVAL when at least one chain failed, -errno else.
 */
int sfc_reconcile(const char *conf_dir, const char *state_dir,
		  const char *pin_dir, char *err, size_t errlen);

#endif /* SFC_CONTROL_H */
