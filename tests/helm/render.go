// render renders a Helm chart offline with Go's text/template and sprig (the engine Helm uses),
// plus Helm's own functions (include, tpl, toYaml, fromYaml, required, fail), and prints the
// manifests as one multi-document YAML stream, like `helm template`.
//
// usage: render CHART_DIR RELEASE NAMESPACE [VALUES_FILE...]
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"gopkg.in/yaml.v3"
)

type files struct{ dir string }

// Get returns a chart file's content, "" when missing (as Helm does).
func (f files) Get(name string) string {
	b, err := os.ReadFile(filepath.Join(f.dir, name))
	if err != nil {
		return ""
	}
	return string(b)
}

func readYAML(path string) (map[string]interface{}, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]interface{}{}
	if err := yaml.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// merge overlays src onto dst the way Helm merges values files.
func merge(dst, src map[string]interface{}) map[string]interface{} {
	for k, v := range src {
		if sm, ok := v.(map[string]interface{}); ok {
			if dm, ok := dst[k].(map[string]interface{}); ok {
				dst[k] = merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
	return dst
}

// jsonRoundTrip gives values Helm's types (numbers become float64).
func jsonRoundTrip(v map[string]interface{}) map[string]interface{} {
	b, _ := json.Marshal(v)
	out := map[string]interface{}{}
	_ = json.Unmarshal(b, &out)
	return out
}

func toYAML(v interface{}) string {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: render CHART_DIR RELEASE NAMESPACE [VALUES_FILE...]")
		os.Exit(2)
	}
	chartDir, release, namespace := os.Args[1], os.Args[2], os.Args[3]
	chart, err := readYAML(filepath.Join(chartDir, "Chart.yaml"))
	check(err)
	values, err := readYAML(filepath.Join(chartDir, "values.yaml"))
	check(err)
	for _, f := range os.Args[4:] {
		overlay, err := readYAML(f)
		check(err)
		values = merge(values, overlay)
	}
	name := fmt.Sprint(chart["name"])
	basePath := name + "/templates"

	root := template.New("root")
	funcs := sprig.TxtFuncMap()
	funcs["include"] = func(tpl string, data interface{}) (string, error) {
		var buf bytes.Buffer
		err := root.ExecuteTemplate(&buf, tpl, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf bytes.Buffer
		err = t.Execute(&buf, data)
		return buf.String(), err
	}
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = func(s string) map[string]interface{} {
		out := map[string]interface{}{}
		_ = yaml.Unmarshal([]byte(s), &out)
		return out
	}
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil || v == "" {
			return nil, errors.New(msg)
		}
		return v, nil
	}
	funcs["fail"] = func(msg string) (string, error) { return "", errors.New(msg) }
	funcs["lookup"] = func(...interface{}) map[string]interface{} { return map[string]interface{}{} }
	root.Funcs(funcs).Option("missingkey=zero")

	paths, err := filepath.Glob(filepath.Join(chartDir, "templates", "*"))
	check(err)
	sort.Strings(paths)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		check(err)
		_, err = root.New(basePath + "/" + filepath.Base(p)).Parse(string(b))
		check(err)
	}

	for _, p := range paths {
		base := filepath.Base(p)
		if strings.HasPrefix(base, "_") || base == "NOTES.txt" {
			continue
		}
		data := map[string]interface{}{
			"Values":       jsonRoundTrip(values),
			"Release":      map[string]interface{}{"Name": release, "Namespace": namespace, "Service": "Helm", "IsInstall": true},
			"Chart":        map[string]interface{}{"Name": name, "Version": chart["version"], "AppVersion": chart["appVersion"]},
			"Capabilities": map[string]interface{}{"KubeVersion": map[string]interface{}{"Version": "v1.29.0"}},
			"Files":        files{chartDir},
			"Template":     map[string]interface{}{"Name": basePath + "/" + base, "BasePath": basePath},
		}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, basePath+"/"+base, data); err != nil {
			fmt.Fprintf(os.Stderr, "render: %v\n", err)
			os.Exit(1)
		}
		out := strings.TrimSpace(buf.String())
		if out == "" {
			continue
		}
		fmt.Printf("---\n# Source: %s/%s\n%s\n", basePath, base, out)
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "render: %v\n", err)
		os.Exit(1)
	}
}
