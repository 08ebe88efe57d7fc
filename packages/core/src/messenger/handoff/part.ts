import type { ConversationStatus } from '../../conversation';
import { createId } from '../../id';
import type { ChannelMap, TriageRules, TriageScore } from '../../triage';
import { backoffDelay, type TransportError } from '../../transport/backoff';
import type { HandoffPacket, TransportAdapter } from '../../transport/types';
import type { TransportsEngine, TriageEngine } from '../engines';
import type { HandoffPart, HandoffRecord, HandoffRequest } from '.';
import type { Kernel } from '../kernel';
import type { LocalizedText, MessageNote } from '../../types';

/** A configured text in the conversation's language (English, then the first given, otherwise). */
function localized(text: LocalizedText | undefined, locale: string): string {
  if (typeof text === 'string') return text;
  if (!text || typeof text !== 'object') return '';
  return text[locale] || text.en || Object.values(text)[0] || '';
}
import type { SearchPart } from '../search';

/** Bytes a packet may take on the wire; the relay refuses frames over 64 KB, so older lines go first. */
const PACKET_BUDGET = 48_000;
const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]{2,}$/;
const SAID = {
  en: (to: string) => `Thanks. A person will answer by e-mail at ${to}.`,
  ja: (to: string) => `ありがとうございます。担当者が ${to} 宛てにメールでお返事します。`,
};

type Status = ConversationStatus & { handoff?: HandoffRecord };
const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).length;
/** Backslash-escapes Markdown punctuation so an address is shown as typed. */
const literal = (s: string) => s.replace(/[!-/:-@[-`{-~]/g, '\\$&');

/** The handoff part's code, shipped with triage in the handoff engine (see `createHandoffPart`). */
export function createHandoffPartImpl(
  k: Kernel,
  deps: { search: SearchPart },
  triage: TriageEngine,
  loadTransports: () => Promise<TransportsEngine>,
): HandoffPart {
  const engine = triage;
  let last: HandoffPacket | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  const flows = new Map<string, NonNullable<HandoffRequest['flow']>>();
  let checked: { source: unknown; rules: TriageRules; map: ChannelMap } | undefined;

  const status = () => k.conversation.$status.get() as Status;
  /** Changes the status, stores it with the conversation and announces it. */
  const setStatus = (patch: Partial<Status>) => k.setStatus(patch);

  /** The configured rules and channel map, each checked once; a faulty one is reported and the default used. */
  const triageConfig = (e: TriageEngine) => {
    const c = k.config();
    if (checked?.source !== c) {
      const pick = <T>(value: unknown, fallback: T, validate: (v: unknown) => Array<{ path: string; message: string }>, name: string): T => {
        if (value === undefined) return fallback;
        const problems = validate(value);
        for (const p of problems) k.warn({ code: 'triage-config', message: `${name} ${p.path.slice(1)}: ${p.message}` });
        return problems.length ? fallback : (value as T);
      };
      checked = {
        source: c,
        rules: pick(c.triageRules, e.defaultTriageRules, e.validateTriageRules, 'triageRules'),
        map: pick(c.channelMap, e.defaultChannelMap, e.validateChannelMap, 'channelMap'),
      };
    }
    return checked;
  };

  /** Everything the agent needs, as of now. */
  const build = (e: TriageEngine, id: string, reason: string, hints?: Partial<TriageScore>): HandoffPacket => {
    const user = { ...(k.config().user || {}) };
    const messages = k.conversation.$messages.get();
    const history = deps.search.history();
    const snap = k.context().snapshot();
    const { rules, map } = triageConfig(e);
    const asked = messages.filter((m) => m.author === 'user').slice(-5);
    const lastSearch = history.searches[history.searches.length - 1];
    const score = e.scoreTriage(
      {
        text: asked.map((m) => m.text).join('\n'),
        locale: k.locale(),
        searchFound: lastSearch?.found,
        notHelpful: history.articles.some((a) => a.helpful === false),
        flowHints: hints,
        user,
        page: snap.page.path,
      },
      rules,
    );
    const packet: HandoffPacket = {
      id,
      conversationId: k.conversationId(),
      createdAt: Date.now(),
      locale: k.locale(),
      reason,
      user,
      context: { page: snap.page, trail: snap.trail, device: snap.device },
      transcript: [],
      searches: history.searches,
      articles: history.articles,
      flows: [...flows.values()],
      triage: { ...score, ...e.routeTriage(score, map, user) },
    };
    let room = PACKET_BUDGET - bytes(packet);
    for (let i = messages.length - 1; i >= 0; i--) {
      if (messages[i]!.note) continue;
      const { id: mid, author, text, at, authorName } = messages[i]!;
      const line = { id: mid, author, text, at, ...(authorName ? { authorName } : {}) };
      if ((room -= bytes(line) + 1) < 0) break;
      packet.transcript.unshift(line);
    }
    return packet;
  };

  /** Hands the packet over; errors that may pass (line down, no ack) are retried with backoff. */
  const deliver = (packet: HandoffPacket, t = k.transport()) => {
    clearTimeout(timer);
    // The line is not up yet on this page: the packet goes once the transport exists.
    if (!t) return void k.line().then((line) => line && last === packet && deliver(packet, line));
    Promise.resolve()
      .then(() => t.handoff(packet))
      .then(
        () => (attempt = 0),
        (error: TransportError) => {
          if (last !== packet || t !== k.transport()) return;
          if (error?.retry === false) k.report({ message: `the handoff was refused: ${error.message}`, cause: error });
          else timer = setTimeout(() => deliver(packet, t), backoffDelay(attempt++, 1000, 30_000));
        },
      );
  };

  /** The phase changes at once; the packet follows as soon as the triage engine is there. */
  const send = async (record: HandoffRecord, hints?: Partial<TriageScore>, phase: Status['phase'] = 'waiting') => {
    setStatus({ phase, handoff: record });
    last = build(engine, record.id, record.reason, hints);
    attempt = 0;
    deliver(last);
    return last;
  };
  const failed = (cause: unknown) => k.report({ message: 'the handoff could not be prepared', cause });

  let sharing: ReturnType<typeof setTimeout> | undefined;
  /** While a person is involved, where the customer is now follows the packet: redacted, at most once a second. */
  const shareContext = () => {
    const phase = status().phase;
    if (!k.transport()?.context || phase === 'bot' || phase === 'closed') return;
    clearTimeout(sharing);
    sharing = setTimeout(() => {
      const snap = k.context().snapshot();
      const history = deps.search.history();
      k.transport()?.context?.({ page: snap.page, trail: snap.trail, device: snap.device, searches: history.searches, articles: history.articles });
    }, 1000);
  };
  let unlisten = () => {};

  return {
    boot() {
      // Articles read and searches made count as much as pages visited.
      unlisten();
      unlisten = k.on('event', (e: { type: string }) => /^(article|search)\./.test(e.type) && shareContext());
      const s = status();
      // A reload while in line: the same packet id again keeps the place.
      if (s.handoff && (s.phase === 'waiting' || s.phase === 'away')) send(s.handoff, undefined, s.phase).catch(failed);
    },
    request(request = {}) {
      const s = status();
      if (request.flow) flows.set(request.flow.id, request.flow);
      const open = s.handoff && s.phase !== 'bot' && s.phase !== 'closed';
      // Without a reason given, the user's last words say why.
      const said = k.conversation.$messages.get().filter((m) => m.author === 'user').pop()?.text.slice(0, 300);
      const reason = [request.reason || (open && s.handoff!.reason) || said || 'asked for a person', request.note].filter(Boolean).join(': ');
      const record: HandoffRecord = open ? { ...s.handoff!, reason } : { id: createId(), reason };
      send(record, request.hints, s.phase === 'agent' || s.phase === 'away' ? s.phase : 'waiting').then(
        (packet) => packet && k.track({ type: 'handoff.requested', reason, triage: packet.triage }),
        failed,
      );
    },
    packet: () => last,
    activity: shareContext,
    async followUpByEmail(input) {
      const email = String(input || '').trim();
      if (email.length > 254 || !EMAIL.test(email)) return 'invalid';
      const c = k.config();
      const record: HandoffRecord = status().handoff || { id: createId(), reason: 'asked for a person' };
      const e = engine;
      const packet = build(e, record.id + '-email', record.reason + ' (answer by e-mail)');
      packet.user = { ...packet.user, email };
      let ticketId = '';
      const own = (c.transport as { type?: string } | undefined)?.type !== 'webhook';
      const t: TransportAdapter | undefined = own
        ? (await loadTransports()).createWebhookTransport({ url: (c.ticketUrl as string) || '/relay/http/tickets' })
        : k.transport();
      if (!t) return 'failed';
      if (own) {
        await t.connect(
          { appId: c.appId, visitorId: k.visitorId(), conversationId: k.conversationId(), locale: k.locale(), user: packet.user },
          { message() {}, error() {}, status: (st) => st.type === 'ticket' && (ticketId = st.id) },
        );
      }
      for (let i = 0; ; i++) {
        try {
          await t.handoff(packet);
          break;
        } catch (error) {
          if ((error as TransportError)?.retry === false || i >= 2) {
            k.report({ message: `the e-mail follow-up could not be filed: ${(error as Error)?.message}`, cause: error });
            return 'failed';
          }
          await new Promise((r) => setTimeout(r, backoffDelay(i, 500, 4000)));
        }
      }
      if (own) t.close();
      setStatus({ handoff: { ...record, ticketId: ticketId || packet.id, email } });
      k.say(SAID[k.locale()](literal(email)));
      return 'sent';
    },
    statusChanged(before, after) {
      for (const [note, id] of statusNotes(before, after)) k.note?.(note, id);
    },
    acknowledge() {
      const s = status();
      const said = k.conversation.$messages.get().filter((m) => m.author !== 'user');
      // One acknowledgment answers a burst of messages.
      if (said[said.length - 1]?.note?.kind === 'ack') return;
      const replyTime = localized(k.config().replyTime, k.locale());
      const note: MessageNote = s.handoff?.email
        ? { kind: 'ack', email: s.handoff.email }
        : s.phase === 'away' && s.nextOpenAt
          ? { kind: 'ack', until: s.nextOpenAt }
          : { kind: 'ack', ...(replyTime ? { replyTime } : {}) };
      k.say('', { note });
    },
    shutdown() {
      clearTimeout(timer);
      clearTimeout(sharing);
      unlisten();
      last = undefined;
      flows.clear();
    },
  };
}

type HandoffStatus = ConversationStatus & { handoff?: HandoffRecord };

/** The system notes a status change puts in the thread (the e-mail follow-up says its own words in `followUpByEmail`), each with an id naming what it tells (so it is added once). */
function statusNotes(before: HandoffStatus, after: HandoffStatus): Array<[MessageNote, string]> {
  const notes: Array<[MessageNote, string]> = [];
  const handoff = after.handoff?.id || '';
  const inLine = after.phase === 'waiting' || after.phase === 'away';
  if (after.handoff && after.handoff.id !== before.handoff?.id && inLine) notes.push([{ kind: 'asked' }, `asked-${handoff}`]);
  if (after.phase === 'away' && before.phase !== 'away' && !after.handoff?.email)
    notes.push([{ kind: 'away', ...(after.nextOpenAt ? { until: after.nextOpenAt } : {}) }, `away-${handoff}`]);
  if (after.phase === 'waiting' && after.queuePosition !== undefined && after.queuePosition !== before.queuePosition)
    notes.push([{ kind: 'queue', position: after.queuePosition }, `queue-${handoff}-${after.queuePosition}`]);
  if (after.phase === 'agent' && (before.phase !== 'agent' || before.agentName !== after.agentName))
    notes.push([{ kind: 'joined', name: after.agentName || '' }, `joined-${handoff}-${after.agentName || ''}`]);
  if (after.phase === 'closed' && before.phase !== 'closed') notes.push([{ kind: 'closed' }, `closed-${handoff}`]);
  return notes;
}
