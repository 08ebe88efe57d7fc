import type { Messenger, SearchHit } from '@madoguchi/core';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import { useStore } from './use-store';
import { focus } from './Later';
import { Suggestions } from './Search';

/** No suggestions: one array, so clearing an empty list renders nothing. */
const NONE: SearchHit[] = [];
/** A suggestion's snippet, in columns (a CJK character takes two): about one line of the list. */
const SNIPPET = 64;
/** The typing pause after which suggestions are shown, in milliseconds. */
const PAUSE = 120;

const INPUT_MODE: Record<string, string> = { email: 'email', phone: 'tel', number: 'decimal' };

/** The message box with help-centre suggestions as the user types, the send button and the always-present way to a person. */
export function Composer({ m, t }: { m: Messenger; t: Strings }) {
  const [text, setText] = useState('');
  const [hits, setHits] = useState<SearchHit[]>(NONE);
  const [active, setActive] = useState(-1);
  const status = useStore(m.state.$status) as { phase: string; handoff?: { email?: string } };
  const phase = status.phase;
  const box = useRef<HTMLTextAreaElement>(null);
  /** Out of sight: the titles of the suggestions about to be shown (see `suggest`). */
  const ahead = useRef<HTMLElement>(null);
  useEffect(() => {
    if (focus.pending && m.state.$open.get()) box.current?.focus();
    focus.pending = false;
  }, []);
  const wait = useStore(m.flows.$wait);
  const article = useStore(m.search.$article);
  // Text typed while the help centre was still loading is searched again once it is here.
  const searchable = useStore(m.search.$searchable);
  // A flow waiting for typed input (an e-mail address, a number…) owns the box: no suggestions then;
  // its retry error is shown by FlowWaitView under the id `mg-flow-error`.
  const input = wait?.kind === 'input' ? wait : null;
  const quiet = !!input || phase === 'agent';

  // The pending search: each keystroke replaces it, so only the text the visitor paused on is searched.
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  // The box's text as of the last keystroke (the state may not have rendered yet).
  const typed = useRef('');
  /** Suggestions for `value`: at once (`now`), or after the typing pause. */
  const suggest = (value: string, now?: boolean) => {
    typed.current = value;
    clearTimeout(timer.current);
    setActive(-1);
    if (quiet || value.trim().length < 2) return setHits(NONE);
    // Three one-line suggestions fit the list without a scrollbar: no scrolling region the keyboard cannot reach.
    // Their snippets are about one line long (SNIPPET columns): text that is never seen costs layout all the same.
    const find = () => m.search.query(value, 3, { snippet: SNIPPET });
    if (now) return setHits(find());
    // The pause is timed from the keystroke itself, not from the render after it. A third of the way in, the
    // search runs and its titles are laid out out of sight: a browser looks a font up for each character it
    // has not shown before (most of the list's first layout in Japanese), so the end of the pause only renders.
    const end = performance.now() + PAUSE;
    timer.current = setTimeout(() => {
      const found = find();
      if (ahead.current) ahead.current.textContent = found.map((hit) => hit.title).join(' ');
      timer.current = setTimeout(() => setHits(found), end - performance.now());
    }, PAUSE / 3);
  };
  // Once the help centre is searchable, or the box is the visitor's again, what is typed is searched again
  // (right after that render: a keystroke in between would otherwise be overtaken by older text).
  useLayoutEffect(() => suggest(typed.current, true), [quiet, searchable]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const submit = () => {
    if (!text.trim()) return;
    if (article) m.search.back();
    m.send(text);
    setText('');
    suggest('');
    // Focus stays in the box however the message went (Enter, a click or a tap on Send): Escape
    // keeps working and a phone keeps its keyboard.
    box.current?.focus();
  };
  // The way to a person, unless a person is already there or on the way, or the flow offers it itself.
  const human =
    (phase === 'bot' || phase === 'closed' || (phase === 'away' && !!status.handoff?.email)) &&
    wait?.allowHuman !== false &&
    !(wait?.kind === 'choice' && wait.options.some((o) => o.label.trim() === t.human));
  const open = (hit: SearchHit) => {
    m.search.show(hit.id, text.trim());
    clearTimeout(timer.current);
    setHits(NONE);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    // Keys that confirm or cancel an IME conversion are the IME's, and Escape must not close the panel then.
    if (e.isComposing || e.keyCode === 229) {
      if (e.key === 'Escape') e.stopPropagation();
      return;
    }
    const n = hits.length;
    if (n && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      setActive((a) => (e.key === 'ArrowDown' ? (a + 1) % n : a <= 0 ? n - 1 : a - 1));
    } else if (n && e.key === 'Escape') {
      // The first Escape clears the suggestions; the panel closes on the next one.
      e.preventDefault();
      e.stopPropagation();
      clearTimeout(timer.current);
      setHits(NONE);
      setActive(-1);
    } else if (e.key === 'Enter' && !e.shiftKey) {
      // Enter opens the highlighted article, or sends; Shift+Enter is a new line.
      e.preventDefault();
      if (hits[active]) open(hits[active]);
      else submit();
    }
  };
  return (
    <>
      {human && (
        <div class="chips">
          <button
            type="button"
            class="chip"
            onClick={() => {
              m.talkToPerson();
              // The button goes away with the request: the focus goes on in the message box.
              box.current?.focus();
            }}
          >
            {t.human}
          </button>
        </div>
      )}
      <Suggestions hits={hits} active={active} t={t} open={open} ready={searchable} ahead={ahead} />
      <form
        class="composer"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <textarea
          ref={box}
          rows={1}
          aria-label={t.message}
          placeholder={input?.placeholder || t.placeholder}
          inputMode={(input && INPUT_MODE[input.input]) as never}
          aria-invalid={input?.error ? true : undefined}
          aria-describedby={input?.error ? 'mg-flow-error' : undefined}
          aria-autocomplete={quiet ? undefined : 'list'}
          aria-controls={hits.length ? 'mg-sugg' : undefined}
          aria-activedescendant={hits[active] ? `mg-s${active}` : undefined}
          maxLength={4000}
          value={text}
          onInput={(e) => {
            setText(e.currentTarget.value);
            suggest(e.currentTarget.value);
            m.typing();
          }}
          onKeyDown={onKeyDown}
        />
        {/* A press on Send does not take the focus from the box (a phone's keyboard stays up). */}
        <button type="submit" class="send" disabled={!text.trim()} onPointerDown={(e) => e.preventDefault()}>
          {t.send}
        </button>
      </form>
    </>
  );
}
