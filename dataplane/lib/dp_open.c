// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * dp_open.c - open / close the pinned maps of an initialised node.
 */
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "sfc_dp.h"
#include "dp_internal.h"

static int sfc_dp_open_map(const char *pin_dir, const char *name, int *fd)
{
	char path[PATH_MAX];
	int err;

	err = sfc_dp_path(path, sizeof(path), pin_dir, NULL, name);
	if (err)
		return err;
	*fd = bpf_obj_get(path);
	return *fd < 0 ? -errno : 0;
}

/* Is @name in the NULL-terminated @only (NULL: every map)? sfc_meta always
 * is: it carries the layout version every open checks. */
static bool sfc_dp_wanted(const char *name, const char *const *only)
{
	if (!only || !strcmp(name, SFC_MAP_META))
		return true;
	for (; *only; only++)
		if (!strcmp(name, *only))
			return true;
	return false;
}

static int sfc_dp_open_some(const char *pin_dir, struct sfc_dp *dp,
			    const char *const *only)
{
	const struct {
		const char *name;
		int *fd;
	} maps[] = {
		{ SFC_MAP_META, &dp->meta_fd },
		{ SFC_MAP_ENDPOINTS, &dp->endpoints_fd },
		{ SFC_MAP_IFINDEX, &dp->ifindex_fd },
		{ SFC_MAP_EP_BY_IP, &dp->ep_by_ip_fd },
		{ SFC_MAP_POLICY, &dp->policy_fd },
		{ SFC_MAP_PATHS, &dp->paths_fd },
		{ SFC_MAP_HOP_STATS, &dp->hop_stats_fd },
		{ SFC_MAP_DROPS, &dp->drops_fd },
		{ SFC_MAP_SF_HEALTH, &dp->sf_health_fd },
		{ SFC_MAP_GROUPS, &dp->groups_fd },
		{ SFC_MAP_SF_STATE, &dp->sf_state_fd },
		{ SFC_MAP_SF_STATS, &dp->sf_stats_fd },
		{ SFC_MAP_REV_SPI, &dp->rev_spi_fd },
		{ SFC_MAP_FLOWS, &dp->flows_fd },
		{ SFC_MAP_FLOW_TUPLES, &dp->flow_tuples_fd },
		{ SFC_MAP_PROXY, &dp->proxy_fd },
		{ SFC_MAP_ALLOWED_SRC, &dp->allowed_src_fd },
		{ SFC_MAP_SF_PROG, &dp->sf_prog_fd },
		{ SFC_MAP_CTRL_STATS, &dp->ctrl_stats_fd },
		{ SFC_MAP_FLOW_COUNTS, &dp->flow_counts_fd },
		{ SFC_MAP_FLOW_NAT, &dp->flow_nat_fd },
	};
	struct sfc_meta meta = {};
	__u32 key = 0;
	size_t i;
	int err;

	memset(dp, 0, sizeof(*dp));
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		*maps[i].fd = -1;
	if (snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s", pin_dir) >=
	    (int)sizeof(dp->pin_dir))
		return -ENAMETOOLONG;
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		if (!sfc_dp_wanted(maps[i].name, only))
			continue;
		err = sfc_dp_open_map(pin_dir, maps[i].name, maps[i].fd);
		if (err)
			goto cleanup;
	}
	if (bpf_map_lookup_elem(dp->meta_fd, &key, &meta)) {
		err = -errno;
		goto cleanup;
	}
	err = meta.layout_version == SFC_LAYOUT_VERSION ? 0 : -EPROTO;
cleanup:
	if (err)
		sfc_dp_close(dp);
	return err;
}

int sfc_dp_open(const char *pin_dir, struct sfc_dp *dp)
{
	return sfc_dp_open_some(pin_dir, dp, NULL);
}

int sfc_dp_open_endpoints(const char *pin_dir, struct sfc_dp *dp)
{
	/* Every map dp_endpoint.c and dp_source.c touch. */
	static const char *const maps[] = {
		SFC_MAP_ENDPOINTS, SFC_MAP_IFINDEX, SFC_MAP_EP_BY_IP,
		SFC_MAP_ALLOWED_SRC, SFC_MAP_POLICY, SFC_MAP_SF_HEALTH, NULL,
	};

	return sfc_dp_open_some(pin_dir, dp, maps);
}

void sfc_dp_close(struct sfc_dp *dp)
{
	int *fds[] = {
		&dp->meta_fd,	  &dp->endpoints_fd, &dp->ifindex_fd,
		&dp->ep_by_ip_fd, &dp->policy_fd,    &dp->paths_fd,
		&dp->hop_stats_fd, &dp->drops_fd,    &dp->sf_health_fd,
		&dp->groups_fd,	  &dp->sf_state_fd,  &dp->sf_stats_fd,
		&dp->rev_spi_fd,  &dp->flows_fd,     &dp->flow_tuples_fd,
		&dp->proxy_fd,	  &dp->allowed_src_fd, &dp->sf_prog_fd,
		&dp->ctrl_stats_fd, &dp->flow_counts_fd, &dp->flow_nat_fd,
	};
	size_t i;

	if (!dp)
		return;
	/* fd 0 is what a zeroed struct holds: never ours to close. */
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] > 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}
