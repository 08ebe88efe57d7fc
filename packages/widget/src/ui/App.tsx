import type { Messenger } from '@madoguchi/core';
import { useEffect, useRef } from 'preact/hooks';
import { brandStyle } from './brand';
import { $stringsArrived, loadStrings, stringsFor } from '../i18n';
import { useStore } from './use-store';
import { preloadMarkdown } from './markdown-parser';
import { Preview } from './Preview';
import { $arrived, focus, Later, preloadExtras, warmPanel } from './Later';
import { localized } from './localized';

const corner = { 'bottom-right': 'br', 'bottom-left': 'bl', 'top-right': 'tr', 'top-left': 'tl' } as const;

export function App({ m }: { m: Messenger }) {
  const open = useStore(m.state.$open);
  const locale = useStore(m.state.$locale);
  const config = m.state.config() || { appId: '' };
  useStore($stringsArrived);
  const t = stringsFor(locale, config);
  const unread = useStore(m.state.$unread);
  const article = useStore(m.search.$article);
  const flowWaits = !!useStore(m.flows.$wait);
  // Once asked, the survey view stays, to say thanks after the last answer.
  const surveyed = useRef(false);
  const opened = useRef(false);
  opened.current ||= open;
  const survey = useStore(m.insights.$survey);
  surveyed.current ||= !!survey;
  const away = useStore(m.state.$status).phase === 'away';
  // The panel's frame is styled by the stylesheet that comes with its views: it shows once they are here.
  const arrived = useStore($arrived);
  const launcher = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const wasOpen = useRef(open);
  /** Where focus was when the panel opened (the host's own button when there is no launcher). */
  const opener = useRef<HTMLElement | null>(null);
  const theme = typeof config.theme === 'object' ? config.theme : { mode: config.theme };
  const hasLauncher = config.launcher !== false;

  useEffect(() => void loadStrings(locale, config, m.state.report).catch(() => {}), [locale, config]);
  // A visitor with a conversation (restored, or a reply that just came) is likely to open it: the
  // panel's views are fetched when the browser is next idle, so the open only renders. A first
  // visit fetches nothing of the panel before it is pointed at.
  useEffect(() => {
    let asked = false;
    const warm = () => {
      if (asked || !m.state.$messages.get().length) return;
      asked = true;
      warmPanel(m.state.$locale.get());
    };
    warm();
    return m.state.$messages.listen(warm);
  }, []);
  useEffect(() => {
    if (open) preloadMarkdown().catch(() => {});
    if (open && !wasOpen.current) {
      opener.current = document.activeElement as HTMLElement | null;
      const box = panel.current?.querySelector<HTMLElement>('.composer textarea');
      if (box) box.focus();
      else focus.pending = true;
    }
    wasOpen.current = open;
  }, [open]);

  const closePanel = () => {
    m.close();
    (hasLauncher ? launcher.current : opener.current)?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    e.stopPropagation();
    closePanel();
  };

  return (
    <div
      class={`root ${corner[config.position || 'bottom-right']} ${theme.mode || 'auto'}${open ? ' open' : ''}${hasLauncher ? '' : ' bare'}`}
      style={brandStyle(theme.accent, config.offset)}
    >
      <div ref={panel} class="panel" role="dialog" aria-label={t.title} hidden={!open || !arrived} onKeyDown={onKeyDown}>
        <header>
          <h2>{localized(config.title, locale) || t.title}</h2>
          <button type="button" aria-label={t.minimize} onClick={closePanel}>
            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
              <path d="M5 11h14v2H5z" fill="currentColor" />
            </svg>
          </button>
        </header>
        {/* Nothing of the panel is fetched or rendered before its first open (the launcher preloads it). */}
        {opened.current && (
          <>
            {article ? (
              <Later view="ArticleView" m={m} t={t} />
            ) : (
              <>
                <Later view="Thread" m={m} t={t} />
                {flowWaits && <Later view="FlowWaitView" m={m} t={t} />}
                {surveyed.current && <Later view="Survey" m={m} t={t} />}
                {away && <Later view="HandoffExtras" m={m} t={t} />}
              </>
            )}
            {/* Keyed: the article view coming and going must not take its place (and its typed text). */}
            <Later key="composer" view="Composer" m={m} t={t} />
          </>
        )}
      </div>
      <Preview m={m} t={t} />
      {hasLauncher && (
      <button
        ref={launcher}
        type="button"
        class="launcher"
        aria-label={open ? t.close : t.open}
        aria-expanded={open}
        aria-describedby={unread > 0 && !open ? 'mg-unread' : undefined}
        onClick={() => m.toggle()}
        // The panel's views are fetched as soon as the launcher is pointed at or reached.
        onPointerEnter={() => preloadExtras(locale)}
        onFocus={() => preloadExtras(locale)}
      >
        <svg viewBox="0 0 24 24" aria-hidden="true">
          {open ? (
            <path d="M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z" />
          ) : (
            <path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z" />
          )}
        </svg>
        {unread > 0 && !open && (
          <span class="badge" aria-hidden="true">
            {unread}
          </span>
        )}
        {unread > 0 && !open && (
          <span id="mg-unread" class="vh">
            {t.unread(unread)}
          </span>
        )}
      </button>
      )}
    </div>
  );
}
