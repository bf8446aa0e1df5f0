import * as tls from 'node:tls';
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  Watch,
} from '@kubernetes/client-node';
import type { ControllerConfig } from '../config/controller-config';

/** The anvil.dev API group and version every custom resource call uses. */
export const GROUP = 'anvil.dev';
export const VERSION = 'v1alpha1';

/** The client-node API objects the controller uses, built from one KubeConfig. */
export interface KubeApis {
  kubeConfig: KubeConfig;
  customObjects: CustomObjectsApi;
  coordination: CoordinationV1Api;
  core: CoreV1Api;
  apps: AppsV1Api;
  watch: Watch;
}

/**
 * Loads the kubeconfig (a file, or the pod's service account) and builds the API clients.
 * This module and its siblings under kube/ are the only ones that import client-node (an
 * ES module that Jest cannot load), so everything else stays unit-testable.
 */
export function createKubeApis(kube: ControllerConfig['kube']): KubeApis {
  const kubeConfig = new KubeConfig();
  if ('kubeconfig' in kube) kubeConfig.loadFromFile(kube.kubeconfig);
  else kubeConfig.loadFromCluster();
  reuseConnections(kubeConfig);
  return {
    kubeConfig,
    customObjects: kubeConfig.makeApiClient(CustomObjectsApi),
    coordination: kubeConfig.makeApiClient(CoordinationV1Api),
    core: kubeConfig.makeApiClient(CoreV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
    watch: new Watch(kubeConfig),
  };
}

type AgentFactory = (cluster: unknown, options: Record<string, unknown>) => unknown;

/**
 * client-node 1.4 builds a new https.Agent (and so a new TCP connection, TLS handshake and
 * TLS context) for every request. This keeps one keep-alive agent per KubeConfig, built on the
 * first call with that call's TLS options: a KubeConfig holds one context, whose certificates
 * do not change while the process runs (bearer tokens travel in headers, not in the agent).
 * Watches take their sockets from the same pool.
 */
function reuseConnections(kubeConfig: KubeConfig): void {
  const target = kubeConfig as unknown as { createAgent: AgentFactory };
  const create = target.createAgent.bind(kubeConfig);
  let agent: unknown;
  target.createAgent = (cluster, options) => {
    if (agent === undefined) {
      const { ca, cert, key, pfx, passphrase } = options as tls.SecureContextOptions;
      const secureContext = tls.createSecureContext({ ca, cert, key, pfx, passphrase });
      agent = create(cluster, {
        ...options,
        secureContext,
        keepAlive: true,
        maxSockets: 64,
        maxFreeSockets: 64,
      });
    }
    return agent;
  };
}
