// SPDX-License-Identifier: GPL-2.0-only
//
// sfc-cnitool - a small container-runtime stand-in built on libcni (the
// library containerd and CRI-O use), in the spirit of the reference cnitool,
// so the end-to-end tests drive sfc-cni exactly the way a real runtime does:
// conflists loaded from a directory (libcni.LoadConfList), plugins chained
// with prevResult, results cached and handed back to CHECK/DEL, and runtime
// values (portMappings, ips, mac) passed as RuntimeConf.CapabilityArgs, which
// libcni injects as "runtimeConfig" into the plugins that declare the
// capability.
//
// Built in GOPATH mode against Debian's golang-github-appc-cni-dev (libcni
// 1.1.2): no module downloads. libcni 1.1.2 predates CNI 1.1, so it has no
// GCNetworkList / GetStatusNetworkList; "gc" and "status" are implemented
// here the way libcni 1.2 does them (see cmdGC, cmdStatus).
//
// Usage:
//
//	sfc-cnitool [flags] add|check|del NETNAME NETNS_PATH
//	sfc-cnitool [flags] gc|status NETNAME
//
// Output: add prints the list's result JSON on stdout. Errors go to stderr
// as "sfc-cnitool: CMD: ..." and, for a plugin error, the CNI error object
// as one JSON line "cni-error: {...}"; the exit status is then 1.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"
)

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// portMapping is the "portMappings" capability entry, as containerd's
// go-cni (WithCapabilityPortMap) and CRI-O pass it.
type portMapping struct {
	HostPort      int    `json:"hostPort"`
	ContainerPort int    `json:"containerPort"`
	Protocol      string `json:"protocol"`
	HostIP        string `json:"hostIP,omitempty"`
}

// gcAttachment is one entry of "cni.dev/valid-attachments" (CNI 1.1 GC).
type gcAttachment struct {
	ContainerID string `json:"containerID"`
	IfName      string `json:"ifname"`
}

type options struct {
	confDir, path, cacheDir, ifName, cid, args, capJSON, mac, gcVersion string
	ports, ips, valid                                                  listFlag
}

func main() {
	var o options
	fs := flag.NewFlagSet("sfc-cnitool", flag.ExitOnError)
	fs.StringVar(&o.confDir, "confdir", envOr("NETCONFPATH", "/etc/cni/net.d"), "directory of *.conflist / *.conf")
	fs.StringVar(&o.path, "path", envOr("CNI_PATH", "/opt/cni/bin"), "plugin search path (colon-separated)")
	fs.StringVar(&o.cacheDir, "cachedir", "", "libcni result cache dir (default libcni's /var/lib/cni)")
	fs.StringVar(&o.ifName, "ifname", envOr("CNI_IFNAME", "eth0"), "interface name in the pod")
	fs.StringVar(&o.cid, "cid", "", "container ID (default: derived from the netns path, like cnitool)")
	fs.StringVar(&o.args, "args", os.Getenv("CNI_ARGS"), "CNI_ARGS, K=V;K=V")
	fs.StringVar(&o.capJSON, "cap", os.Getenv("CAP_ARGS"), "extra capability args as a JSON object")
	fs.Var(&o.ports, "portmap", "HOSTPORT:CONTAINERPORT[/PROTO][@HOSTIP] (portMappings capability, repeatable)")
	fs.Var(&o.ips, "ip", "requested address CIDR (ips capability, repeatable)")
	fs.StringVar(&o.mac, "mac", "", "requested MAC (mac capability)")
	fs.Var(&o.valid, "valid", "CONTAINERID/IFNAME still valid, for gc (repeatable)")
	fs.StringVar(&o.gcVersion, "gc-version", "", "cniVersion to send GC/STATUS with (default: the list's)")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: sfc-cnitool [flags] add|check|del NETNAME NETNS | gc|status NETNAME\n")
		fs.PrintDefaults()
	}
	_ = fs.Parse(os.Args[1:])
	if fs.NArg() < 2 {
		fs.Usage()
		os.Exit(2)
	}
	if err := run(&o, fs.Arg(0), fs.Arg(1), fs.Arg(2)); err != nil {
		fmt.Fprintf(os.Stderr, "sfc-cnitool: %s: %v\n", fs.Arg(0), err)
		var ce *types.Error
		if errors.As(err, &ce) {
			b, _ := json.Marshal(ce)
			fmt.Fprintf(os.Stderr, "cni-error: %s\n", b)
		}
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// run loads the network list NETNAME from the conf dir and runs one command.
func run(o *options, cmd, netName, netns string) error {
	list, err := libcni.LoadConfList(o.confDir, netName)
	if err != nil {
		return fmt.Errorf("load %s from %s: %w", netName, o.confDir, err)
	}
	cninet := libcni.NewCNIConfigWithCacheDir(filepath.SplitList(o.path), o.cacheDir, nil)
	ctx := context.Background()
	switch cmd {
	case "gc":
		return cmdGC(ctx, cninet, o, list)
	case "status":
		return cmdStatus(ctx, cninet, o, list)
	case "add", "check", "del":
	default:
		return fmt.Errorf("unknown command")
	}
	rt, err := runtimeConf(o, netns)
	if err != nil {
		return err
	}
	switch cmd {
	case "add":
		res, err := cninet.AddNetworkList(ctx, list, rt)
		if err != nil {
			return err
		}
		return res.Print()
	case "check":
		return cninet.CheckNetworkList(ctx, list, rt)
	default:
		return cninet.DelNetworkList(ctx, list, rt)
	}
}

// runtimeConf builds the RuntimeConf a runtime would: container ID,
// netns, ifname, CNI_ARGS pairs and the capability args.
func runtimeConf(o *options, netns string) (*libcni.RuntimeConf, error) {
	if netns == "" && o.cid == "" {
		return nil, fmt.Errorf("need a netns path or -cid")
	}
	rt := &libcni.RuntimeConf{
		ContainerID:    o.cid,
		NetNS:          netns,
		IfName:         o.ifName,
		CapabilityArgs: map[string]interface{}{},
	}
	if rt.ContainerID == "" {
		rt.ContainerID = "cnitool-" + strings.ReplaceAll(strings.Trim(netns, "/"), "/", "-")
	}
	for _, kv := range strings.Split(o.args, ";") {
		if kv == "" {
			continue
		}
		p := strings.SplitN(kv, "=", 2)
		if len(p) != 2 {
			return nil, fmt.Errorf("bad CNI_ARGS pair %q", kv)
		}
		rt.Args = append(rt.Args, [2]string{p[0], p[1]})
	}
	if o.capJSON != "" {
		if err := json.Unmarshal([]byte(o.capJSON), &rt.CapabilityArgs); err != nil {
			return nil, fmt.Errorf("-cap: %w", err)
		}
	}
	if len(o.ports) > 0 {
		var pms []portMapping
		for _, s := range o.ports {
			pm, err := parsePortMap(s)
			if err != nil {
				return nil, err
			}
			pms = append(pms, pm)
		}
		rt.CapabilityArgs["portMappings"] = pms
	}
	if len(o.ips) > 0 {
		rt.CapabilityArgs["ips"] = []string(o.ips)
	}
	if o.mac != "" {
		rt.CapabilityArgs["mac"] = o.mac
	}
	return rt, nil
}

// parsePortMap parses HOSTPORT:CONTAINERPORT[/PROTO][@HOSTIP].
func parsePortMap(s string) (portMapping, error) {
	pm := portMapping{Protocol: "tcp"}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		pm.HostIP, s = s[i+1:], s[:i]
	}
	if i := strings.Index(s, "/"); i >= 0 {
		pm.Protocol, s = s[i+1:], s[:i]
	}
	p := strings.SplitN(s, ":", 2)
	if len(p) != 2 {
		return pm, fmt.Errorf("-portmap %q: want HOSTPORT:CONTAINERPORT", s)
	}
	var err1, err2 error
	pm.HostPort, err1 = strconv.Atoi(p[0])
	pm.ContainerPort, err2 = strconv.Atoi(p[1])
	if err1 != nil || err2 != nil {
		return pm, fmt.Errorf("-portmap %q: bad port", s)
	}
	return pm, nil
}

// cachedAttachment is the part of libcni's result cache entry gc needs.
type cachedAttachment struct {
	ContainerID    string                 `json:"containerId"`
	IfName         string                 `json:"ifName"`
	NetworkName    string                 `json:"networkName"`
	CniArgs        [][2]string            `json:"cniArgs,omitempty"`
	CapabilityArgs map[string]interface{} `json:"capabilityArgs,omitempty"`
}

// cmdGC does what libcni 1.2's GCNetworkList does: DEL every cached
// attachment of this network that is not in -valid, then, for a list of
// cniVersion >= 1.1.0, send GC with "cni.dev/valid-attachments" to each
// plugin. libcni 1.1.2 caches no netns path, so the stale DELs run with an
// empty CNI_NETNS, which the spec allows for DEL.
func cmdGC(ctx context.Context, c *libcni.CNIConfig, o *options, list *libcni.NetworkConfigList) error {
	valid := []gcAttachment{}
	isValid := map[gcAttachment]bool{}
	for _, v := range o.valid {
		p := strings.SplitN(v, "/", 2)
		if len(p) != 2 {
			return fmt.Errorf("-valid %q: want CONTAINERID/IFNAME", v)
		}
		a := gcAttachment{p[0], p[1]}
		valid = append(valid, a)
		isValid[a] = true
	}
	cacheDir := o.cacheDir
	if cacheDir == "" {
		cacheDir = libcni.CacheDir
	}
	files, _ := filepath.Glob(filepath.Join(cacheDir, "results", "*"))
	var errs []string
	for _, f := range files {
		var ca cachedAttachment
		b, err := ioutil.ReadFile(f)
		if err != nil || json.Unmarshal(b, &ca) != nil || ca.NetworkName != list.Name {
			continue
		}
		if isValid[gcAttachment{ca.ContainerID, ca.IfName}] {
			continue
		}
		rt := &libcni.RuntimeConf{ContainerID: ca.ContainerID, IfName: ca.IfName,
			Args: ca.CniArgs, CapabilityArgs: ca.CapabilityArgs}
		if err := c.DelNetworkList(ctx, list, rt); err != nil {
			errs = append(errs, fmt.Sprintf("del %s/%s: %v", ca.ContainerID, ca.IfName, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return sendToEach(ctx, c, o, list, "GC", map[string]interface{}{"cni.dev/valid-attachments": valid})
}

// cmdStatus does what libcni 1.2's GetStatusNetworkList does: STATUS to
// each plugin of a list of cniVersion >= 1.1.0; the first error is returned.
func cmdStatus(ctx context.Context, c *libcni.CNIConfig, o *options, list *libcni.NetworkConfigList) error {
	return sendToEach(ctx, c, o, list, "STATUS", nil)
}

// sendToEach sends a config-only command (GC, STATUS) to every plugin of
// the list with name and cniVersion injected, as libcni 1.2 does. Lists
// below 1.1.0 get nothing (a note on stderr): those commands do not exist
// there. -gc-version overrides the version sent, since this libcni cannot
// parse 1.1.0 ADD results and so the test lists stay at 1.0.0; with it,
// plugins whose VERSION does not list that version are skipped.
func sendToEach(ctx context.Context, c *libcni.CNIConfig, o *options, list *libcni.NetworkConfigList,
	cmd string, extra map[string]interface{}) error {
	ver := list.CNIVersion
	if o.gcVersion != "" {
		ver = o.gcVersion
	}
	if ok, err := version.GreaterThanOrEqualTo(ver, "1.1.0"); err != nil || !ok {
		fmt.Fprintf(os.Stderr, "sfc-cnitool: %s not sent: cniVersion %s < 1.1.0\n", cmd, ver)
		return nil
	}
	inject := map[string]interface{}{"name": list.Name, "cniVersion": ver}
	for k, v := range extra {
		inject[k] = v
	}
	for _, p := range list.Plugins {
		conf, err := libcni.InjectConf(p, inject)
		if err != nil {
			return err
		}
		path, err := invoke.FindInPath(p.Network.Type, c.Path)
		if err != nil {
			return err
		}
		if o.gcVersion != "" && !pluginSupports(ctx, c, p.Network.Type, ver) {
			// A list really at 1.1.0 would only hold plugins that speak
			// it; with the override, older plugins (e.g. portmap 1.1.1)
			// are left out instead of failing on a command they lack.
			fmt.Fprintf(os.Stderr, "sfc-cnitool: %s not sent to %s: it does not support %s\n",
				cmd, p.Network.Type, ver)
			continue
		}
		args := &invoke.Args{Command: cmd, Path: strings.Join(c.Path, ":")}
		if err := invoke.ExecPluginWithoutResult(ctx, path, conf.Bytes, args, nil); err != nil {
			return fmt.Errorf("%s %s: %w", cmd, p.Network.Type, err)
		}
	}
	return nil
}

// pluginSupports reports whether plugin @typ lists @ver in its VERSION.
func pluginSupports(ctx context.Context, c *libcni.CNIConfig, typ, ver string) bool {
	info, err := c.GetVersionInfo(ctx, typ)
	if err != nil {
		return false
	}
	for _, v := range info.SupportedVersions() {
		if v == ver {
			return true
		}
	}
	return false
}
