/**
 * The widget's stylesheet before the panel's (see panel-styles.ts): the launcher, the preview and the
 * panel's position, scoped by its shadow root. `.root` sets every inherited
 * property itself, so host rules such as `* { color: red !important }` (which reach the host
 * element and would otherwise be inherited) never change the widget.
 */
export const CSS = `
:host{all:initial!important;display:contents!important}
.root{--bg:#fff;--fg:#1b1d21;--muted:#5c6370;--line:#d9dce1;--soft:#f1f3f6;--accent:var(--brand,#2a5bd7);--on-accent:var(--brand-on,#fff);--bubble:var(--brand,#2a5bd7);--on-bubble:var(--brand-on,#fff);--z:2147483000;
color:var(--fg);font:400 15px/1.45 system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans JP",sans-serif;letter-spacing:normal;word-spacing:normal;
text-align:start;text-transform:none;text-indent:0;text-shadow:none;white-space:normal;font-style:normal;visibility:visible;cursor:auto;direction:inherit}
.dark{--bg:#1d2026;--fg:#eceef2;--muted:#a5acb8;--line:#3a3f49;--soft:#2a2e36;--accent:var(--brand-dark,#7aa2ff);--on-accent:var(--brand-dark-on,#0d1020);--bubble:var(--brand,#3d63c9);--err:#ff8a80}
@media (prefers-color-scheme:dark){.auto{--bg:#1d2026;--fg:#eceef2;--muted:#a5acb8;--line:#3a3f49;--soft:#2a2e36;--accent:var(--brand-dark,#7aa2ff);--on-accent:var(--brand-dark-on,#0d1020);--bubble:var(--brand,#3d63c9);--err:#ff8a80}}
*{box-sizing:border-box;margin:0;padding:0;font:inherit;color:inherit;letter-spacing:inherit}
button{cursor:pointer;border:0;background:none;min-height:44px;min-width:44px;border-radius:10px}
button:focus-visible,textarea:focus-visible,a:focus-visible,[tabindex]:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.launcher,.preview,.panel{position:fixed;left:var(--l,auto);right:var(--r,auto);top:var(--t,auto);bottom:var(--b,auto)}
.br,.tr{--r:calc(var(--x,20px) + env(safe-area-inset-right,0px))}.bl,.tl{--l:calc(var(--x,20px) + env(safe-area-inset-left,0px))}
.br,.bl{--b:calc(var(--y,20px) + env(safe-area-inset-bottom,0px))}.tr,.tl{--t:calc(var(--y,20px) + env(safe-area-inset-top,0px))}
.br .preview,.bl .preview{margin-bottom:66px}.tr .preview,.tl .preview{margin-top:66px}
.bare .panel{margin:0!important}
.launcher{z-index:var(--z);width:56px;height:56px;border-radius:50%;background:var(--launch,var(--accent));color:var(--launch-on,var(--on-accent));box-shadow:0 4px 14px #0004;display:grid;place-items:center}
.launcher svg{width:26px;height:26px;fill:currentColor}
.badge{position:absolute;top:-4px;inset-inline-end:-4px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#c62828;color:#fff;font-size:13px;line-height:22px;font-weight:700}
.preview{z-index:var(--z);max-width:260px;border-radius:12px;background:var(--bg);border:1px solid var(--line);box-shadow:0 4px 14px #0003;font-size:14px;display:flex;align-items:flex-start;padding-inline-start:12px}
.panel[hidden]{display:none}
.vh{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:479px){.open .launcher,.open .preview{display:none}}
.preview button:first-child{flex:1;text-align:start;padding:10px 0}
.preview b{display:block;font-size:13px}
`;

/** The shadow roots the widget is mounted in, with the nonce for a style element where needed. */
const roots = new Set<[ShadowRoot, string | undefined]>();
let panelCss = '';

/** Adds a stylesheet to a shadow root: a constructed one (no nonce needed), else a style element. */
function adopt(root: ShadowRoot, css: string, nonce?: string) {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet !== 'undefined' && 'replaceSync' in CSSStyleSheet.prototype) {
    // Constructed stylesheets need no nonce and are not blocked by a strict style-src.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } else {
    const style = root.ownerDocument.createElement('style');
    if (nonce) style.nonce = nonce;
    style.textContent = css;
    root.insertBefore(style, root.firstChild);
  }
}

/** Styles a new shadow root (with the panel's styles too once they are here); returns the unregister function. */
export function styleRoot(root: ShadowRoot, nonce?: string): () => void {
  const entry: [ShadowRoot, string | undefined] = [root, nonce];
  adopt(root, CSS + panelCss, nonce);
  roots.add(entry);
  return () => roots.delete(entry);
}

/** The panel's styles, arriving with its views (they are not needed before the first open). */
export function addPanelStyles(css: string) {
  if (panelCss) return;
  panelCss = css;
  for (const [root, nonce] of roots) adopt(root, css, nonce);
}
