// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * dp_attach_tc.c - the tc hook mode: our program as a cls_bpf
 * direct-action filter on the clsact qdisc's ingress, through libbpf's
 * bpf_tc_* (netlink underneath), and the tcx probe that picks the mode.
 *
 * Why a second mode beside tcx: creating a tcx link swaps the hook's
 * program array and waits for an RCU grace period holding RTNL
 * (tcx_entry_sync(): 5-20 ms here, every other netlink user of the node
 * waiting too); a cls_bpf filter added to a fresh clsact publishes it
 * with mini_qdisc_pair_swap(), which waits for an expedited grace period
 * at most (0.04-0.12 ms measured). Kernels before 6.6 have no tcx at all.
 * The programs are the same (SEC("tc"), TCX_NEXT = TC_ACT_UNSPEC: the
 * next filter, then the stack). The filter has no pin: it dies with the
 * interface, and the interfaces carrying it are found by asking each one.
 */
#include <errno.h>
#include <net/if.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sfc_dp.h"
#include "dp_internal.h"

bool sfc_dp_tcx_supported(void)
{
	static int known; /* 0 unknown, 1 yes, 2 no */
	__u32 ids[1], cnt = 1, flags = 0;

	/*
	 * Loopback is ifindex 1 in every netns. A kernel without tcx knows
	 * no such attach type and answers EINVAL; with tcx the query of an
	 * empty hook succeeds.
	 */
	if (!known)
		known = bpf_prog_query(1, SFC_BPF_TCX_INGRESS, 0, &flags, ids,
				       &cnt) && errno == EINVAL ? 2 : 1;
	return known == 1;
}

static void sfc_tc_ids(int ifindex, struct bpf_tc_hook *hook,
		       struct bpf_tc_opts *opts)
{
	hook->ifindex = ifindex;
	hook->attach_point = BPF_TC_INGRESS;
	opts->handle = SFC_TC_HANDLE;
	opts->priority = SFC_TC_PRIO;
}

/* Add or replace our filter running @prog_fd; the clsact is there. */
static int sfc_tc_put(int ifindex, int prog_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook);
	LIBBPF_OPTS(bpf_tc_opts, opts);

	sfc_tc_ids(ifindex, &hook, &opts);
	opts.prog_fd = prog_fd;
	opts.flags = BPF_TC_F_REPLACE;
	return bpf_tc_attach(&hook, &opts);
}

int sfc_dp_tc_attach(const char *pin_dir, int ifindex, enum sfc_role role)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS);
	int prog_fd, err;
	bool created;

	if (ifindex <= 0)
		return -EINVAL;
	prog_fd = sfc_dp_role_prog(pin_dir, role);
	if (prog_fd < 0)
		return prog_fd;
	err = bpf_tc_hook_create(&hook);
	created = !err;
	if (err && err != -EEXIST)
		goto cleanup;
	err = sfc_tc_put(ifindex, prog_fd);
	if (err && created) {
		/* Ours alone: nothing else could use it yet. */
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
cleanup:
	close(prog_fd);
	return err;
}

int sfc_dp_tc_detach(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook);
	LIBBPF_OPTS(bpf_tc_opts, opts);
	int err;

	if (ifindex <= 0)
		return -EINVAL;
	sfc_tc_ids(ifindex, &hook, &opts);
	err = bpf_tc_detach(&hook, &opts);
	/* ENOENT: no such filter; EINVAL: no clsact; ENODEV: interface gone. */
	return err == -ENOENT || err == -EINVAL || err == -ENODEV ? 0 : err;
}

int sfc_dp_tc_prog_id(int ifindex, uint32_t *prog_id)
{
	LIBBPF_OPTS(bpf_tc_hook, hook);
	LIBBPF_OPTS(bpf_tc_opts, opts);
	int err;

	if (ifindex <= 0)
		return -EINVAL;
	sfc_tc_ids(ifindex, &hook, &opts);
	err = bpf_tc_query(&hook, &opts);
	if (err == -EINVAL || err == -ENODEV)
		return -ENOENT;
	if (!err)
		*prog_id = opts.prog_id;
	return err;
}

/* Call @fn(ifindex, @arg) for every interface of this netns whose filter
 * of ours runs one of the @n programs @ids. */
static void sfc_tc_each(const __u32 *ids, int n, void (*fn)(int ifindex, void *arg),
			void *arg)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	__u32 id;

	if (!ifs)
		return;
	for (i = ifs; i->if_index; i++) {
		if (sfc_dp_tc_prog_id((int)i->if_index, &id) || !id)
			continue;
		for (int j = 0; j < n; j++)
			if (id == ids[j]) {
				fn((int)i->if_index, arg);
				break;
			}
	}
	if_freenameindex(ifs);
}

static void sfc_tc_repoint(int ifindex, void *new_fd)
{
	sfc_tc_put(ifindex, *(int *)new_fd);
}

void sfc_dp_tc_relink(__u32 old_id, int new_fd)
{
	sfc_tc_each(&old_id, 1, sfc_tc_repoint, &new_fd);
}

static void sfc_tc_remove(int ifindex, void *arg)
{
	sfc_dp_tc_detach(ifindex);
}

void sfc_dp_tc_detach_all(const char *pin_dir)
{
	__u32 ours[SFC_NUM_PROGS];

	sfc_dp_our_prog_ids(pin_dir, ours);
	sfc_tc_each(ours, SFC_NUM_PROGS, sfc_tc_remove, NULL);
}
