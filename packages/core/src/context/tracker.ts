import { createId } from '../id';
import type { UserInfo } from '../types';
import { isSecretName, redactText, redactUrl, type RedactionOptions } from './redact';

/** The user as context carries it: everything the host gave except the identity tokens. */
export type ContextUser = Omit<UserInfo, 'userHash' | 'jwt'>;

/** One page view or custom event, newest last. */
export interface TrailEntry {
  type: 'page' | 'event';
  /** Epoch milliseconds. */
  at: number;
  url?: string;
  title?: string;
  name?: string;
  properties?: Record<string, string | number | boolean | null>;
}

export interface ContextPage {
  url: string;
  path: string;
  title: string;
  referrer: string;
}

export interface DeviceInfo {
  viewport: { width: number; height: number };
  language: string;
  timeZone: string;
  platform: 'mobile' | 'tablet' | 'desktop';
}

/** Everything known about where the user is and what they did, redacted and free of identity tokens. */
export interface ContextSnapshot {
  page: ContextPage;
  trail: TrailEntry[];
  timeOnPageMs: number;
  visitCount: number;
  firstSeen: number;
  lastSeen: number;
  returning: boolean;
  /** `user.id` when known, else a stable random id for the anonymous visitor. */
  visitorId: string;
  user: ContextUser;
  device: DeviceInfo;
}

/** What is kept between visits (in storage, after consent). */
export interface SavedContext {
  visitorId: string;
  trail: TrailEntry[];
  visitCount: number;
  firstSeen: number;
  lastSeen: number;
}

export interface ContextTrackerOptions {
  /** The page to watch; defaults to the global window, `null` for none (worker, server). */
  window?: Window | null;
  redaction?: RedactionOptions;
  /** Most recent page views and events kept. Default 50. */
  trailLimit?: number;
  now?: () => number;
  /** Called after every change (page view, event, user, restore). */
  onChange?: (snapshot: ContextSnapshot) => void;
}

export interface ContextTracker {
  snapshot(): ContextSnapshot;
  /** Records a page view of the current location (single-page-app navigation is recorded without it). */
  pageView(): void;
  track(name: string, properties?: Record<string, unknown>): void;
  setUser(user: UserInfo): void;
  /** Merges what an earlier visit saved: trail, visit count, first/last seen, anonymous id. */
  restore(saved: SavedContext): void;
  save(): SavedContext;
  /** Stops listening to navigation and gives back history.pushState/replaceState. */
  destroy(): void;
}

/** A gap longer than this between two activities starts a new visit. */
const VISIT_GAP_MS = 30 * 60_000;
const TEXT_MAX = 300;

const isNum = (v: unknown): v is number => typeof v === 'number' && isFinite(v);

/** Watches the page the widget lives in: page views (SPA navigation included), custom events, user and device. */
export function createContextTracker(options: ContextTrackerOptions = {}): ContextTracker {
  const win = options.window === null ? undefined : options.window || (typeof window !== 'undefined' ? window : undefined);
  const now = options.now || Date.now;
  const limit = options.trailLimit ?? 50;
  const r = options.redaction;
  const start = now();
  let anonId = createId();
  let user: ContextUser = {};
  let trail: TrailEntry[] = [];
  let visitCount = 1;
  let firstSeen = start;
  let lastSeen = start;
  let pageStart = start;
  let page: ContextPage = { url: '', path: '', title: '', referrer: '' };
  let lastHref: string | undefined;
  let active = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const undo: Array<() => void> = [];

  const text = (s: unknown) => redactText(String(s ?? ''), r).slice(0, TEXT_MAX);

  /** Event properties as the trail keeps them: keys and text masked, a secret-named one's value hidden, plain values only. */
  const clean = (properties: unknown) => {
    const props: NonNullable<TrailEntry['properties']> = {};
    for (const [k, v] of Object.entries(properties && typeof properties === 'object' ? properties : {}).slice(0, 50))
      if (typeof v === 'string' || isNum(v) || typeof v === 'boolean' || v === null)
        props[text(k)] = isSecretName(k, r) ? '[redacted]' : typeof v === 'string' ? text(v) : v;
    return props;
  };

  /** A trail entry from storage, redacted again under today's rules (it may come from an older version or a damaged record). */
  const reclean = (e: TrailEntry): TrailEntry =>
    e.type === 'page'
      ? { type: 'page', at: e.at, url: redactUrl(String(e.url ?? '').slice(0, 2000), r), title: text(e.title) }
      : { type: 'event', at: e.at, name: text(e.name).slice(0, 100), properties: clean(e.properties) };

  const changed = () => {
    try {
      options.onChange?.(api.snapshot());
    } catch {
      // the listener's failure is its own; context capture goes on
    }
  };

  const push = (entry: TrailEntry) => {
    trail.push(entry);
    if (trail.length > limit) trail = trail.slice(-limit);
    lastSeen = entry.at;
    changed();
  };

  /** The time zone, read once and only when asked: the first Intl call of a page costs tens of milliseconds. */
  let zone: string | undefined;
  const timeZone = () => {
    if (zone === undefined)
      try {
        zone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
      } catch {
        zone = '';
      }
    return zone;
  };

  const device = (): DeviceInfo => {
    const nav = win?.navigator;
    const ua = nav?.userAgent || '';
    return {
      viewport: { width: win?.innerWidth || 0, height: win?.innerHeight || 0 },
      language: nav?.language || '',
      get timeZone() {
        return timeZone();
      },
      // Three coarse classes from the user agent; nothing that tells one device from another.
      platform: /iPad|Tablet|Android(?!.*Mobi)/i.test(ua) || (/Mac/.test(ua) && nav!.maxTouchPoints > 1) ? 'tablet' : /Mobi|iPhone/i.test(ua) ? 'mobile' : 'desktop',
    };
  };

  /** Navigation signals arrive in bursts (pushState then replaceState); one page view per new URL. */
  const onNavigate = () => {
    if (!active) return;
    clearTimeout(timer);
    timer = setTimeout(() => active && win && win.location.href !== lastHref && api.pageView(), 0);
  };

  const api: ContextTracker = {
    snapshot: () => ({
      page: { ...page },
      trail: trail.slice(),
      timeOnPageMs: Math.max(0, now() - pageStart),
      visitCount,
      firstSeen,
      lastSeen,
      returning: visitCount > 1,
      visitorId: user.id || anonId,
      user: { ...user },
      device: device(),
    }),
    pageView() {
      if (!win) return;
      const loc = win.location;
      const at = now();
      lastHref = loc.href;
      pageStart = at;
      page = {
        url: redactUrl(loc.href, r),
        path: redactUrl(loc.pathname, r),
        title: text(win.document?.title),
        referrer: redactUrl(win.document?.referrer || '', r),
      };
      push({ type: 'page', at, url: page.url, title: page.title });
    },
    track(name, properties) {
      if (typeof name !== 'string' || !name) return;
      push({ type: 'event', at: now(), name: text(name).slice(0, 100), properties: clean(properties) });
    },
    setUser(input) {
      const { userHash, jwt, ...rest } = input || {};
      user = rest;
      changed();
    },
    restore(saved) {
      if (!saved || typeof saved !== 'object') return;
      if (typeof saved.visitorId === 'string' && saved.visitorId) anonId = saved.visitorId;
      if (isNum(saved.lastSeen) && isNum(saved.visitCount)) {
        visitCount = Math.max(visitCount, saved.visitCount + (start - saved.lastSeen > VISIT_GAP_MS ? 1 : 0));
        lastSeen = Math.max(lastSeen, saved.lastSeen);
      }
      if (isNum(saved.firstSeen)) firstSeen = Math.min(firstSeen, saved.firstSeen);
      // Only what happened before this tracker started: restoring twice never duplicates.
      if (Array.isArray(saved.trail))
        trail = saved.trail
          .filter((e) => e && /^(page|event)$/.test(e.type) && isNum(e.at) && e.at < (trail[0]?.at ?? start + 1))
          .slice(-limit)
          .map(reclean)
          .concat(trail)
          .slice(-limit);
      changed();
    },
    save: () => ({ visitorId: anonId, trail: trail.slice(), visitCount, firstSeen, lastSeen }),
    destroy() {
      active = false;
      clearTimeout(timer);
      for (const f of undo.splice(0)) f();
    },
  };

  if (win) {
    const listen = (target: EventTarget, type: string) => {
      target.addEventListener(type, onNavigate);
      undo.push(() => target.removeEventListener(type, onNavigate));
    };
    listen(win, 'popstate');
    listen(win, 'hashchange');
    const navigation = (win as { navigation?: EventTarget }).navigation;
    if (navigation?.addEventListener) listen(navigation, 'currententrychange');
    else if (win.history) {
      for (const method of ['pushState', 'replaceState'] as const) {
        const h = win.history;
        const original = h[method];
        const own = Object.prototype.hasOwnProperty.call(h, method);
        // Stays a pass-through after destroy, in case another script wrapped it after us.
        const wrapper = function (this: History, ...args: Parameters<History['pushState']>) {
          const result = original.apply(this, args);
          onNavigate();
          return result;
        };
        h[method] = wrapper;
        undo.push(() => {
          if (h[method] !== wrapper) return;
          if (own) h[method] = original;
          else delete (h as Partial<History>)[method];
        });
      }
    }
    api.pageView();
  }
  return api;
}
