/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sfc_control.h - the control plane shared by sfc-cni, sfc-agent and sfcctl
 * (libsfccontrol): endpoint state records, Kubernetes-shaped objects
 * (ServiceChain, Pod annotations) and their standalone files, and the
 * compilers that turn them into classifier rules, SF groups and service
 * function paths in the maps.
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
#define SFC_ANNOT_SFC_AWARE "sfc.io/sfc-aware" /* "true" (default) | "false" */
/* "CIDR,CIDR": source prefixes an app pod may send from besides its own
 * addresses (anti-spoofing); at most SFC_MAX_ALLOWED_SOURCES. */
#define SFC_ANNOT_ALLOWED_SOURCES "sfc.io/allowed-sources"
#define SFC_MAX_ALLOWED_SOURCES 16
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
	/* Appended (sfc-cni GC/STATUS); optional in the JSON: "" / 0 in
	 * records written before they existed. */
	char network[128];        /* CNI network name (config "name") */
	uint32_t flags;           /* SFC_REC_F_* */
};

/* sfc_ep_record.flags (SFC_EP_F_* are sfc_endpoint.flags, the BPF map value) */
#define SFC_REC_F_ATTACH_ONLY 0x1 /* chained: interface and IPAM belong to an
				  * earlier plugin; only hooks and maps are ours */
#define SFC_REC_F_HOOK_TC 0x2 /* program attached in tc mode (clsact filter,
			       * no link pin); else tcx (libsfcdp sfc_hook_mode) */

/** sfc_state_write() - write @r atomically (temp file, rename), without
 *  fsync: the record dies with the node's kernel state (state.c). */
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
/**
 * sfc_state_tmp_remove() - remove temp files sfc_state_write() left behind
 * when killed before its rename: those of (@container_id, @ifname) at any
 * age, or, with @container_id NULL, every one whose mtime is at least
 * @min_age_s seconds old. The caller must exclude writers it does not want
 * to race (sfc-cni: the runtime never runs DEL beside the same
 * attachment's ADD; GC holds the node lock, which ADD holds while writing).
 * Return: the number removed, or -errno.
 */
int sfc_state_tmp_remove(const char *state_dir, const char *container_id,
			 const char *ifname, unsigned int min_age_s);

/* Pod annotations relevant to sfc, from <conf_dir>/pods.d/<file>.json
 * (objects of kind Pod: metadata.namespace, .name, .annotations). */
struct sfc_pod_info {
	char chain[SFC_NAME_MAX];    /* sfc.io/chain, "" if none */
	char function[SFC_NAME_MAX]; /* sfc.io/function, "" if none */
	int unaware;                 /* sfc.io/sfc-aware: "false" -> 1 */
	/* sfc.io/allowed-sources as sfc_allowed_src keys (vpid 0) */
	int n_allowed_src;
	struct sfc_src_key allowed_src[SFC_MAX_ALLOWED_SOURCES];
};

/**
 * sfc_pod_lookup() - annotations of pod @ns/@name ("" = "default") from
 * <@conf_dir>/pods.d (sfc_pods_load(), sfc_pod_find()). A malformed file
 * concerns only the pod it belongs to.
 * Return: 0 (fields "" when the pod has no object or no annotation);
 * -EINVAL with @err "<path>: <reason>" when the pod's object is there but
 * cannot be used; -errno when pods.d cannot be read.
 */
int sfc_pod_lookup(const char *conf_dir, const char *ns, const char *name,
		   struct sfc_pod_info *out, char *err, size_t errlen);

/* A ServiceChain (<conf_dir>/chains.d/<file>.json). */
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
	uint32_t spi;                /* SPI of the forward SFP; reverse is spi+1 */
};

/** sfc_chain_parse() - parse one ServiceChain JSON text.
 *  Return: 0 or -EINVAL with @err naming the field. */
int sfc_chain_parse(const char *json, struct sfc_chain *out, char *err,
		    size_t errlen);

/** sfc_chain_spi() - stable SPI of the forward SFP of chain @name
 *  (even, 2..SFC_SPI_MAX-1; the reverse SFP uses spi + 1). */
uint32_t sfc_chain_spi(const char *name);

/** sfc_chain_rev_spi() - SPI of the reverse SFP of @c (replies of the
 *  symmetric chain): @c->spi + 1. */
uint32_t sfc_chain_rev_spi(const struct sfc_chain *c);

/** sfc_role_name() - "app", "sf" or "none" for an enum sfc_role value. */
const char *sfc_role_name(uint32_t role);
/** sfc_fail_policy_name() - "fail-closed" or "fail-open". */
const char *sfc_fail_policy_name(uint32_t policy);

/* One Pod object (standalone: one file of <conf_dir>/pods.d) and whether
 * it can be used. An unusable object concerns only its own pod: the
 * compilers leave that pod's policy as it is and its SF instance out of
 * its group; sfc-cni ADD of that pod fails. */
struct sfc_pod {
	char ns[SFC_NAME_MAX];       /* metadata.namespace, "default" if absent */
	char name[254];              /* metadata.name ("" when unreadable) */
	struct sfc_pod_info info;    /* sfc.io annotations; zero unless status 0 */
	char file[256];              /* base name of the file it came from */
	int status;                  /* 0, or -errno: the object is not usable */
	char error[512];             /* why, when status != 0 */
};

/** sfc_pod_parse() - parse one Pod JSON text (kind Pod).
 *  Return: 0 or -EINVAL with @err naming the field. */
int sfc_pod_parse(const char *json, struct sfc_pod *out, char *err,
		  size_t errlen);

/**
 * sfc_pods_load() - one entry per <@conf_dir>/pods.d/<*>.json, sorted by
 * file name. A file that cannot be read or parsed is an entry with status
 * -errno and error "<path>: <field>: <reason>", and with the namespace and
 * name when the parse got that far; it is not a failure of the call.
 * *@out is malloc'd (caller frees; NULL when *@n is 0).
 * Return: 0 or -errno when the directory cannot be read.
 */
int sfc_pods_load(const char *conf_dir, struct sfc_pod **out, int *n);

/**
 * sfc_pod_find() - the entry of pod @ns/@name in @pods: a usable one if
 * there is one, else an unusable one that belongs to it (by the identity
 * it names or, naming none, by its file name "<ns>_<name>.json", the one
 * the store gives it); NULL when the pod has no object. Check ->status.
 */
const struct sfc_pod *sfc_pod_find(const struct sfc_pod *pods, int n,
				   const char *ns, const char *name);

/* One ServiceChain object (standalone: one file of <conf_dir>/chains.d)
 * and what became of it. */
struct sfc_chain_entry {
	struct sfc_chain chain;      /* name (and spi) set when name_known */
	char file[256];              /* base name in chains.d */
	int name_known;              /* the chain's name is known: its
				      * metadata.name or, for a file that
				      * names none, "<name>.json" */
	int status;                  /* 0 ok, or -errno (parse, compile, SPI) */
	char error[512];             /* why, when status != 0 */
};

/**
 * sfc_chains_load() - parse every <@conf_dir>/chains.d/<*>.json, sorted by
 * file name; duplicate chain names are flagged on the later file (-EEXIST).
 * *@out is malloc'd (caller frees). Parse failures are per entry (status,
 * error "<path>: <field>: <reason>"), not a failure of the call. A file
 * too broken to name its chain is taken as chain <name> of its file name
 * "<name>.json" (the one the store gives it) unless another file defines
 * that chain, so the chain keeps its last programmed maps.
 * Return: 0 or -errno when the directory cannot be read.
 */
int sfc_chains_load(const char *conf_dir, struct sfc_chain_entry **out,
		    int *n);

/**
 * sfc_rule_format() - text forms of a compiled/parsed rule, for display:
 * @proto ("tcp", "any", ...), @cidr ("" = any), @ports ("" = any, "80",
 * "5000-5100"). Buffers: proto >= 8, cidr >= 64, ports >= 16 bytes.
 */
void sfc_rule_format(const struct sfc_rule *r, char *proto, char *cidr,
		     char *ports);

/* ---- Compilers: pure functions, no BPF (compile.c, groups.c) ---- */

/* Classifier rules of one chain, per direction (enum sfc_dir). */
struct sfc_rule_set {
	int n[SFC_DIR_MAX];
	struct sfc_rule rules[SFC_DIR_MAX][SFC_MAX_RULES];
};

/**
 * sfc_compile_rules() - the match list of @c as classifier rules: egress
 * and ingress matches alike get @c->spi (the forward SFP; replies take the
 * reverse SFP through the flow table); a chain with no match list gets one
 * egress rule matching everything. First match wins, in file order.
 */
void sfc_compile_rules(const struct sfc_chain *c, struct sfc_rule_set *out);

/** sfc_chain_has_ingress() - does @c have any ingress match? */
int sfc_chain_has_ingress(const struct sfc_chain *c);

/* One SF group (sfc_groups[id]): the instances of one SF type. */
struct sfc_group_entry {
	uint32_t id;                 /* 1..SFC_MAX_GROUPS-1 */
	char function[SFC_NAME_MAX]; /* the SF type */
	struct sfc_group grp;        /* members in VPID order */
};

/** sfc_group_id_pref() - preferred group id of SF type @type (FNV-1a of
 *  the name, 1..SFC_MAX_GROUPS-1); collisions probe upwards. */
uint32_t sfc_group_id_pref(const char *type);

/**
 * sfc_compile_groups() - one SF group per distinct type in @types (empty
 * strings and duplicates ignored): its members are the SF endpoints of
 * @eps with that function, in VPID order, flagged SFC_MEMBER_F_UNAWARE
 * when their pod (in @pods) is annotated sfc.io/sfc-aware: "false". An
 * SF endpoint whose pod object is unusable (status != 0) is no member:
 * whether it speaks NSH is unknown. Group
 * ids are stable: sfc_group_id_pref(), probing upwards in sorted type
 * order on a collision. A type with no instance gets a group with no
 * members. *@out is malloc'd (caller frees; NULL when *@n is 0).
 * Return: 0; -E2BIG (reported in @err, groups still filled) when a type
 * has more than SFC_GROUP_MAX_MEMBERS instances -- the lowest VPIDs serve;
 * -ENOSPC with too many types; -ENOMEM.
 */
int sfc_compile_groups(const char *const *types, int n_types,
		       const struct sfc_ep_record *eps, int n_eps,
		       const struct sfc_pod *pods, int n_pods,
		       struct sfc_group_entry **out, int *n, char *err,
		       size_t errlen);

/** sfc_group_find() - the group of SF type @type in @g, or NULL. */
const struct sfc_group_entry *sfc_group_find(const struct sfc_group_entry *g,
					     int n, const char *type);
/** sfc_group_by_id() - the group with id @id in @g, or NULL. */
const struct sfc_group_entry *sfc_group_by_id(const struct sfc_group_entry *g,
					      int n, uint32_t id);

/* One sfc_paths entry: key SFC_SP(spi, si) -> hop. */
struct sfc_path_entry {
	uint32_t sp;
	struct sfc_hop hop;
};
/* Entries one chain compiles to: forward and reverse SFP of n SF hops + END. */
#define SFC_CHAIN_MAX_ENTRIES (2 * (SFC_MAX_CHAIN_SFS + 1))

/**
 * sfc_compile_paths() - the two SFPs of chain @c (RFC 8300 section 2.3: SI
 * starts at 255 and counts down one per SF). Forward SFP @c->spi: hop i at
 * SI 255 - i points at the group of SF type @c->sfs[i] (in @groups), SI
 * 255 - n is SFC_HOP_END. Reverse SFP sfc_chain_rev_spi(@c): the same
 * groups in reverse order (its hop i is forward hop n-1-i), then END --
 * the path replies take, so they traverse the same SFs (and, through the
 * flow table, the same instances) backwards. The chain's failure policy
 * is copied into every hop. @out holds SFC_CHAIN_MAX_ENTRIES entries; *@n
 * is set (forward entries first).
 * Return: 0; -ENOENT with @err "chain X: SF type Y has no instance" when a
 * type has no group or an empty one -- @out is still filled, with such
 * hops SFC_HOP_F_DOWN, so the dataplane applies the failure policy.
 */
int sfc_compile_paths(const struct sfc_chain *c,
		      const struct sfc_group_entry *groups, int n_groups,
		      struct sfc_path_entry *out, int *n, char *err,
		      size_t errlen);

/**
 * sfc_policy_build() - an sfc_policy value from @n rules.
 * Return: 0, -E2BIG when @n > SFC_MAX_RULES, -EINVAL when @n < 0.
 */
int sfc_policy_build(const struct sfc_rule *rules, int n,
		     struct sfc_policy *out);

/* One sfc_policy entry. */
struct sfc_policy_entry {
	struct sfc_policy_key key;
	struct sfc_policy pol;
};

/**
 * sfc_compile_policy() - classifier policies of every app endpoint in @eps
 * whose pod (from @pods) is annotated sfc.io/chain with a chain of
 * @chains whose status is 0: one entry per direction that has rules.
 * Pods naming an unknown or failed chain are reported in @err and get no
 * entry; their VPIDs go to @keep (when the chain's file exists but is
 * broken, so the last good policy stays) -- @keep holds n_eps entries, may
 * be NULL. App endpoints whose pod object is unusable get no entry and go
 * to @keep too, unreported (the object's problem is its loader's to
 * report). *@out is malloc'd (caller frees).
 * Return: 0, -EINVAL when some pod was reported (others still compiled),
 * -ENOMEM.
 */
int sfc_compile_policy(const struct sfc_chain_entry *chains, int n_chains,
		       const struct sfc_ep_record *eps, int n_eps,
		       const struct sfc_pod *pods, int n_pods,
		       struct sfc_policy_entry **out, int *n,
		       uint32_t *keep, int *n_keep, char *err, size_t errlen);

/* ---- Plan and apply (plan.c, apply.c) ---- */

/* The objects a plan is compiled from, whatever their source: the files
 * under the conf and state dirs (sfc_plan_load()), or the API server. */
struct sfc_objects {
	const struct sfc_chain_entry *chains; /* with their load status */
	int n_chains;
	const struct sfc_pod *pods;           /* with their load status */
	int n_pods;
	const struct sfc_ep_record *eps;      /* this node's endpoints */
	int n_eps;
};

/* The objects (copied, owned) and the map contents they compile to. */
struct sfc_plan {
	struct sfc_chain_entry *chains;
	int n_chains;
	struct sfc_ep_record *eps;
	int n_eps;
	struct sfc_pod *pods;
	int n_pods;
	struct sfc_group_entry *groups; /* one per SF type named by a chain */
	int n_groups;
	struct sfc_path_entry *paths;
	int n_paths;
	uint32_t *fwd_spi;       /* forward SPIs programmed: sfc_rev_spi[spi] = spi+1 */
	int n_fwd_spi;
	struct sfc_policy_entry *pols;
	int n_pols;
	uint32_t *keep_spi;      /* forward SPIs of broken chain files: untouched */
	int n_keep_spi;
	uint32_t *keep_vpid;     /* app VPIDs whose policy stays untouched */
	int n_keep_vpid;
	int n_errors;
};

/**
 * sfc_plan_compile() - compile @in into @p (no I/O, no BPF): copies of the
 * objects, SPI collisions flagged, SF groups, both SFPs of every usable
 * chain, the policies of this node's app endpoints, and what to leave as
 * it is (chains and pods whose object is broken keep their last
 * programmed maps). Every problem -- an unusable chain or pod object as
 * given, or one found compiling -- is appended to @err ("; "-separated)
 * and counted in @p->n_errors; per-chain status is in @p->chains[].
 * Return: 0 (also with problems) or -ENOMEM. Free with sfc_plan_free()
 * in both cases.
 */
int sfc_plan_compile(const struct sfc_objects *in, struct sfc_plan *p,
		     char *err, size_t errlen);

/**
 * sfc_plan_load() - the standalone source: read <@conf_dir>/chains.d,
 * pods.d (sfc_chains_load(), sfc_pods_load()) and <@state_dir>/endpoints
 * (sfc_state_list()) and sfc_plan_compile() them.
 * Return: 0 (also with problems, see sfc_plan_compile()) or -errno when a
 * directory cannot be read. Free with sfc_plan_free() in both cases.
 */
int sfc_plan_load(const char *conf_dir, const char *state_dir,
		  struct sfc_plan *p, char *err, size_t errlen);

/**
 * sfc_plan_unknown_chain() - the name of the chain @ep's pod names in
 * sfc.io/chain when @p has no chain object of that name (usable or not),
 * for an app endpoint whose pod object is usable; else NULL. Points into @p.
 */
const char *sfc_plan_unknown_chain(const struct sfc_plan *p,
				   const struct sfc_ep_record *ep);

/**
 * sfc_plan_drop_unknown_chains() - fail closed (cluster mode): every app
 * endpoint for which sfc_plan_unknown_chain() names a chain gets one
 * egress policy entry whose single rule matches everything into
 * SFC_SPI_NO_CHAIN (sfc_common.h), so the classifier drops its traffic
 * ("no-chain" in sfc_drops) until the chain exists. Standalone mode does
 * not call it (such a pod's traffic is left unchained there).
 * Return: the number of endpoints given the drop rule, or -ENOMEM.
 */
int sfc_plan_drop_unknown_chains(struct sfc_plan *p);

/** sfc_plan_free() - free what @p holds and zero it. */
void sfc_plan_free(struct sfc_plan *p);

/**
 * sfc_reconcile() - the standalone reconcile: under sfc_dp_lock(),
 * sfc_plan_load() from @conf_dir and @state_dir and sfc_plan_apply() to
 * the maps pinned under @pin_dir. Problems (unusable objects, a chain
 * that cannot be compiled: unknown SF type, no instance) are reported in
 * @err; the rest still applies.
 * Return: 0; -EINVAL when there were problems (the rest programmed);
 * -errno else (-ENOENT: no dataplane under @pin_dir).
 */
int sfc_reconcile(const char *conf_dir, const char *state_dir,
		  const char *pin_dir, char *err, size_t errlen);

/** sfc_plan_chain_by_spi() - the ok-or-failed chain entry owning SPI @spi
 *  (egress or ingress), or NULL. */
const struct sfc_chain_entry *sfc_plan_chain_by_spi(const struct sfc_plan *p,
						    uint32_t spi);

/** sfc_plan_endpoint() - the record of VPID @vpid in @p, or NULL. */
const struct sfc_ep_record *sfc_plan_endpoint(const struct sfc_plan *p,
					      uint32_t vpid);

struct sfc_dp;
/**
 * sfc_plan_apply() - make sfc_groups, sfc_paths, sfc_rev_spi and
 * sfc_policy equal to @p: groups first (a hop never points at an
 * unwritten group), then paths and reverse SPIs, then policies; entries
 * not in @p are deleted (groups emptied) except those of @p->keep_* and
 * groups still referenced by a kept path. sfc_allowed_src becomes the
 * sfc.io/allowed-sources prefixes of every endpoint's pod. Instance
 * up/down (sfc_sf_state) is sfc-agent's and not touched.
 * Caller holds sfc_dp_lock(). Return: 0 or the first -errno.
 */
int sfc_plan_apply(const struct sfc_plan *p, struct sfc_dp *dp);

/* ---- Standalone object store (dataplane/control/store.c) ---- */

/**
 * sfc_store_apply() - validate the ServiceChain or Pod JSON @json and
 * write it atomically to <@conf_dir>/chains.d/<name>.json or
 * pods.d/<ns>_<name>.json, removing other files that hold the same object.
 * @kind_out (may be NULL) receives "ServiceChain" or "Pod"; @id_out (>= 320
 * bytes, may be NULL) the object name ("ns/name" for pods).
 * Return: 0, -EINVAL with @err naming the field, -errno.
 */
int sfc_store_apply(const char *conf_dir, const char *json, char *kind_out,
		    char *id_out, char *err, size_t errlen);

/** sfc_store_delete_chain() - remove every chains.d file of chain @name.
 *  Return: 0, -ENOENT when there was none, -errno. */
int sfc_store_delete_chain(const char *conf_dir, const char *name);

/** sfc_store_delete_pod() - remove every pods.d file of pod @ns/@name.
 *  Return: 0, -ENOENT when there was none, -errno. */
int sfc_store_delete_pod(const char *conf_dir, const char *ns,
			 const char *name);

/* ---- Cluster snapshot (snapshot.c) ---- */

/* <state_dir>/SFC_SNAPSHOT_FILE: the objects sfc-agent compiled last in
 * cluster mode (the API server's ServiceChains and pods), for sfcctl. */
#define SFC_SNAPSHOT_FILE "cluster-objects.json"

struct cJSON;

/**
 * sfc_chain_object() - ServiceChain object @obj (of the API server, or of
 * a snapshot) as an sfc_chain_entry, parsed by sfc_chain_parse() (status
 * and the other fields the API server adds are not the parser's
 * business). A spec that does not parse keeps the object's name
 * (name_known), so the chain keeps its last programmed maps, as a broken
 * standalone file does; ->file is "servicechain/NAME".
 * @e: ->status -errno and ->error "servicechain NAME: <reason>" on failure.
 * Return: 0 or the parse's -errno (-ENOMEM included).
 */
int sfc_chain_object(const struct cJSON *obj, struct sfc_chain_entry *e);

/* One chain of a snapshot, as the writer gives it. */
struct sfc_snapshot_chain {
	const struct cJSON *object;  /* the ServiceChain (name, generation
				      * and spec are kept) */
	const char *ready;           /* this node's Ready: "True", "False" */
	const char *reason;          /* CamelCase, e.g. Compiled, NoInstances */
	const char *message;
};

/**
 * sfc_snapshot_write() - write the snapshot of node @node: @n_chains
 * @chains and the @n_pods pod objects @pods (as compiled, with their
 * status) to <@state_dir>/SFC_SNAPSHOT_FILE, atomically (temp + rename;
 * not fsync'd: the maps it describes do not survive a reboot either).
 * @state_dir must exist (it is not made here).
 * @last (may be NULL): hash of the text written last; nothing is written
 * when it is unchanged, else it is updated.
 * Return: 0 or -errno.
 */
int sfc_snapshot_write(const char *state_dir, const char *node,
		       const struct sfc_snapshot_chain *chains, int n_chains,
		       const struct sfc_pod *pods, int n_pods, uint64_t *last);

/* A chain's Ready condition on the node, as the snapshot has it. */
struct sfc_chain_ready {
	long long generation;        /* metadata.generation, 0 if none */
	char ready[8];               /* "True", "False" */
	char reason[64];
	char message[512];
};

/* A snapshot as read back (owned arrays). */
struct sfc_snapshot {
	char path[4096];
	char node[254];
	long long mtime;             /* when it was written (unix seconds) */
	struct sfc_chain_entry *chains; /* parsed as sfc_chain_object() does */
	struct sfc_chain_ready *ready;  /* ready[i] is chains[i]'s */
	int n_chains;
	struct sfc_pod *pods;
	int n_pods;
};

/**
 * sfc_snapshot_read() - read <@state_dir>/SFC_SNAPSHOT_FILE into @s.
 * Return: 0; -ENOENT when there is none (standalone mode); -EINVAL with
 * @err "<path>: <field>" when it is malformed; -errno. @s is empty on
 * failure; free it with sfc_snapshot_free() after success.
 */
int sfc_snapshot_read(const char *state_dir, struct sfc_snapshot *s,
		      char *err, size_t errlen);

/** sfc_snapshot_free() - free what @s holds and empty it. */
void sfc_snapshot_free(struct sfc_snapshot *s);

#endif /* SFC_CONTROL_H */
