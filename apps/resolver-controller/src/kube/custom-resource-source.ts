import type { KubeObject } from '../informers/kube-object';
import type { ListResult, ListWatchSource, WatchEvent, WatchHandle } from '../informers/list-watch';
import { GROUP, VERSION, type KubeApis } from './kube-apis';

/** Items per list page (the API server continues with `continue` tokens). */
const PAGE_SIZE = 500;

/** Lists and watches one anvil.dev resource, in one namespace or all, with client-node. */
export class CustomResourceSource<T extends KubeObject> implements ListWatchSource<T> {
  constructor(
    private readonly apis: KubeApis,
    readonly resource: string,
    private readonly namespace: string | undefined,
  ) {}

  /** Lists every page; the first page's resourceVersion is the snapshot to watch from. */
  async list(): Promise<ListResult<T>> {
    const items: T[] = [];
    let resourceVersion = '';
    let token: string | undefined;
    do {
      const page = (await this.listPage(token)) as {
        items?: T[];
        metadata?: { resourceVersion?: string; continue?: string };
      };
      items.push(...(page.items ?? []));
      resourceVersion ||= page.metadata?.resourceVersion ?? '';
      token = page.metadata?.continue || undefined;
    } while (token);
    return { items, resourceVersion };
  }

  async watch(
    resourceVersion: string,
    timeoutSeconds: number,
    onEvent: (event: WatchEvent) => void,
    onDone: (error?: unknown) => void,
  ): Promise<WatchHandle> {
    const path = this.namespace
      ? `/apis/${GROUP}/${VERSION}/namespaces/${this.namespace}/${this.resource}`
      : `/apis/${GROUP}/${VERSION}/${this.resource}`;
    const params = { resourceVersion, allowWatchBookmarks: true, timeoutSeconds };
    const controller = await this.apis.watch.watch(
      path,
      params,
      (type: string, object: unknown) => onEvent({ type, object }),
      onDone,
    );
    return { abort: () => controller.abort() };
  }

  private listPage(token: string | undefined): Promise<unknown> {
    const common = {
      group: GROUP,
      version: VERSION,
      plural: this.resource,
      limit: PAGE_SIZE,
      _continue: token,
    };
    return this.namespace
      ? this.apis.customObjects.listNamespacedCustomObject({ ...common, namespace: this.namespace })
      : this.apis.customObjects.listClusterCustomObject(common);
  }
}
