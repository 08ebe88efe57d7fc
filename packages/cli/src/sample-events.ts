import type { MadoguchiEvent } from '@madoguchi/core';
import { surveyScale } from '@madoguchi/core';

/** A small seeded generator (mulberry32): the same seed always gives the same log. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ANSWERED = ['reset password', 'change email', 'invoice', 'return an item', 'shipping time', 'パスワード 変更', '配送 日数', 'two-factor'];
const UNANSWERED = ['cancel and refund', 'invoice in yen', 'delete my account', 'gift card balance', '領収書 再発行', 'api rate limit', 'student discount'];
const FLOWS: Record<string, string[]> = {
  returns: ['start', 'order', 'reason', 'photo', 'label'],
  billing: ['start', 'plan', 'confirm'],
};

/**
 * A realistic event log: `days` days from `start` (UTC midnight, default 2025-03-03), 20–40
 * conversations a day, searches (some unanswered), articles, two flows with drop-off, handoffs
 * with agent replies, surveys, proactive messages, and self-service that improves over time.
 */
export function generateSampleEvents(seed: number, days: number, start = Date.UTC(2025, 2, 3)): MadoguchiEvent[] {
  const rnd = seededRandom(seed);
  const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)];
  const chance = (p: number) => rnd() < p;
  const between = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const events: MadoguchiEvent[] = [];
  let n = 0;

  for (let day = 0; day < days; day++) {
    const skill = 0.45 + (0.4 * day) / Math.max(1, days - 1); // the help centre gets better
    const count = between(20, 40);
    for (let i = 0; i < count; i++) {
      const conversationId = `c${++n}`;
      const visitorId = `v${between(1, 60 * days)}`;
      let at = start + day * 864e5 + between(7, 22) * 36e5 + between(0, 3599) * 1e3;
      const add = (e: Record<string, unknown> & { type: MadoguchiEvent['type'] }, gapSeconds = between(2, 40)) => {
        at += gapSeconds * 1e3;
        events.push({ ...e, at, conversationId, visitorId } as MadoguchiEvent);
      };
      if (chance(0.25)) {
        const ruleId = pick(['pricing-help', 'checkout-stuck']);
        add({ type: 'proactive.shown', ruleId }, 0);
        if (chance(0.4)) add({ type: 'proactive.clicked', ruleId });
      }
      add({ type: 'widget.opened' }, 1);
      let solved = false;
      let handoff: string | undefined;
      const route = rnd();
      if (route < 0.5) {
        const answered = chance(0.55 + skill / 3);
        const query = answered ? pick(ANSWERED) : pick(UNANSWERED);
        add({ type: 'search.made', query, resultCount: answered ? between(1, 6) : 0 });
        if (answered) {
          const articleId = query.replace(/\s+/g, '-');
          add({ type: 'article.viewed', articleId });
          solved = chance(skill);
          if (solved || chance(0.7)) add({ type: 'article.feedback', articleId, helpful: solved }, between(20, 120));
        }
        if (!solved && chance(0.6)) handoff = answered ? 'article-not-helpful' : 'no-answer';
      } else if (route < 0.8) {
        const flowId = pick(Object.keys(FLOWS));
        const nodes = FLOWS[flowId];
        add({ type: 'flow.started', flowId, nodeId: nodes[0] });
        let left = false;
        for (const nodeId of nodes.slice(1)) {
          if (chance(0.12 * (1.4 - skill))) {
            left = true;
            if (chance(0.6)) add({ type: 'flow.abandoned', flowId, nodeId: nodes[nodes.indexOf(nodeId) - 1] });
            break;
          }
          add({ type: 'flow.step', flowId, nodeId }, between(5, 60));
        }
        if (!left) add({ type: 'flow.finished', flowId });
        solved = !left;
        if (left && chance(0.5)) handoff = 'flow';
      } else {
        add({ type: 'message.sent' });
        add({ type: 'message.received', from: 'bot' }, 1);
        handoff = 'asked';
      }
      if (handoff) {
        add({ type: 'handoff.requested', reason: handoff, triage: { complexity: pick(['low', 'medium', 'high']), severity: pick(['low', 'medium', 'high']), effort: pick(['low', 'medium', 'high']) } });
        add({ type: 'agent.joined', agentName: pick(['Aiko', 'Ben', 'Chen']) }, between(20, 600));
        add({ type: 'message.received', from: 'agent' }, between(5, 60));
        add({ type: 'message.sent' }, between(10, 90));
        solved = chance(0.85);
        add({ type: 'conversation.closed', resolved: solved }, between(120, 2400));
      }
      if (chance(0.5)) {
        const score = solved ? pick([4, 5, 5, 5, 4, 3]) : pick([1, 2, 2, 3, 4]);
        add({ type: 'survey.answered', kind: 'csat', score, scaled: surveyScale('csat', score) });
        if (chance(0.7)) {
          const effort = handoff ? pick([3, 4, 5, 5, 6]) : solved ? pick([5, 6, 7, 7]) : pick([1, 2, 3, 4]);
          add({ type: 'survey.answered', kind: 'ces', score: effort, scaled: surveyScale('ces', effort) });
        }
      }
      if (chance(0.02)) add({ type: 'warning', message: 'flow file refused: $.nodes.ask.next: unknown node' });
      add({ type: 'widget.closed' });
    }
  }
  return events.sort((a, b) => a.at - b.at);
}
