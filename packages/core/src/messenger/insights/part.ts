import type { ConversationStatus } from '../../conversation';
import type { MadoguchiEvent } from '../../insights/events';
import { createProactiveEngine, validateProactiveRules, type CapState, type ProactiveContext, type ProactiveEngine, type ProactiveHit } from '../../insights/proactive';
import { createAnalyticsSink, type AnalyticsSink } from '../../insights/sink';
import type { StoredSession } from '../../storage';
import type { LocalizedText, Message } from '../../types';
import type { InsightsPart, InsightsStores } from '.';
import type { Kernel } from '../kernel';
import type { Survey } from './survey';

/** What the session record keeps for this part. */
type InsightsSession = StoredSession & { proactive?: CapState; surveyed?: string[] };

const pick = (text: LocalizedText | undefined, locale: string) =>
  typeof text == 'string' ? text : (text && (text[locale] || text.en || Object.values(text)[0])) || '';

/** A short, quiet chime, only when both the host (`sound: true`) and the rule ask for it. */
function chime() {
  try {
    const Ctx = (globalThis as any).AudioContext;
    const a = new Ctx();
    const o = a.createOscillator();
    const g = a.createGain();
    g.gain.value = 0.05;
    o.frequency.value = 880;
    o.connect(g).connect(a.destination);
    o.start();
    o.stop(a.currentTime + 0.12);
    o.onended = () => a.close();
  } catch {
    // no audio here: stay silent
  }
}

/** The insights part's code, shipped with the insights engine (see `createInsightsPart`). */
export function createInsightsPartImpl(k: Kernel, { $preview, $survey }: InsightsStores, early: MadoguchiEvent[]): InsightsPart {
  let engine: ProactiveEngine | undefined;
  let sink: AnalyticsSink | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let undo: Array<() => void> = [];
  /** The conversations already asked about, once the session is read (until then, nothing is asked). */
  let surveyed: string[] | undefined;
  /** The survey's code, once a person is involved (or a conversation a person closed is restored). */
  let survey: Survey | undefined;
  let surveyLoading: Promise<Survey> | undefined;
  let lastPage: string | undefined;
  let opened = k.isOpen();

  /** Where the visitor is, as the proactive engine reads it. */
  const where = (): ProactiveContext => {
    const s = k.context().snapshot();
    const lastView = s.trail.filter((e) => e.type == 'page').pop();
    return {
      url: s.page.url || s.page.path,
      pageSince: lastView && lastView.url == s.page.url ? lastView.at : Date.now() - s.timeOnPageMs,
      attributes: { ...s.user.attributes, returning: s.returning, visitCount: s.visitCount, locale: k.locale() },
    };
  };

  const show = (hit: ProactiveHit) => {
    engine!.markShown(hit.ruleId);
    k.track({ type: 'proactive.shown', ruleId: hit.ruleId });
    if (hit.sound && k.config().sound === true) chime();
    const preview = (text: string) => !opened && $preview.set({ ruleId: hit.ruleId, text });
    if (hit.flow) {
      // The flow's first bot message becomes the preview.
      const off = k.on('message', (m: Message) => {
        if (m.author == 'bot') {
          off();
          preview(m.text);
        }
      });
      setTimeout(off, 5e3);
      k.emit('proactive:flow', hit.flow);
    } else {
      const text = pick(hit.message, k.locale());
      k.say(text);
      preview(text);
    }
  };

  /** Evaluates the rules for a trigger, shows the best hit, and sets the timer for time-based rules. */
  const check = (trigger: 'page' | 'tick' | { event: string }) => {
    if (!engine) return;
    clearTimeout(timer);
    const ctx = where();
    const phase = k.conversation.$status.get().phase;
    // A person is on the line: no proactive interruption now (the rule may fire later).
    const hit = phase == 'waiting' || phase == 'agent' ? undefined : engine.evaluate(ctx, trigger)[0];
    if (hit) show(hit);
    const wait = engine.nextCheckIn(ctx);
    if (wait != null) timer = setTimeout(() => check('tick'), wait + 50);
  };

  const remember = (patch: Partial<InsightsSession>) => k.storage().setSession(patch as StoredSession);

  /** Loads the survey's code (once) and asks about the conversation when it has closed. */
  const ask = (status: ConversationStatus) => {
    const asked = surveyed;
    if (status.phase == 'bot' || !asked) return;
    surveyLoading ||= import('./survey').then((m) => (survey = m.createSurvey(k, $survey, asked, (list) => remember({ surveyed: list }))));
    const signal = k.signal();
    surveyLoading.then(
      (s) => !signal.aborted && s.ask(k.conversation.$status.get()),
      (cause) => {
        surveyLoading = undefined;
        k.report({ message: 'the survey could not be loaded', cause });
      },
    );
  };

  const start = async (signal: AbortSignal) => {
    const cfg = k.config();
    const session = (await k.storage().getSession()) as InsightsSession;
    if (signal.aborted) return;
    surveyed = Array.isArray(session.surveyed) ? session.surveyed : [];
    // A conversation a person closed before this code arrived (or before a reload) is asked about now.
    ask(k.conversation.$status.get());
    let source: unknown = cfg.proactive;
    if (source == null) return;
    if (typeof source == 'string') {
      try {
        source = await k.fetchJson(source);
      } catch (cause) {
        return !signal.aborted && k.report({ message: `proactive rules: ${(cause as Error).message}`, path: '$.proactive', cause });
      }
      if (signal.aborted) return;
    }
    if (signal.aborted) return;
    const { rules, problems, quiet, maxPerDay } = validateProactiveRules(source);
    for (const p of problems) k.warn({ code: 'proactive-rules', message: `proactive rules ${p.path}: ${p.message}` });
    const s = k.context().snapshot();
    engine = createProactiveEngine({
      rules,
      quiet,
      maxPerDay,
      // A visit (30 minutes without activity ends one) is the session that `once: "session"` counts.
      sessionId: `${s.firstSeen}:${s.visitCount}`,
      storage: { get: () => session.proactive, set: (proactive) => remember({ proactive }) },
    });
    lastPage = where().url + where().pageSince;
    check('page');
  };

  // Subscribed from the moment this code arrives; events from before then are handed over in `early`.
  k.on('open', () => {
    opened = true;
    $preview.set(null);
  });
  k.on('close', () => (opened = false));
  const onEvent = (e: MadoguchiEvent) => {
    if (!sink) {
      const url = (k.config() as { analytics?: { url?: unknown } } | undefined)?.analytics?.url;
      if (typeof url != 'string' || !url) return;
      sink = createAnalyticsSink({ url });
    }
    sink.push(e);
  };
  k.on('event', onEvent);
  early.forEach(onEvent);

  return {
    $preview,
    $survey,
    boot() {
      const cfg = k.config();
      const a = cfg.analytics as { url?: unknown } | undefined;
      if (a != null && (typeof a != 'object' || typeof a.url != 'string' || !a.url))
        k.warn({ code: 'analytics-config', message: 'config $.analytics.url: expected the URL events are sent to' });
      const onHide = () => document.visibilityState == 'hidden' && survey?.flush();
      if (typeof document == 'object') {
        // Before the sink's own listener exists, so the last answer goes in its final beacon.
        document.addEventListener('visibilitychange', onHide);
        undo.push(() => document.removeEventListener('visibilitychange', onHide));
      }
      undo.push(k.on('status', ask));
      void start(k.signal()).catch((cause) => k.report({ message: 'proactive messages could not start', cause }));
    },
    activity(kind, name) {
      if (!engine) return;
      if (kind == 'event') return check({ event: name! });
      // The context reports every change as 'page'; only a new page view restarts the page's clock.
      const ctx = where();
      const key = ctx.url + ctx.pageSince;
      const isNew = key != lastPage;
      lastPage = key;
      check(isNew ? 'page' : 'tick');
    },
    shutdown() {
      clearTimeout(timer);
      survey?.end();
      survey = surveyLoading = surveyed = undefined;
      for (const f of undo) f();
      undo = [];
      engine = undefined;
      $preview.set(null);
      opened = false;
      sink?.close();
      sink = undefined;
    },
    openPreview() {
      const p = $preview.get();
      if (!p) return;
      $preview.set(null);
      k.track({ type: 'proactive.clicked', ruleId: p.ruleId });
      k.open();
    },
    dismissPreview: () => $preview.set(null),
    answer: (kind, score, comment) => survey?.answer(kind, score, comment),
    submitSurvey: (comment) => survey?.end(comment),
    skipSurvey: () => survey?.end(),
    setQuiet(on) {
      engine?.setQuiet(on);
      if (on) $preview.set(null);
    },
  };
}
