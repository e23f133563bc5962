import { prefixMask } from '../wire/addr.js';
import type { NetDev } from '../link/netdev.js';

export interface Route {
  dst: number;
  prefixLen: number;
  /** Next hop, 0 when on-link. */
  gw: number;
  dev: NetDev;
  /** Preferred source, 0 when unset. */
  src: number;
  metric: number;
  proto: 'kernel' | 'boot' | 'static';
  scope: 'link' | 'global' | 'host';
}

/** The main routing table: longest prefix wins, then lowest metric, then first added. */
export class RouteTable {
  readonly routes: Route[] = [];

  add(r: Route): void {
    this.routes.push(r);
    // Keep longest prefixes first so lookup returns the first match.
    this.routes.sort((a, b) => b.prefixLen - a.prefixLen || a.metric - b.metric);
  }

  remove(pred: (r: Route) => boolean): number {
    let n = 0;
    for (let i = this.routes.length - 1; i >= 0; i--) {
      if (pred(this.routes[i]!)) {
        this.routes.splice(i, 1);
        n++;
      }
    }
    return n;
  }

  lookup(dst: number): Route | null {
    const rs = this.routes;
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i]!;
      if (!r.dev.up) continue;
      const m = prefixMask(r.prefixLen);
      if (((dst & m) >>> 0) === r.dst) return r;
    }
    return null;
  }

  defaultRoute(): Route | null {
    return this.routes.find((r) => r.prefixLen === 0) ?? null;
  }
}
