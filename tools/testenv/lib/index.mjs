// ESM view of index.cjs (the implementation is CommonJS so Jest can require it).
import testenv from './index.cjs';

export const {
  up,
  down,
  status,
  readEnv,
  startComponent,
  stopComponent,
  restartComponent,
  restartApiServer,
  saKubeconfig,
  kubeRequest,
  kafkaMetadataBrokers,
  config,
  COMPONENT_NAMES,
  TestenvError,
} = testenv;
export default testenv;
