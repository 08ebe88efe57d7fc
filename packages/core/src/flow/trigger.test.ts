import { describe, expect, it } from 'vitest';
import { matchFlowTrigger, rolloutBucket, type TriggerEnv } from './index';

const env = (over: Partial<TriggerEnv> = {}): TriggerEnv => ({
  flowId: 'returns',
  bucketKey: 'user-1',
  url: 'https://shop.example/orders/123?tab=items',
  user: { id: 'user-1', attributes: { plan: 'pro' } },
  context: { cart: { items: 2 } },
  visits: 3,
  timeOnPageMs: 5000,
  ...over,
});

describe('matchFlowTrigger', () => {
  it('matches URL globs against the path or the full URL', () => {
    expect(matchFlowTrigger({ url: '/orders/*' }, env())).toBe(true);
    expect(matchFlowTrigger({ url: ['/help*', '/orders'] }, env())).toBe(false);
    expect(matchFlowTrigger({ url: 'https://shop.example/*' }, env())).toBe(true);
    expect(matchFlowTrigger({ url: 'https://other.example/*' }, env())).toBe(false);
  });

  it('checks event, time on page, new vs returning, visits and plan', () => {
    expect(matchFlowTrigger({ event: 'return-clicked' }, env())).toBe(false);
    expect(matchFlowTrigger({ event: 'return-clicked' }, env({ event: 'return-clicked' }))).toBe(true);
    expect(matchFlowTrigger({ timeOnPageMs: 10000 }, env())).toBe(false);
    expect(matchFlowTrigger({ timeOnPageMs: 5000 }, env())).toBe(true);
    expect(matchFlowTrigger({ visitor: 'returning' }, env())).toBe(true);
    expect(matchFlowTrigger({ visitor: 'new' }, env())).toBe(false);
    expect(matchFlowTrigger({ visitor: 'new' }, env({ visits: 1 }))).toBe(true);
    expect(matchFlowTrigger({ minVisits: 4 }, env())).toBe(false);
    expect(matchFlowTrigger({ plan: ['pro', 'vip'] }, env())).toBe(true);
    expect(matchFlowTrigger({ plan: 'vip' }, env())).toBe(false);
    expect(matchFlowTrigger({ when: { var: 'context.cart.items', gte: 1 } }, env())).toBe(true);
    expect(matchFlowTrigger({ when: { var: 'context.cart.items', gt: 2 } }, env())).toBe(false);
  });

  it('applies frequency caps', () => {
    expect(matchFlowTrigger({ frequency: 'once-per-user' }, env({ seenByUser: true }))).toBe(false);
    expect(matchFlowTrigger({ frequency: 'once-per-session' }, env({ seenInSession: true }))).toBe(false);
    expect(matchFlowTrigger({ frequency: 'once-per-session' }, env({ seenByUser: true }))).toBe(true);
    expect(matchFlowTrigger({ frequency: 'always' }, env({ seenByUser: true, seenInSession: true }))).toBe(true);
  });

  it('rolls out to a stable percentage of users', () => {
    let inAt30 = 0;
    for (let i = 0; i < 1000; i++) {
      const e = env({ bucketKey: `u${i}` });
      const at30 = matchFlowTrigger({ rollout: 30 }, e);
      if (at30) inAt30++;
      // Ramping up never drops a user who already had the flow.
      if (at30) expect(matchFlowTrigger({ rollout: 60 }, e)).toBe(true);
      expect(matchFlowTrigger({ rollout: 30 }, e)).toBe(at30);
    }
    expect(inAt30).toBeGreaterThan(240);
    expect(inAt30).toBeLessThan(360);
    expect(matchFlowTrigger({ rollout: 0 }, env())).toBe(false);
    expect(matchFlowTrigger({ rollout: 100 }, env())).toBe(true);
  });
});

describe('rolloutBucket', () => {
  it('is stable, in 0..99, and differs between salts', () => {
    expect(rolloutBucket('user-1', 'a')).toBe(rolloutBucket('user-1', 'a'));
    const buckets = Array.from({ length: 200 }, (_, i) => rolloutBucket(`user-${i}`, 'flow'));
    expect(buckets.every((b) => Number.isInteger(b) && b >= 0 && b <= 99)).toBe(true);
    expect(new Set(buckets).size).toBeGreaterThan(70);
    const moved = Array.from({ length: 100 }, (_, i) => rolloutBucket(`user-${i}`, 'a') != rolloutBucket(`user-${i}`, 'b')).filter(Boolean);
    expect(moved.length).toBeGreaterThan(80);
  });
});
