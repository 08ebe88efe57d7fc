// @vitest-environment happy-dom
import type { Messenger, SurveyKind } from '@madoguchi/core';
import { cleanup, fireEvent, render } from '@testing-library/preact';
import { atom } from 'nanostores';
import { afterEach, describe, expect, it } from 'vitest';
import { en } from '../i18n-en';
import { ja } from '../i18n-ja';
import { Survey } from './Insights';
import { Preview } from './Preview';

const STRINGS = { en, ja };

afterEach(cleanup);

/** The insights part as the widget sees it, with a survey that moves like the real one. */
function fake() {
  const $preview = atom<{ ruleId: string; text: string } | null>(null);
  const $survey = atom<{ kinds: SurveyKind[]; answered: Partial<Record<SurveyKind, number>> } | null>(null);
  const calls: unknown[][] = [];
  const insights = {
    $preview,
    $survey,
    openPreview: () => (calls.push(['open']), $preview.set(null)),
    dismissPreview: () => (calls.push(['dismiss']), $preview.set(null)),
    answer(kind: SurveyKind, score: number) {
      calls.push(['answer', kind, score]);
      const s = $survey.get()!;
      $survey.set({ kinds: s.kinds.filter((k) => k !== kind), answered: { ...s.answered, [kind]: score } });
    },
    submitSurvey: (comment?: string) => (calls.push(['submit', comment]), $survey.set(null)),
    skipSurvey: () => (calls.push(['skip']), $survey.set(null)),
  };
  return { m: { insights, state: { $open: atom(false) }, on: () => () => {} } as unknown as Messenger, $preview, $survey, calls };
}

describe('Survey', () => {
  it('asks CSAT then effort, one tap each, then takes an optional comment', async () => {
    const f = fake();
    const r = render(<Survey m={f.m} t={STRINGS.en} />);
    expect(r.container.innerHTML).toBe('');
    f.$survey.set({ kinds: ['csat', 'ces'], answered: {} });
    const csat = await r.findByRole('group', { name: STRINGS.en.csatAsk });
    expect(csat.querySelectorAll('button')).toHaveLength(5);
    fireEvent.click(r.getByRole('button', { name: '4 — Satisfied' }));
    const ces = await r.findByRole('group', { name: STRINGS.en.cesAsk });
    expect(ces.querySelectorAll('button')).toHaveLength(7);
    fireEvent.click(r.getByRole('button', { name: '6 — Easy' }));
    fireEvent.input(await r.findByRole('textbox', { name: 'Comment' }), { target: { value: 'Fast, thanks' } });
    fireEvent.click(r.getByRole('button', { name: 'Submit feedback' }));
    expect(f.calls).toEqual([['answer', 'csat', 4], ['answer', 'ces', 6], ['submit', 'Fast, thanks']]);
    expect((await r.findByRole('status')).textContent).toBe(STRINGS.en.thanks);
  });

  it('gives every score a unique name that never says Send, in both locales', () => {
    for (const t of [STRINGS.en, STRINGS.ja]) {
      const names = [...t.csatScale.map((l, i) => `${i + 1} — ${l}`), ...t.cesScale.map((l, i) => `${i + 1} — ${l}`), t.submitFeedback, t.skip, t.comment];
      expect(new Set(names).size).toBe(names.length);
      expect(names.filter((n) => n.includes(t.send) || n.includes('Send'))).toEqual([]);
    }
  });

  it('can be skipped at any step', async () => {
    const f = fake();
    f.$survey.set({ kinds: ['csat', 'ces'], answered: {} });
    const r = render(<Survey m={f.m} t={STRINGS.ja} />);
    fireEvent.click(r.getByRole('button', { name: 'スキップ' }));
    expect(f.calls).toEqual([['skip']]);
    expect(r.container.innerHTML).toBe('');
  });
});

describe('Preview', () => {
  it('shows the message in a polite live region, opens on click, and can be dismissed', async () => {
    const f = fake();
    const r = render(<Preview m={f.m} t={STRINGS.en} />);
    const region = r.getByRole('status');
    expect(region.textContent).toBe('');
    f.$preview.set({ ruleId: 'p', text: 'Questions about **Router X**? [Ask us](https://x.example)' });
    const open = await r.findByRole('button', { name: 'Questions about Router X? Ask us' });
    expect(region.contains(open)).toBe(true);
    expect(document.activeElement).toBe(document.body);
    fireEvent.click(open);
    expect(f.calls).toEqual([['open']]);
    f.$preview.set({ ruleId: 'p', text: 'Hello' });
    fireEvent.click(await r.findByRole('button', { name: 'Dismiss' }));
    expect(f.calls).toEqual([['open'], ['dismiss']]);
    expect(region.textContent).toBe('');
  });
});
