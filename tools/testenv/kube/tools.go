//go:build tools

// Package tools pins the Kubernetes and etcd commands that tools/testenv builds:
//   go build k8s.io/kubernetes/cmd/kube-apiserver (and kube-controller-manager, kubectl)
//   go build go.etcd.io/etcd/server/v3
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
