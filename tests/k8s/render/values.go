// SPDX-License-Identifier: GPL-2.0-only

package main

import (
	"fmt"
	"io/ioutil"
	"strconv"
	"strings"

	yaml "gopkg.in/yaml.v2"
)

// normalize turns what yaml.v2 decodes (map[interface{}]interface{}) into
// map[string]interface{} all the way down, as Helm's values are: toJson and
// the template's map lookups need string keys.
func normalize(v interface{}) (interface{}, error) {
	switch t := v.(type) {
	case map[interface{}]interface{}:
		m := make(map[string]interface{}, len(t))
		for k, e := range t {
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("key %v: not a string", k)
			}
			n, err := normalize(e)
			if err != nil {
				return nil, fmt.Errorf("%s.%v", ks, err)
			}
			m[ks] = n
		}
		return m, nil
	case []interface{}:
		l := make([]interface{}, len(t))
		for i, e := range t {
			n, err := normalize(e)
			if err != nil {
				return nil, fmt.Errorf("[%d].%v", i, err)
			}
			l[i] = n
		}
		return l, nil
	}
	return v, nil
}

// readValues parses a values file; an empty file is an empty map.
func readValues(path string) (map[string]interface{}, error) {
	b, err := ioutil.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw interface{}
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if raw == nil {
		return map[string]interface{}{}, nil
	}
	n, err := normalize(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	m, ok := n.(map[string]interface{})
	if !ok {
		return nil, fmt.Errorf("%s: not a map of values", path)
	}
	return m, nil
}

// merge overlays src on dst as Helm coalesces user values over the
// chart's: maps merge key by key, anything else replaces, and a null in
// src deletes the key.
func merge(dst, src map[string]interface{}) {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
			continue
		}
		sm, sok := v.(map[string]interface{})
		dm, dok := dst[k].(map[string]interface{})
		if sok && dok {
			merge(dm, sm)
			continue
		}
		dst[k] = v
	}
}

// splitUnescaped splits s at every sep not preceded by a backslash and
// outside {...}; escapes of sep are kept for the next step to remove.
func splitUnescaped(s string, sep byte) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case s[i] == '{':
			depth++
		case s[i] == '}' && depth > 0:
			depth--
		case s[i] == sep && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// typed gives a --set value Helm's type: true/false, null, a whole
// number (int64, no leading zero), else the string itself.
func typed(s string, asString bool) interface{} {
	if asString {
		return s
	}
	switch s {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && (s == "0" || (s[0] != '0' && !strings.HasPrefix(s, "-0") && s[0] != '+')) {
		return n
	}
	return s
}

// applySet applies one --set (or --set-string) argument: comma-separated
// key=value pairs; keys are dotted paths with [N] list indexes; a value
// {a,b} is a list; \, \. \= escape.
func applySet(values map[string]interface{}, arg string, asString bool) error {
	for _, pair := range splitUnescaped(arg, ',') {
		eq := -1
		for i := 0; i < len(pair); i++ {
			if pair[i] == '\\' {
				i++
			} else if pair[i] == '=' {
				eq = i
				break
			}
		}
		if eq <= 0 {
			return fmt.Errorf("--set %q: expected key=value", pair)
		}
		key, raw := pair[:eq], pair[eq+1:]
		var val interface{}
		if len(raw) >= 2 && raw[0] == '{' && raw[len(raw)-1] == '}' {
			l := []interface{}{}
			if inner := raw[1 : len(raw)-1]; inner != "" {
				for _, e := range splitUnescaped(inner, ',') {
					l = append(l, typed(unescape(strings.TrimSpace(e)), asString))
				}
			}
			val = l
		} else {
			val = typed(unescape(raw), asString)
		}
		if err := setPath(values, splitUnescaped(key, '.'), val); err != nil {
			return fmt.Errorf("--set %s: %v", unescape(key), err)
		}
	}
	return nil
}

// setPath sets the value at path, making maps and lists on the way; a nil
// value deletes a map key.
func setPath(m map[string]interface{}, path []string, val interface{}) error {
	seg := path[0]
	name, idx, err := splitIndex(seg)
	if err != nil {
		return err
	}
	if idx < 0 {
		if len(path) == 1 {
			if val == nil {
				delete(m, name)
			} else {
				m[name] = val
			}
			return nil
		}
		next, ok := m[name].(map[string]interface{})
		if !ok {
			next = map[string]interface{}{}
			m[name] = next
		}
		return setPath(next, path[1:], val)
	}
	l, _ := m[name].([]interface{})
	for len(l) <= idx {
		l = append(l, nil)
	}
	m[name] = l
	if len(path) == 1 {
		l[idx] = val
		return nil
	}
	next, ok := l[idx].(map[string]interface{})
	if !ok {
		next = map[string]interface{}{}
		l[idx] = next
	}
	return setPath(next, path[1:], val)
}

// splitIndex: "name[3]" -> ("name", 3); "name" -> ("name", -1).
func splitIndex(seg string) (string, int, error) {
	seg = unescape(seg)
	open := strings.IndexByte(seg, '[')
	if open < 0 {
		if seg == "" {
			return "", 0, fmt.Errorf("empty key segment")
		}
		return seg, -1, nil
	}
	if open == 0 || !strings.HasSuffix(seg, "]") {
		return "", 0, fmt.Errorf("bad key segment %q", seg)
	}
	n, err := strconv.Atoi(seg[open+1 : len(seg)-1])
	if err != nil || n < 0 || n > 65535 {
		return "", 0, fmt.Errorf("bad list index in %q", seg)
	}
	return seg[:open], n, nil
}
