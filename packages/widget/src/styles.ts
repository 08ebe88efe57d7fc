/**
 * The widget's whole stylesheet, scoped by its shadow root. `.root` sets every inherited
 * property itself, so host rules such as `* { color: red !important }` (which reach the host
 * element and would otherwise be inherited) never change the widget.
 */
export const CSS = `
:host{all:initial!important;display:contents!important}
.root{--bg:#fff;--fg:#1b1d21;--muted:#5c6370;--line:#d9dce1;--soft:#f1f3f6;--accent:#2a5bd7;--on-accent:#fff;--bubble:#2a5bd7;--z:2147483000;
color:var(--fg);font:400 15px/1.45 system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans JP",sans-serif;letter-spacing:normal;word-spacing:normal;
text-align:start;text-transform:none;text-indent:0;text-shadow:none;white-space:normal;font-style:normal;visibility:visible;cursor:auto;direction:inherit}
.dark{--bg:#1d2026;--fg:#eceef2;--muted:#a5acb8;--line:#3a3f49;--soft:#2a2e36;--accent:#7aa2ff;--on-accent:#0d1020;--bubble:#3d63c9;--err:#ff8a80}
@media (prefers-color-scheme:dark){.auto{--bg:#1d2026;--fg:#eceef2;--muted:#a5acb8;--line:#3a3f49;--soft:#2a2e36;--accent:#7aa2ff;--on-accent:#0d1020;--bubble:#3d63c9;--err:#ff8a80}}
*{box-sizing:border-box;margin:0;padding:0;font:inherit;color:inherit;letter-spacing:inherit}
button{cursor:pointer;border:0;background:none;min-height:44px;min-width:44px;border-radius:10px}
button:focus-visible,textarea:focus-visible,a:focus-visible,[tabindex]:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.launcher{position:fixed;z-index:var(--z);width:56px;height:56px;border-radius:50%;background:var(--accent);color:var(--on-accent);box-shadow:0 4px 14px #0004;display:grid;place-items:center}
.launcher svg{width:26px;height:26px;fill:currentColor}
.badge{position:absolute;top:-4px;inset-inline-end:-4px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#c62828;color:#fff;font-size:13px;line-height:22px;font-weight:700}
.preview{position:fixed;z-index:var(--z);max-width:260px;padding:10px 14px;border-radius:12px;background:var(--bg);border:1px solid var(--line);box-shadow:0 4px 14px #0003;font-size:14px}
.panel{position:fixed;z-index:var(--z);width:380px;height:min(640px,calc(100vh - 110px));display:flex;flex-direction:column;background:var(--bg);border:1px solid var(--line);border-radius:16px;box-shadow:0 10px 40px #0004;overflow:hidden}
.panel[hidden]{display:none}
.br .launcher,.br .preview{right:20px;bottom:20px}.br .panel{right:20px;bottom:88px}
.bl .launcher,.bl .preview{left:20px;bottom:20px}.bl .panel{left:20px;bottom:88px}
.tr .launcher,.tr .preview{right:20px;top:20px}.tr .panel{right:20px;top:88px}
.tl .launcher,.tl .preview{left:20px;top:20px}.tl .panel{left:20px;top:88px}
.br .preview,.bl .preview{bottom:86px}.tr .preview,.tl .preview{top:86px}
header{display:flex;align-items:center;gap:8px;padding:8px;padding-inline-start:16px;border-bottom:1px solid var(--line)}
h2{flex:1;font-size:17px;font-weight:650}
.scroll{flex:1;overflow-y:auto;padding:14px 14px 6px;overscroll-behavior:contain}
.log{list-style:none;display:flex;flex-direction:column;gap:8px}
.msg{max-width:85%;padding:8px 12px;border-radius:14px;background:var(--soft);overflow-wrap:anywhere}
.msg.user{align-self:flex-end;background:var(--bubble);color:#fff}
.msg.system{align-self:center;background:none;color:var(--muted);font-size:13px;text-align:center}
.who{display:block;font-size:12px;color:var(--muted)}.user .who{color:#fff}
.note{display:block;font-size:12px;opacity:.85}
.status{padding:6px 16px;font-size:13px;color:var(--muted);border-top:1px solid var(--line)}
.chips{display:flex;flex-wrap:wrap;gap:6px;padding:6px 12px}
.chip{padding:0 14px;border:1px solid var(--accent);color:var(--accent);border-radius:22px;font-size:14px}
.chip[aria-pressed=true]{background:var(--accent);color:var(--on-accent)}
.sugg{list-style:none;border-top:1px solid var(--line);max-height:40%;overflow-y:auto}
.sugg li{padding:8px 16px;cursor:pointer;min-height:44px}.sugg li[aria-selected=true],.sugg li:hover{background:var(--soft)}
.sugg b,mark{background:none;color:inherit;font-weight:700}.sugg small{display:block;color:var(--muted);font-size:13px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.composer{display:flex;gap:6px;align-items:flex-end;padding:8px;border-top:1px solid var(--line)}
textarea{flex:1;resize:none;min-height:44px;max-height:120px;padding:10px 12px;border:1px solid var(--line);border-radius:12px;background:var(--bg);font-size:16px}
.send{background:var(--accent);color:var(--on-accent);padding:0 16px;font-weight:600}
.send:disabled{opacity:.5;cursor:default}
.error{color:var(--err,#c62828);font-size:13px;padding:0 16px}
article{display:flex;flex-direction:column;gap:10px}article h3{font-size:18px;font-weight:650}
.md p+p,.md ul,.md ol,.md pre{margin-top:8px}.md ul,.md ol{padding-inline-start:20px}.md a{color:var(--accent)}
.md code{font-family:ui-monospace,monospace;font-size:13px;background:var(--soft);padding:1px 4px;border-radius:4px}
.md pre{overflow-x:auto;background:var(--soft);padding:8px;border-radius:8px}
.vh{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:479px){.panel{inset:0!important;width:100%;height:100vh;height:100dvh;border-radius:0;border:0}.open .launcher,.open .preview{display:none}}
@media (prefers-reduced-motion:no-preference){.panel{animation:in .16s ease-out}@keyframes in{from{opacity:0;transform:translateY(8px)}}}
.follow{padding:6px 12px;border-top:1px solid var(--line);font-size:13px;color:var(--muted)}.follow div{display:flex;gap:6px;margin-top:4px}
.follow input{flex:1;min-width:0;min-height:44px;padding:0 12px;border:1px solid var(--line);border-radius:12px;background:var(--bg);color:var(--fg);font-size:16px}.follow .error{padding:4px 0 0}
article>.chip,article>a{align-self:flex-start}article a{color:var(--accent)}article .chips{padding:0}
.preview{display:flex;align-items:flex-start;padding:0;padding-inline-start:12px}.preview button:first-child{flex:1;text-align:start;padding:10px 0}.status .chips{padding:6px 0}
`;
