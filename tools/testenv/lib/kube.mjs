// ESM entry for the Kubernetes helpers (implementation: kube.cjs / index.cjs).
import testenv from './index.cjs';

export const {
  saKubeconfig,
  kubeRequest,
  restartApiServer,
  startComponent,
  stopComponent,
  restartComponent,
  readEnv,
} = testenv;
export default testenv;
