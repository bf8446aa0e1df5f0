import { ensureBuilt } from './build';
import { controllerKubeconfig, createNamespace, deleteNamespace, installCrds } from './cluster';
import { ControllerProcess } from './controller-process';

/** What a test of a `useControllerPerTest` suite works with. */
export interface ControllerSuite {
  /** The test's own namespace. */
  namespace: string;
  /** The controller watching it (as the RBAC ServiceAccount). */
  controller: ControllerProcess;
  /** Kubeconfig of the controller's ServiceAccount. */
  kubeconfig: string;
}

/**
 * Registers the hooks of a suite where every test gets a fresh namespace and a controller
 * child process watching it: the controller is built if stale, the CRDs and deploy/rbac are
 * applied once. Returns a live view of the current test's namespace and controller.
 */
export function useControllerPerTest(prefix: string): ControllerSuite {
  const suite = {} as ControllerSuite;
  beforeAll(async () => {
    ensureBuilt();
    await installCrds();
    suite.kubeconfig = await controllerKubeconfig();
  }, 600_000);
  beforeEach(async () => {
    suite.namespace = await createNamespace(prefix);
    suite.controller = await ControllerProcess.start({
      namespace: suite.namespace,
      kubeconfig: suite.kubeconfig,
      identity: 'resolver-a',
    });
  });
  afterEach(async () => {
    await suite.controller?.stop();
    await deleteNamespace(suite.namespace);
  });
  return suite;
}
