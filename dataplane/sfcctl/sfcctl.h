/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sfcctl.h - shared bits of the sfcctl subcommands.
 */
#ifndef SFCCTL_H
#define SFCCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sfc_control.h"
#include <cjson/cJSON.h>

#define SFCCTL_MAX_ARGS 16

struct sfcctl {
	const char *conf_dir;
	const char *state_dir;
	const char *pin_dir;
	const char *file;      /* -f */
	bool json;             /* -o json */
	int argc;              /* positional arguments after the command words */
	const char *argv[SFCCTL_MAX_ARGS];
};

/* Subcommands: return the process exit code (0 ok, 1 error). Errors are
 * printed to stderr here, at the boundary, and nowhere else. */
int cmd_apply(struct sfcctl *c);
int cmd_delete(struct sfcctl *c);
int cmd_reconcile(struct sfcctl *c);
int cmd_get_endpoints(struct sfcctl *c);
int cmd_get_chains(struct sfcctl *c);
int cmd_get_pods(struct sfcctl *c);
int cmd_get_paths(struct sfcctl *c);
int cmd_get_counters(struct sfcctl *c);
int cmd_get_drops(struct sfcctl *c);
int cmd_flows(struct sfcctl *c);       /* get_flows.c */
int cmd_get_instances(struct sfcctl *c);
int cmd_get_flowcache(struct sfcctl *c);

/*
 * sfcctl_reconcile_after() - reconcile after a change to object @what
 * ("ServiceChain fw") and report; the object is stored either way.
 * Problems that name @subject ("chain NAME:" / "pod NS/NAME:": the object
 * just applied) fail the command; problems elsewhere (another chain, a pod
 * waiting for a chain not applied yet) are warnings: sfc-agent heals them
 * once fixed. @subject may be NULL (delete): warnings only. Returns the
 * exit code, 0 or 1 (cmd_apply.c).
 */
int sfcctl_reconcile_after(struct sfcctl *c, const char *what,
			   const char *subject);

/* Print "sfcctl: <msg>" to stderr; returns 1 (the exit code). */
int sfcctl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print @root as JSON to stdout and free it; returns 0 or 1. */
int sfcctl_print_json(cJSON *root);

/* Aligned text table: add a header then rows of @ncols strings. */
struct table;
struct table *table_new(int ncols, const char *const *headers);
void table_row(struct table *t, ...); /* ncols const char * */
void table_print(struct table *t);    /* prints and frees */

/* The output of a `get` view: @arr as JSON (-o json) if not NULL, else
 * table @t; frees whichever it prints. Returns the exit code, 0 or 1. */
int sfcctl_print(cJSON *arr, struct table *t);

/* Fill the zeroed @row from one map entry @key -> @val (map_rows.c). */
typedef void (*sfcctl_row_fill_fn)(void *row, const void *key,
				   const void *val, void *ctx);

/** sfcctl_map_rows() - one row of @size bytes per entry of BPF map @fd,
 * in the map's order, each zeroed and then filled by @fill(row, key, val,
 * @ctx). @key and @val are the caller's buffers of the map's key and
 * value size (the walk's scratch). An entry gone between its key and its
 * lookup is left out. *@out: malloc'd array of *@n rows, NULL when none;
 * the caller frees it. Return: 0 or -ENOMEM (then *@out NULL, *@n 0). */
int sfcctl_map_rows(int fd, void *key, void *val, size_t size,
		    sfcctl_row_fill_fn fill, void *ctx, void **out, int *n);

/* One line of `get endpoints`: a record joined with its sfc_endpoints
 * entry, or an entry no record accounts for (an orphan: @r NULL). */
struct sfcctl_ep_row {
	const struct sfc_ep_record *r; /* NULL for an orphan */
	uint32_t vpid;
	struct sfc_endpoint ep;        /* the map's entry, when in_map */
	bool in_map;                   /* sfc_endpoints holds the VPID */
	int n_ips;                     /* orphan: its sfc_ep_by_ip addresses */
	char ips[SFC_MAX_IPS][64];
};

/**
 * sfcctl_ep_rows() - the rows of `get endpoints`: one per record of @recs
 * (@n_recs), joined with sfc_endpoints (@endpoints_fd, an array of
 * SFC_MAX_ENDPOINTS; -1: no dataplane, nothing in the maps), then one per
 * sfc_endpoints entry in use (role not NONE) whose VPID no record has,
 * with its addresses from sfc_ep_by_ip (@ep_by_ip_fd, may be -1); sorted
 * by VPID. The rows point into @recs. *@out: malloc'd, NULL when *@n is 0;
 * the caller frees it. Return: 0 or -ENOMEM.
 */
int sfcctl_ep_rows(const struct sfc_ep_record *recs, int n_recs,
		   int endpoints_fd, int ep_by_ip_fd,
		   struct sfcctl_ep_row **out, int *n);

/* "aa:bb:cc:dd:ee:ff" of 6 bytes @mac into @buf (18 bytes). */
void sfcctl_fmt_mac(const uint8_t *mac, char *buf);

/* One sfc_paths entry as found in the map, with names resolved from the
 * objects this node programs (sfcctl_plan_load(); hop_info.c). */
struct sfc_dp;
struct sfc_plan;
struct hop_info {
	uint32_t spi, si;
	uint8_t kind, flags, policy;
	uint32_t group;     /* SF group (sfc_groups key) of an SF hop */
	char chain[64];     /* "" if no chain owns the SPI */
	const char *path;   /* "forward" (even SPI) / "reverse" (odd SPI) */
	char function[64];  /* SF type of the hop, "" for END */
	struct sfc_group grp; /* the group's members as programmed */
	uint32_t n_live;    /* members not marked down in sfc_sf_state */
};

/* Read every sfc_paths entry of @dp, sorted by (SPI, SI descending).
 * *@out malloc'd. Return: 0 or -errno. */
int hops_load(struct sfc_dp *dp, const struct sfc_plan *p,
	      struct hop_info **out, int *n);
const char *hop_kind_name(uint8_t kind);
/** hop_info_json() - a new JSON object with the identity of hop @h (spi,
 * si, chain, path, kind, function, group): the fields that
 * `get paths` and `get counters` share. Caller owns it. */
cJSON *hop_info_json(const struct hop_info *h);

/* A `get` view with one line per hop: `get paths`, `get counters`. */
struct hop_view {
	const char *cmd;           /* "get paths": names the view in errors */
	int ncols;
	const char *const *hdr;    /* @ncols table headers */
	/* The hop as a new JSON object (-o json), owned by the caller. */
	cJSON *(*json)(const struct hop_info *h, const struct sfc_plan *p,
		       struct sfc_dp *dp);
	/* The hop as one table row of @ncols cells. */
	void (*row)(struct table *t, const struct hop_info *h,
		    const struct sfc_plan *p, struct sfc_dp *dp);
};

/** hops_show() - run hop view @v: read every hop (hops_load(), names from
 * sfcctl_plan_load()) and print them, sorted by (SPI, SI
 * descending), as a JSON array (-o json) or a table. Return: the exit
 * code, 0 or 1 (the error printed). */
int hops_show(struct sfcctl *c, const struct hop_view *v);

/* "ns/name" of the endpoint record of @vpid in @p into @buf, "" if none. */
void sfcctl_pod_of(const struct sfc_plan *p, uint32_t vpid, char *buf,
		   size_t len);
/* Is SF instance @vpid marked down in sfc_sf_state? */
bool sfcctl_sf_down(struct sfc_dp *dp, uint32_t vpid);

/* Open the maps or print why not; returns 0 or the exit code 1. */
int sfcctl_open_dp(struct sfcctl *c, struct sfc_dp *dp, const char *cmd);

/* Where a view's objects came from (objects.c). */
struct sfcctl_src {
	bool cluster;              /* sfc-agent's cluster snapshot */
	struct sfc_snapshot snap;  /* cluster: its chains' Ready conditions */
};

/**
 * sfcctl_plan_load() - the plan of the objects this node programs: in
 * cluster mode (<state dir>/SFC_SNAPSHOT_FILE exists) the snapshot
 * sfc-agent wrote after its last reconcile, compiled with the endpoint
 * records as the agent compiles it (a pod naming a missing chain gets the
 * no-chain drop rule); else the conf dir's chains.d and pods.d
 * (sfc_plan_load()). The snapshot stays in @src (sfcctl_src_free()).
 * Return: 0 (also with problems in the objects, counted in the plan) or
 * -errno with @err: a directory that cannot be read, a malformed
 * snapshot. Free @p with sfc_plan_free() in both cases.
 */
int sfcctl_plan_load(const struct sfcctl *c, struct sfc_plan *p,
		     struct sfcctl_src *src, char *err, size_t errlen);
/**
 * sfcctl_standalone_only() - refuse command @cmd (apply, delete,
 * reconcile: they write and program the conf dir's objects) on a node
 * whose sfc-agent runs in cluster mode (<state dir>/SFC_SNAPSHOT_FILE
 * exists): that agent programs the API server's objects and ignores the
 * conf dir, so a chain stored there would never take effect, and a
 * reconcile from it would replace the agent's paths.
 * Return: 0 standalone, else 1 after saying why on stderr.
 */
int sfcctl_standalone_only(const struct sfcctl *c, const char *cmd);
/** sfcctl_src_free() - free what @src holds. */
void sfcctl_src_free(struct sfcctl_src *src);
/** sfcctl_src_note() - in cluster mode, say on stderr where the objects
 *  came from (the snapshot's path, node and age); nothing standalone. */
void sfcctl_src_note(const struct sfcctl_src *src);
/** sfcctl_chain_ready() - the Ready condition of chain @name in the
 *  snapshot of @src; NULL standalone or for no such chain. */
const struct sfc_chain_ready *sfcctl_chain_ready(const struct sfcctl_src *src,
						 const char *name);
/** sfcctl_chain_missing() - does usable pod object @pod name, in
 *  sfc.io/chain, a chain @p has no object of? (Cluster mode drops its
 *  traffic as no-chain; standalone leaves it unchained.) */
bool sfcctl_chain_missing(const struct sfc_plan *p, const struct sfc_pod *pod);

#endif /* SFCCTL_H */
